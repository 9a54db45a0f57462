"""The prevalence-and-threshold widget of notebook 13 (logic in plain functions)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.training.evaluation import at_prevalence, decision_curve, shift_prevalence
from course_lib.viz.evaluation import plot_decision_curve


def operating_summary(y, p, threshold: float, prevalence: float) -> dict[str, float]:
    """Sensitivity, specificity, PPV, NPV and net benefit at a cut-off and a deployment prevalence (notebook 13).

    The model's probabilities are moved to the new prevalence by Bayes' prior shift first, so the
    cut-off is a risk at that prevalence and net benefit can use it as its exchange rate.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    y = np.asarray(y).astype(bool)
    risk = shift_prevalence(p, y.mean(), prevalence)
    flag = risk >= threshold
    sens, spec = flag[y].mean(), (~flag[~y]).mean()
    odds = threshold / (1 - threshold)
    return {"sensitivity": sens, "specificity": spec,
            **{k: v for k, v in at_prevalence(sens, spec, prevalence).items() if k in ("PPV", "NPV")},
            "flagged per 1,000": 1000 * (sens * prevalence + (1 - spec) * (1 - prevalence)),
            "net benefit": sens * prevalence - (1 - spec) * (1 - prevalence) * odds,
            "net benefit, treat all": prevalence - (1 - prevalence) * odds}


def render_operating(y, p, threshold: float = 0.05, prevalence: float = 0.04):
    """The operating point's numbers beside the decision curve at that prevalence (notebook 13)."""
    summary = operating_summary(y, p, threshold, prevalence)
    y = np.asarray(y).astype(bool)
    risk = shift_prevalence(p, y.mean(), prevalence)
    grid = np.linspace(0.01, min(0.6, max(0.3, 2 * threshold)), 60)
    curves = decision_curve(y, {"model": risk}, grid, prevalence)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    names = ["sensitivity", "specificity", "PPV", "NPV"]
    axes[0].barh(names, [summary[k] for k in names], color=["tab:blue", "tab:blue", "tab:orange", "tab:orange"])
    for i, k in enumerate(names):
        axes[0].text(min(summary[k], 0.85) + 0.01, i, f"{summary[k]:.3f}", va="center")
    axes[0].set(xlim=(0, 1), title=f"cut-off {threshold:.3f} at prevalence {prevalence:.1%}: "
                f"{summary['flagged per 1,000']:.0f} flagged per 1,000")
    plot_decision_curve(curves, axes[1], title=f"net benefit {summary['net benefit']:.4f} "
                        f"(treat all {summary['net benefit, treat all']:.4f})")
    axes[1].axvline(threshold, color="tab:red", lw=1)
    fig.tight_layout()
    return summary


def operating_widget(y, p):
    """Sliders for the deployment prevalence and the cut-off; PPV, NPV and net benefit follow (notebook 13)."""
    import ipywidgets as w

    prevalence = w.FloatSlider(value=0.04, min=0.01, max=0.5, step=0.01, description="prevalence",
                               readout_format=".2f")
    threshold = w.FloatLogSlider(value=0.05, base=10, min=-2.5, max=-0.1, step=0.05, description="cut-off",
                                 readout_format=".3f")

    def show(prevalence, threshold):
        render_operating(y, p, threshold, prevalence)
        plt.show()

    out = w.interactive_output(show, {"prevalence": prevalence, "threshold": threshold})
    return w.VBox([w.HBox([prevalence, threshold]), out])
