"""Neural network models of the course, one module per modality or family.

Import the module you need (each pulls in only its own dependencies):
`course_lib.models.imaging` (notebook 01: 1-channel ResNet, ViT, hybrid, patchify),
`course_lib.models.clip` (notebook 02), `course_lib.models.ecg` (notebook 05),
`course_lib.models.fusion` and `course_lib.models.graph` (notebook 11: fusion strategies,
GCN/GAT with torch_geometric).
"""
