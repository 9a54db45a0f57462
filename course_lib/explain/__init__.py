"""Explanations and their scoring against ground truth: attention rollout and the pointing game (notebook 01)."""
