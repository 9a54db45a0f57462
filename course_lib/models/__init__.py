"""Neural network models of the course, one module per modality."""
