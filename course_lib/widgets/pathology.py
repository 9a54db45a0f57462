"""Widget of notebook 04: pan and zoom a slide pyramid, with a tumour heatmap and a threshold."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np


def view_window(slide, level: int, cx: float, cy: float, size: int = 384) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The `size` x `size` window of `level` centred at (cx, cy) in [0, 1] slide fractions (notebook 04).

    Returns the RGB pixels and the window's level-0 box (x0, y0, x1, y1); the window is clipped to the slide.
    """
    if not 0 <= level < slide.level_count:
        raise ValueError(f"level must be 0..{slide.level_count - 1}, got {level}")
    w, h = slide.level_dimensions[level]
    ds = slide.level_downsamples[level]
    sw, sh = min(size, w), min(size, h)
    x = int(np.clip(cx * w - sw / 2, 0, w - sw))
    y = int(np.clip(cy * h - sh / 2, 0, h - sh))
    x0, y0 = int(x * ds), int(y * ds)
    rgb = np.asarray(slide.read_region((x0, y0), level, (sw, sh)))[..., :3]
    return rgb, (x0, y0, int(x0 + sw * ds), int(y0 + sh * ds))


def render_slide_view(slide, heat: np.ndarray | None, heat_downsample: float, level: int = 2, cx: float = 0.5,
                      cy: float = 0.5, show_heat: bool = True, threshold: float = 0.5, size: int = 384) -> plt.Figure:
    """The window at a level, the patches whose score passes `threshold` outlined in colour (notebook 04).

    `heat` is a patch-score map over the whole slide at `heat_downsample` (NaN where no tissue patch).
    Returns the figure; its title says how many level-0 pixels the window covers.
    """
    rgb, (x0, y0, x1, y1) = view_window(slide, level, cx, cy, size)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.imshow(rgb, extent=(x0, x1, y1, y0))
    if show_heat and heat is not None:
        r0, r1 = int(y0 / heat_downsample), int(np.ceil(y1 / heat_downsample))
        c0, c1 = int(x0 / heat_downsample), int(np.ceil(x1 / heat_downsample))
        crop = heat[r0:r1, c0:c1]
        over = np.ma.masked_where(~(np.nan_to_num(crop, nan=-1) >= threshold), crop)
        ax.imshow(over, cmap="autumn_r", alpha=0.45, vmin=threshold, vmax=1,
                  extent=(c0 * heat_downsample, c1 * heat_downsample, r1 * heat_downsample, r0 * heat_downsample))
        n_hot = int(np.nansum(crop >= threshold))
        ax.set_xlabel(f"{n_hot} heatmap pixels >= {threshold:.2f} in view")
    mpp = float(slide.properties.get("openslide.mpp-x", "nan"))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
    ax.set_title(f"level {level} (x{slide.level_downsamples[level]:g}): {(x1 - x0) * mpp / 1000:.2f} x "
                 f"{(y1 - y0) * mpp / 1000:.2f} mm", fontsize=10)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def slide_widget(slide, heat: np.ndarray | None = None, heat_downsample: float = 16.0):
    """Pan/zoom the pyramid (level, x, y), toggle the heatmap, move its threshold (notebook 04)."""
    import ipywidgets as w

    controls = {
        "level": w.IntSlider(value=slide.level_count - 2, min=0, max=slide.level_count - 1, description="level"),
        "cx": w.FloatSlider(value=0.5, min=0, max=1, step=0.02, description="x"),
        "cy": w.FloatSlider(value=0.5, min=0, max=1, step=0.02, description="y"),
        "show_heat": w.Checkbox(value=True, description="heatmap"),
        "threshold": w.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="threshold"),
    }
    image = w.Image(format="png")

    def update(change=None):
        # The view goes into an Image widget as PNG bytes: no Output widget capturing a live figure,
        # which some notebook runners wait on, and no figure left open for the notebook to show twice.
        fig = render_slide_view(slide, heat, heat_downsample, **{k: c.value for k, c in controls.items()})
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        image.value = buffer.getvalue()

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox(list(controls.values())[3:]), image])
