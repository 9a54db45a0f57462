"""Widget of notebook 08: a patient's timeline with the alarm cut-off as a slider."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.training.early_warning import alarm_onsets
from course_lib.viz.vitals import plot_timeline


def alarm_summary(p: np.ndarray, onset: float, threshold: float, snooze: int = 4) -> dict:
    """One patient's alarms at a cut-off: when they fire, how many, and the lead before onset (notebook 08).

    p: (L,) hourly scores of the stay. Lead time counts the first alarm from 12 h before onset.
    """
    fired = np.flatnonzero(alarm_onsets(np.asarray(p, float)[None, :], threshold, snooze)[0])
    out = {"alarms": len(fired), "alarm hours": fired.tolist(), "lead time (h)": None}
    if np.isfinite(onset):
        early = fired[fired >= onset - 12]
        out["lead time (h)"] = float(onset - early[0]) if len(early) else None
    return out


def render_timeline(stays, scores: dict, i: int, threshold: float, score_name: str | None = None):
    """The timeline figure and its alarm summary for one patient and cut-off (notebook 08)."""
    key = score_name or next(iter(scores))
    L = int(stays.length[i])
    summary = alarm_summary(scores[key][i, :L], stays.onset[i], threshold)
    fig = plot_timeline(stays, i, scores, threshold, key)
    return fig, summary


def timeline_widget(stays, scores: dict, score_name: str | None = None, threshold: float = 0.3):
    """Pick a patient and move the alarm cut-off; see the alarms and the lead time (notebook 08)."""
    import ipywidgets as w

    key = score_name or next(iter(scores))
    top = float(np.nanmax(scores[key]))
    patient = w.IntSlider(value=int(np.flatnonzero(np.isfinite(stays.onset))[0]), min=0, max=len(stays) - 1,
                          description="patient")
    cut = w.FloatSlider(value=threshold, min=0.0, max=round(top, 2), step=round(top / 50, 3) or 0.01,
                        description="cut-off")

    def show(i, c):
        fig, summary = render_timeline(stays, scores, i, c, key)
        plt.show()
        print(summary)

    out = w.interactive_output(show, {"i": patient, "c": cut})
    return w.VBox([w.HBox([patient, cut]), out])
