"""Imaging widgets: CT level/width (notebook 00), ViT patch size (notebook 01); logic in plain functions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.preprocess.imaging import WINDOW_PRESETS
from course_lib.viz.imaging import plot_patch_grid, show_ct_window


def render_ct_window(hu: np.ndarray, level: float, width: float) -> plt.Figure:
    """The CT-window view: the windowed slice and the HU histogram with the window marked."""
    fig, (ax_img, ax_hist) = plt.subplots(1, 2, figsize=(9, 3.6))
    show_ct_window(hu, level, width, ax=ax_img)
    ax_hist.hist(hu.ravel(), bins=120, color="0.4")
    ax_hist.axvspan(level - width / 2, level + width / 2, color="tab:orange", alpha=0.3,
                    label="window")
    ax_hist.set_xlabel("Hounsfield units")
    ax_hist.set_yscale("log")
    ax_hist.legend()
    fig.tight_layout()
    return fig


def ct_window_widget(hu: np.ndarray):
    """Sliders for window level and width, and a preset menu, over render_ct_window."""
    import ipywidgets as w

    preset = w.Dropdown(options=list(WINDOW_PRESETS), value="mediastinum", description="preset")
    level = w.IntSlider(value=40, min=-1000, max=1000, step=10, description="level (HU)")
    width = w.IntSlider(value=400, min=10, max=2500, step=10, description="width (HU)")

    def apply_preset(change: dict) -> None:
        level.value, width.value = (int(v) for v in WINDOW_PRESETS[change["new"]])

    preset.observe(apply_preset, names="value")
    out = w.interactive_output(lambda level, width: (render_ct_window(hu, level, width), plt.show()),
                               {"level": level, "width": width})
    return w.VBox([w.HBox([preset, level, width]), out])


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
