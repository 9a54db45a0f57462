"""Figures of notebook 08: a patient's timeline, rhythms and gaps, lead times, model comparison."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course_lib.synth.ward import LABS, VITALS
from course_lib.training.early_warning import alarm_onsets

PANELS = (("heart_rate", "HR (/min)"), ("sbp", "SBP (mmHg)"), ("resp_rate", "RR (/min)"),
          ("spo2", "SpO$_2$ (%)"), ("temperature", "Temp (°C)"))


def plot_timeline(stays, i: int, scores: dict[str, np.ndarray] | None = None,
                  threshold: float | None = None, score_name: str | None = None) -> plt.Figure:
    """One stay on one clock: charted vitals (dots at their exact times), labs, drugs, notes, scores (notebook 08)."""
    L = int(stays.length[i])
    rows = len(PANELS) + (1 if scores else 0)
    fig, axes = plt.subplots(rows, 1, figsize=(10, 1.35 * rows + 0.6), sharex=True)
    for ax, (name, label) in zip(axes, PANELS, strict=False):
        k = VITALS.index(name)
        v, t = stays.vitals[i, :L, k], stays.vitals_time[i, :L, k]
        ok = ~np.isnan(v)
        filled = pd.Series(v).ffill().to_numpy()
        ax.step(np.arange(L) + 1, filled, where="post", color="0.75", lw=1, label="carried forward")
        ax.plot(t[ok], v[ok], "o", ms=3, color="tab:blue", label="charted")
        ax.set_ylabel(label, fontsize=8)
    events = axes[0]
    lac = stays.labs[i, :L, LABS.index("lactate")]
    for h in np.flatnonzero(~np.isnan(lac)):
        events.annotate(f"lactate {lac[h]:.1f}", (h + 1, events.get_ylim()[1]), fontsize=7, color="tab:purple",
                        va="top")
    for h in np.flatnonzero(stays.meds[i, :L, 2]):
        events.axvline(h + 0.5, color="tab:green", lw=1.5, ls=":", label="antibiotic")
    note_t = stays.notes.time[stays.notes.patient == i].to_numpy()
    axes[len(PANELS) - 1].plot(note_t, np.full(len(note_t), axes[len(PANELS) - 1].get_ylim()[0]), "|",
                               color="tab:brown", ms=12, label="nursing note")
    for ax in axes:
        if np.isfinite(stays.onset[i]):
            ax.axvline(stays.onset[i], color="tab:red", lw=1.5)
            ax.axvspan(stays.onset[i] - 6, stays.onset[i], color="tab:red", alpha=0.06)
        if np.isfinite(stays.suspicion[i]):
            ax.axvline(stays.suspicion[i], color="tab:green", lw=1, ls="--")
    if scores:
        ax = axes[-1]
        for name, p in scores.items():
            ax.plot(np.arange(L) + 1, p[i, :L], lw=1.5, label=name)
        if threshold is not None:
            ax.axhline(threshold, color="k", lw=1, ls="--", label="alarm cut-off")
            key = score_name or next(iter(scores))
            fired = np.flatnonzero(alarm_onsets(scores[key][i:i + 1, :L], threshold)[0])  # re-alarms every 4 h
            ax.plot(fired + 1, np.full(len(fired), threshold), "v", color="tab:red", ms=6, label="alarm")
        ax.set_ylabel("risk", fontsize=8)
        ax.legend(fontsize=7, loc="upper left", ncol=4)
    onset = f"sepsis onset at h {stays.onset[i]:.0f} (red; shaded: the 6 h labelled positive)" \
        if np.isfinite(stays.onset[i]) else "no sepsis"
    work = f", work-up at h {stays.suspicion[i]:.1f} (green dashed)" if np.isfinite(stays.suspicion[i]) else ""
    axes[0].set_title(f"Patient {i}: {onset}{work}", fontsize=9, loc="left")
    axes[0].legend(fontsize=7, loc="lower left", ncol=3)
    axes[-1].set_xlabel("hours since admission")
    fig.tight_layout()
    return fig


def plot_rhythm_and_gaps(stays) -> plt.Figure:
    """Left: circadian rhythm of heart rate and temperature (non-septic); right: how often each vital is charted (notebook 08)."""
    H = stays.hours
    clock = np.floor((stays.admit_clock[:, None] + np.arange(H)) % 24).astype(int)
    calm = ~np.isfinite(stays.onset)[:, None] & stays.valid()
    rows = []
    for name in ("heart_rate", "temperature"):
        v = stays.vitals[..., VITALS.index(name)]
        keep = calm & ~np.isnan(v)
        own = np.where(keep, v, 0).sum(1, keepdims=True) / np.maximum(keep.sum(1, keepdims=True), 1)
        z = (v - own)[keep]
        rows.append(pd.DataFrame({"clock hour": clock[keep], "deviation from own mean (z)": z / np.nanstd(z),
                                  "vital": name}))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.3))
    sns.lineplot(pd.concat(rows), x="clock hour", y="deviation from own mean (z)", hue="vital",
                 errorbar=("ci", 95), ax=axes[0])
    axes[0].set_title("Circadian rhythm (non-septic patients, 95% CI)", fontsize=9)
    charted = (~np.isnan(stays.vitals))[stays.valid()].mean(0)
    frame = pd.DataFrame({"vital": list(VITALS), "share of hours charted": charted})
    sns.barplot(frame, y="vital", x="share of hours charted", color="tab:blue", ax=axes[1])
    axes[1].set_title("How often each channel is charted", fontsize=9)
    fig.tight_layout()
    return fig


def plot_lead_times(leads: dict[str, np.ndarray]) -> plt.Figure:
    """Hours from first alarm to onset per septic patient, per score (missed patients left out) (notebook 08)."""
    frame = pd.concat([pd.DataFrame({"score": k, "lead time (h)": v[np.isfinite(v)]}) for k, v in leads.items()])
    fig, ax = plt.subplots(figsize=(7, 1.0 + 0.7 * len(leads)))
    sns.boxplot(frame, x="lead time (h)", y="score", color="0.85", ax=ax, showfliers=False)
    sns.stripplot(frame, x="lead time (h)", y="score", size=3, alpha=0.5, ax=ax)
    ax.axvline(0, color="tab:red", lw=1)
    ax.set_title("First alarm before onset (right of the red line = early)", fontsize=9)
    fig.tight_layout()
    return fig


def plot_auroc_with_ci(table: pd.DataFrame, baseline: str | None = None) -> plt.Figure:
    """Hourly AUROC with patient-bootstrap 95% CIs, one bar per score (notebook 08)."""
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(table)))
    y = np.arange(len(table))
    ax.errorbar(table["AUROC"], y, xerr=[table["AUROC"] - table["low"], table["high"] - table["AUROC"]],
                fmt="o", color="k", capsize=3)
    ax.set_yticks(y, table.index)
    if baseline is not None:
        ax.axvline(table.loc[baseline, "AUROC"], color="tab:red", lw=1, ls="--", label=baseline)
        ax.legend(fontsize=8)
    ax.set_xlabel("hourly AUROC (95% CI, patients resampled)")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig
