"""Widgets of notebook 01: patch size explorer; the logic is a plain function tests call."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.image_viz import plot_patch_grid


def render_patches(image: np.ndarray, patch_size: int) -> plt.Figure:
    """The patch view for one patch size (what the widget shows) (notebook 01)."""
    if image.shape[0] % patch_size or image.shape[1] % patch_size:
        raise ValueError(f"patch size {patch_size} does not divide the image size {image.shape}")
    return plot_patch_grid(image, patch_size)


def patch_size_widget(image: np.ndarray):
    """A slider over patch sizes: fewer, larger patches = fewer tokens, coarser attention (notebook 01)."""
    import ipywidgets as w

    sizes = [p for p in (2, 4, 8, 16, 32) if image.shape[0] % p == 0 and image.shape[1] % p == 0]
    slider = w.SelectionSlider(options=sizes, value=sizes[len(sizes) // 2], description="patch (px)")
    out = w.interactive_output(lambda p: (render_patches(image, p), plt.show()), {"p": slider})
    return w.VBox([slider, out])
