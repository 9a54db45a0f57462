"""The patient browser of the synthetic hospital tour (notebook 00)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.viz.cohort import render_patient


def patient_browser(cohort):
    """A slider over patients and a condition filter, drawing render_patient."""
    import ipywidgets as w

    condition = w.Dropdown(options=["any", *cohort.condition_names], description="condition")
    index = w.IntSlider(value=0, min=0, max=len(cohort) - 1, description="patient")

    def draw(condition: str, index: int) -> None:
        pool = np.arange(len(cohort)) if condition == "any" else \
            np.flatnonzero(cohort.labels[:, cohort.condition_names.index(condition)] > 0)
        render_patient(cohort, int(pool[index % len(pool)]))
        plt.show()

    out = w.interactive_output(draw, {"condition": condition, "index": index})
    return w.VBox([w.HBox([condition, index]), out])
