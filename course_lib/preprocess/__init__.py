"""Classical processing per modality, before any model: imaging (HU, windows, resampling), augment, ecg (filters, R-peaks)."""
