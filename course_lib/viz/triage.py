"""Figures of the ER triage case study: the patient card, levels, the waiting-room simulation (notebook 15)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course_lib.explain.attention import upsample_map
from course_lib.synth.ed_flow import HOURLY_PATTERN

LEAD_NAMES = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


def plot_patient_card(patient: dict, card, fig=None):
    """The dashboard card: film with the model's saliency, ECG strip (II, V2), vitals trend, the suggestion (notebook 15)."""
    fig = fig or plt.figure(figsize=(12, 5.6))
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1.4, 1.4], height_ratios=[1, 1])
    ax = fig.add_subplot(grid[:, 0])
    if patient.get("image") is not None:
        ax.imshow(patient["image"], cmap="gray")
        if card.saliency is not None:
            sal = upsample_map(card.saliency[None], patient["image"].shape[0])[0]
            ax.imshow(sal / (sal.max() + 1e-9), cmap="inferno", alpha=0.35)
        ax.set_title("chest film + saliency of P(critical)", fontsize=9)
    else:
        ax.text(0.5, 0.5, "no film yet", ha="center", va="center")
        ax.set_title("chest film", fontsize=9)
    ax.axis("off")
    ax = fig.add_subplot(grid[0, 1])
    ecg = np.asarray(patient["ecg"])
    t = np.arange(len(ecg)) / 100.0
    for k, lead in enumerate(("II", "V2")):
        ax.plot(t, ecg[:, LEAD_NAMES.index(lead)] - 2.0 * k, lw=0.8, label=lead)
    ax.set(xlabel="s", yticks=[0, -2], yticklabels=["II", "V2"], title="ECG strip (mV, offset)")
    ax = fig.add_subplot(grid[1, 1])
    times, series = patient.get("vitals_times"), patient.get("vitals_series")
    if times is not None and len(times) > 1:
        ax.plot(times, series[:, 0], "o-", ms=3, label="HR /min")
        ax.plot(times, series[:, 1], "s-", ms=3, label="SBP mmHg")
        ax.legend(fontsize=8)
        ax.set(xlabel="hours since arrival", title="vitals trend over the stay")
    else:
        ax.bar(["HR", "SBP", "RR", "SpO2"], np.asarray(patient["vitals"])[[0, 1, 3, 4]])
        ax.set_title("triage vitals")
    ax = fig.add_subplot(grid[:, 2])
    ax.axis("off")
    ax.text(0, 1, f"Complaint: {patient['complaint']}\n\n" + card.text(), va="top", fontsize=8, wrap=True,
            family="monospace")
    fig.tight_layout()
    return fig


def plot_level_agreement(true_esi, levels: dict[str, np.ndarray], axes=None):
    """Heat maps of true ESI (rows) against each method's level (columns), as counts (notebook 15)."""
    axes = axes if axes is not None else plt.subplots(1, len(levels), figsize=(4.2 * len(levels), 3.4))[1]
    for ax, (name, lv) in zip(np.atleast_1d(axes), levels.items(), strict=True):
        table = pd.crosstab(pd.Series(true_esi, name="true ESI"), pd.Series(lv, name=f"{name} level"))
        table = table.reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)
        sns.heatmap(table, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
        ax.set_title(name, fontsize=10)
    return axes


def plot_arrivals(days: pd.DataFrame, ax=None):
    """Simulated arrivals per hour of the day against the pattern they were drawn from (notebook 15)."""
    ax = ax or plt.gca()
    one_arm = days[days["arm"] == days["arm"].iloc[0]]
    per_hour = one_arm.groupby((one_arm["arrival"] // 60).astype(int)).size() / one_arm["day"].nunique()
    ax.bar(per_hour.index, per_hour.to_numpy(), color="lightsteelblue", label="simulated (mean per day)")
    ax.plot(np.arange(24), HOURLY_PATTERN * per_hour.sum() / 24, "k-", label="pattern")
    ax.set(xlabel="hour of day", ylabel="arrivals", title="A day of arrivals")
    ax.legend(fontsize=8)
    return ax


def plot_door_to_doctor(days: pd.DataFrame, ax=None):
    """Door-to-doctor minutes of critical patients by arm and by whether the arm under-triaged them (notebook 15)."""
    ax = ax or plt.gca()
    crit = days[days["critical"]].assign(triaged=lambda d: np.where(d["level"] <= 2, "ESI 1-2", "ESI 3-5 (under-triaged)"))
    sns.boxplot(data=crit, x="arm", y="door_to_doctor", hue="triaged", showfliers=False, ax=ax)
    ax.set(ylabel="door-to-doctor (min)", xlabel="", title="Critical patients: time to a doctor")
    return ax


def plot_risk_calibration(critical, p_critical, ax=None):
    """Observed share of critical patients at each risk score 1-10 against the score's probability band (notebook 15)."""
    from course_lib.models.triage import risk_score

    ax = ax or plt.gca()
    risk = risk_score(p_critical)
    table = pd.DataFrame({"risk": risk, "critical": np.asarray(critical, bool)}).groupby("risk")["critical"].agg(
        ["mean", "size"]).reindex(range(1, 11))
    ax.bar(table.index - 0.5, 0.1, bottom=(table.index - 1) / 10, width=0.9, color="lightgrey",
           label="band the score promises", align="center")
    ax.plot(table.index - 0.5, table["mean"], "o", color="tab:red", label="observed share critical")
    for k, row in table.dropna().iterrows():
        ax.annotate(f"n={int(row['size'])}", (k - 0.5, row["mean"]), fontsize=7, xytext=(0, 6),
                    textcoords="offset points", ha="center")
    ax.set(xticks=np.arange(10) + 0.5, xticklabels=range(1, 11), xlabel="risk score", ylabel="P(critical)",
           ylim=(0, 1.05), title="Does risk k mean P in ((k-1)/10, k/10]?")
    ax.legend(fontsize=8, loc="upper left")
    return ax
