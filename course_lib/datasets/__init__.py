"""Real data: files that ship inside installed packages, and loaders for public datasets."""
