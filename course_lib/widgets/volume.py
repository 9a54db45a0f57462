"""Widget of notebook 09: scroll through a volume's slices with the truth and predictions overlaid."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.viz.volume import window_limits

WINDOWS = {"lung (-600/1500)": (-600.0, 1500.0), "mediastinum (40/400)": (40.0, 400.0),
           "bone (400/1800)": (400.0, 1800.0)}
AXES = {"axial": 2, "coronal": 1, "sagittal": 0}


def slice_view(volume: np.ndarray, axis: str, index: int) -> np.ndarray:
    """The 2D slice of a (x, y, z) volume along a named plane, index clipped to the volume."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {list(AXES)}, not {axis!r}")
    a = AXES[axis]
    index = int(np.clip(index, 0, volume.shape[a] - 1))
    return np.take(volume, index, axis=a)


def render_slice(ct: np.ndarray, spacing, axis: str = "axial", index: int = 16,
                 window: str = "lung (-600/1500)", overlays: dict[str, np.ndarray] | None = None,
                 pet: np.ndarray | None = None) -> plt.Figure:
    """One slice in a CT window, with mask contours (and optionally PET in colour) (notebook 09)."""
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {list(WINDOWS)}, not {window!r}")
    vmin, vmax = window_limits(*WINDOWS[window])
    sx, sy, sz = spacing
    aspect = {"axial": sy / sx, "coronal": sz / sx, "sagittal": sz / sy}[axis]
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.imshow(slice_view(ct, axis, index).T, cmap="gray", vmin=vmin, vmax=vmax, origin="lower", aspect=aspect)
    if pet is not None:
        hot = slice_view(pet, axis, index).T
        ax.imshow(np.ma.masked_less(hot, 1.0), cmap="hot", alpha=0.5, origin="lower", aspect=aspect,
                  vmin=0, vmax=max(float(pet.max()), 1.0))
    colors = ["lime", "red", "cyan", "yellow"]
    for (name, mask), color in zip((overlays or {}).items(), colors, strict=False):
        m = slice_view(mask, axis, index).T
        if m.any():
            ax.contour(m, levels=[0.5], colors=color, linewidths=1.0)
        ax.plot([], [], color=color, label=name)
    if overlays:
        ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"{axis} slice {index} · {window}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def slice_widget(ct: np.ndarray, spacing, overlays: dict[str, np.ndarray] | None = None,
                 pet: np.ndarray | None = None):
    """Slice scroller: plane, slice index, CT window, PET on/off (notebook 09)."""
    import ipywidgets as w

    axis = w.ToggleButtons(options=list(AXES), value="axial", description="plane")
    index = w.IntSlider(value=ct.shape[2] // 2, min=0, max=max(ct.shape) - 1, description="slice")
    window = w.Dropdown(options=list(WINDOWS), value="lung (-600/1500)", description="window")
    show_pet = w.Checkbox(value=False, description="PET overlay", disabled=pet is None)

    def draw(axis, index, window, show_pet):
        render_slice(ct, spacing, axis, index, window, overlays, pet if show_pet else None)
        plt.show()

    out = w.interactive_output(draw, {"axis": axis, "index": index, "window": window, "show_pet": show_pet})
    return w.VBox([w.HBox([axis, window]), w.HBox([index, show_pet]), out])
