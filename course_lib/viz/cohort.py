"""Figures of the synthetic hospital tour (notebook 00): films with masks, X-ray grid, vitals, correlations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

# Finding masks drawn as contours over the film, with the colour used in every figure.
FINDING_COLOURS = {"consolidation": "tab:red", "atelectasis": "tab:purple", "oedema": "tab:cyan",
                   "effusion": "tab:blue", "cardiomegaly": "tab:orange",
                   "hyperinflation": "tab:green"}
# Rows of the X-ray grid: the condition and the finding that shows it on the film.
GRID_CONDITIONS = ("none", "pneumonia", "heart_failure", "copd_asthma")


def show_xray(cohort, i: int, ax: plt.Axes | None = None, masks: bool = True) -> plt.Axes:
    """One chest X-ray with the contours of its ground-truth finding masks."""
    ax = ax or plt.gca()
    ax.imshow(cohort.images[i], cmap="gray", vmin=0, vmax=1)
    shown = []
    for name, colour in FINDING_COLOURS.items():
        mask = cohort.masks[name][i]
        if masks and mask.any():
            ax.contour(mask, levels=[0.5], colors=colour, linewidths=1.0)
            shown.append(name)
    ax.set_title(", ".join(shown) if shown else "no finding", fontsize=8)
    ax.axis("off")
    return ax


def _pure_cases(cohort, condition: str) -> np.ndarray:
    """Patients with exactly this condition among the image-visible ones (or none at all)."""
    visible = ("pneumonia", "heart_failure", "copd_asthma")
    lab = {c: cohort.state[c].to_numpy().astype(bool) for c in visible}
    if condition == "none":
        return np.flatnonzero(~np.any(cohort.labels.astype(bool), axis=1))
    others = np.any([lab[c] for c in visible if c != condition], axis=0)
    return np.flatnonzero(lab[condition] & ~others)


def xray_grid(cohort, per_row: int = 4, masks: bool = False) -> plt.Figure:
    """X-rays by condition (rows) and severity (columns, increasing)."""
    fig, axes = plt.subplots(len(GRID_CONDITIONS), per_row, figsize=(1.9 * per_row, 2.0 * 4))
    for row, condition in enumerate(GRID_CONDITIONS):
        idx = _pure_cases(cohort, condition)
        if condition != "none":
            severity = cohort.state[f"{condition}_severity"].to_numpy()[idx]
            idx = idx[np.argsort(severity)]
        picks = idx[np.linspace(0, len(idx) - 1, per_row).round().astype(int)] if len(idx) else []
        for col in range(per_row):
            ax = axes[row, col]
            ax.axis("off")
            if col < len(picks):
                i = picks[col]
                ax.imshow(cohort.images[i], cmap="gray", vmin=0, vmax=1)
                if masks:
                    show_xray(cohort, i, ax=ax)
                sev = "" if condition == "none" else \
                    f" sev {cohort.state[f'{condition}_severity'].iloc[i]:.2f}"
                ax.set_title(f"{condition}{sev}", fontsize=8)
    fig.suptitle("Synthetic chest X-rays by condition; severity increases to the right", fontsize=10)
    fig.tight_layout()
    return fig


def plot_vitals_series(cohort, i: int, axes=None) -> np.ndarray:
    """The patient's vitals over the stay: irregular times, gaps where not measured."""
    p = cohort.patient(i)
    if axes is None:
        _, axes = plt.subplots(2, 3, figsize=(9, 4), sharex=True)
    for k, ax in enumerate(np.ravel(axes)):
        values = p["vitals_series"][:, k]
        ok = ~np.isnan(values)
        ax.plot(p["vitals_times"][ok], values[ok], "o-", markersize=3)
        ax.set_title(f"{cohort.vital_names[k]} ({cohort.vital_units[k]})", fontsize=8)
        ax.set_xlabel("hours since triage", fontsize=8)
    return np.asarray(axes)


def render_patient(cohort, i: int) -> plt.Figure:
    """One patient across the modalities: X-ray with masks, vitals over time, text and labs."""
    p = cohort.patient(i)
    fig = plt.figure(figsize=(12, 5.2))
    grid = fig.add_gridspec(2, 5, width_ratios=[1.6, 1, 1, 1, 1.8])
    show_xray(cohort, i, ax=fig.add_subplot(grid[:, 0]))
    axes = np.array([[fig.add_subplot(grid[r, c]) for c in (1, 2, 3)] for r in (0, 1)])
    plot_vitals_series(cohort, i, axes=axes)
    text_ax = fig.add_subplot(grid[:, 4])
    text_ax.axis("off")
    labs = ", ".join(f"{k} {v:.3g}" for k, v in p["labs"].items() if not np.isnan(v))
    s = p["state"]
    text = (f"{s['patient_id']}: {s['age']} y, {s['sex']}, ESI {p['esi']}\n"
            f"truth: {', '.join(p['conditions']) or 'none of the six'}\n\n"
            f"COMPLAINT: {p['complaint']}\n\nLABS: {labs}\n\n{p['report']}")
    import textwrap

    wrapped = "\n".join(textwrap.fill(line, 48) for line in text.splitlines())
    text_ax.text(0, 1, wrapped, va="top", fontsize=7, family="monospace")
    fig.tight_layout()
    return fig


def prevalence_table(cohort) -> pd.DataFrame:
    """Prevalence of each condition, and the share of each ESI level among its patients."""
    rows = {}
    for k, name in enumerate(cohort.condition_names):
        has = cohort.labels[:, k] > 0
        esi = pd.Series(cohort.esi[has]).value_counts(normalize=True).reindex(range(1, 6)).fillna(0)
        rows[name] = {"prevalence": has.mean(), **{f"ESI {e}": v for e, v in esi.items()}}
    return pd.DataFrame(rows).T


def correlation_frame(cohort) -> pd.DataFrame:
    """Conditions, risk factors, triage vitals and (log) labs side by side, for a correlation view."""
    s = cohort.state
    frame = pd.DataFrame({c: cohort.labels[:, k] for k, c in enumerate(cohort.condition_names)})
    for col in ("age", "bmi", "hypertension", "diabetes", "copd_history", "prior_mi"):
        frame[col] = s[col].to_numpy().astype(float)
    frame = frame.join(pd.DataFrame(cohort.vitals, columns=list(cohort.vital_names)))
    frame = frame.join(pd.DataFrame(np.log(cohort.labs), columns=[f"log {n}" for n in cohort.lab_names]))
    frame["ESI"] = cohort.esi.astype(float)
    return frame


def plot_correlations(cohort) -> plt.Figure:
    """Heatmap: how each condition correlates with risk factors, vitals and labs."""
    corr = correlation_frame(cohort).corr()  # pairwise: NaN labs are skipped, not imputed
    rows = list(cohort.condition_names)
    cols = [c for c in corr.columns if c not in rows]
    fig, ax = plt.subplots(figsize=(11, 3.4))
    im = ax.imshow(corr.loc[rows, cols].to_numpy(), cmap="RdBu_r", vmin=-0.6, vmax=0.6)
    ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.grid(False)
    fig.colorbar(im, ax=ax, label="Pearson r")
    fig.tight_layout()
    return fig
