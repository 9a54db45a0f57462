"""Figures, one module per modality or topic (cohort, imaging, ecg, clip, fusion)."""
