"""Training loops, losses, metrics and retrieval metrics shared by the notebooks."""
