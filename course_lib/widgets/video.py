"""Scrub through a procedure: the frame, its true and predicted phase, and the phase ribbons (notebook 10)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.synth.video import PHASES
from course_lib.viz.video import plot_phase_ribbons


def scrub_state(true, pred, t: int) -> dict:
    """What the scrubber shows at frame t: both phases, whether they agree, accuracy so far (notebook 10)."""
    true, pred = np.asarray(true), np.asarray(pred)
    if not 0 <= t < len(true):
        raise ValueError(f"t={t}: choose a frame between 0 and {len(true) - 1}")
    return {"t": t, "true": PHASES[true[t]], "predicted": PHASES[pred[t]], "agree": bool(true[t] == pred[t]),
            "accuracy so far": float(np.mean(true[: t + 1] == pred[: t + 1]))}


def render_scrub(frames, true, pred, t: int, fps: float = 1.0):
    """The figure of the scrubber at frame t: picture on the left, ribbons with a cursor on the right."""
    state = scrub_state(true, pred, t)
    fig = plt.figure(figsize=(10, 2.8))
    ax_img = fig.add_axes((0.0, 0.05, 0.25, 0.85))
    ax_img.imshow(frames[t])
    ax_img.axis("off")
    mark = "✓" if state["agree"] else "✗"
    ax_img.set_title(f"t = {t / fps:.0f} s  {mark}", fontsize=9)
    ax_bar = fig.add_axes((0.36, 0.45, 0.62, 0.4))
    plot_phase_ribbons({"true": true, "online TCN": pred}, fps=fps, ax=ax_bar, cursor=(t + 0.5) / fps)
    ax_bar.set_title(f"true: {state['true']} | predicted: {state['predicted']} | accuracy so far "
                     f"{state['accuracy so far']:.2f}", fontsize=8)
    return fig


def phase_widget(frames, true, pred, fps: float = 1.0):
    """A slider over the frames of one procedure (notebook 10)."""
    import ipywidgets as W

    out = W.Output()

    def show(t):
        with out:
            out.clear_output(wait=True)
            render_scrub(frames, true, pred, t, fps)
            plt.show()

    slider = W.IntSlider(value=len(true) // 2, min=0, max=len(true) - 1, description="frame",
                         continuous_update=False, layout=W.Layout(width="70%"))
    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return W.VBox([slider, out])
