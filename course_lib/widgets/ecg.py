"""Widgets of notebook 05: a 12-lead ECG simulator and a band-pass filter explorer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.preprocess.ecg import bandpass, notch
from course_lib.synth.ecg import LEADS, RHYTHMS, TERRITORIES, simulate_ecg
from course_lib.viz.ecg import plot_ecg_12lead


def render_ecg(rhythm: str = "sinus", territory: str = "", heart_rate: float = 75,
               noise: float = 0.3, st_depression: bool = False, seed: int = 0) -> plt.Figure:
    """One synthetic 12-lead ECG on ECG paper (notebook 05)."""
    batch = simulate_ecg([rhythm], [heart_rate], [territory], [st_depression], [noise], fs=500, seed=seed)
    what = rhythm + (f", {territory} STEMI" if territory else "") + (", ST depression (NSTE-ACS)" if st_depression else "")
    return plot_ecg_12lead(batch.signals[0], batch.fs, list(LEADS),
                           title=f"Synthetic: {what}, {batch.heart_rate[0]:.0f} bpm, noise {noise:.1f}")


def render_filter(lead: np.ndarray, fs: float, low: float, high: float,
                  seconds: float = 4.0, mains_hz: float | None = None) -> plt.Figure:
    """A lead before and after a zero-phase band-pass (and a mains notch), what they removed, the spectra (notebook 05)."""
    kept = bandpass(notch(lead, fs, mains_hz) if mains_hz else lead, fs, low, high)
    n = int(seconds * fs)
    t = np.arange(n) / fs
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [2, 1]})
    axes[0].plot(t, lead[:n], color="0.6", lw=0.8, label="recorded")
    notch_label = f" + notch {mains_hz:g} Hz" if mains_hz else ""
    axes[0].plot(t, kept[:n], color="k", lw=0.9, label=f"band-pass {low:g}-{high:g} Hz{notch_label}")
    axes[0].plot(t, (lead - kept)[:n] - 1.5, color="tab:red", lw=0.8, label="removed (offset -1.5)")
    axes[0].set(xlabel="time (s)", ylabel="mV")
    axes[0].legend(loc="upper right", fontsize=8)
    freqs = np.fft.rfftfreq(len(lead), 1 / fs)
    for x, color, name in [(lead, "0.6", "recorded"), (kept, "k", "filtered")]:
        axes[1].semilogy(freqs, np.abs(np.fft.rfft(x)) + 1e-6, color=color, lw=0.7, label=name)
    axes[1].axvspan(low, high, color="tab:green", alpha=0.1, label="pass band")
    axes[1].set(xlabel="frequency (Hz)", ylabel="|FFT|", xlim=(0, min(fs / 2, 100)))
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def ecg_widget():
    """Pick rhythm, STEMI territory, heart rate and noise; see the 12 leads (notebook 05)."""
    import ipywidgets as w

    controls = {
        "rhythm": w.Dropdown(options=list(RHYTHMS), value="sinus", description="rhythm"),
        "territory": w.Dropdown(options=[("none", ""), *[(t, t) for t in TERRITORIES]], value="",
                                description="STEMI"),
        "st_depression": w.Checkbox(value=False, description="ST depression"),
        "heart_rate": w.IntSlider(value=75, min=40, max=240, step=5, description="rate (bpm)"),
        "noise": w.FloatSlider(value=0.3, min=0, max=1.5, step=0.1, description="noise"),
    }
    out = w.interactive_output(lambda **kw: (render_ecg(**kw), plt.show()), controls)
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox(list(controls.values())[3:]), out])


def filter_widget(lead: np.ndarray, fs: float):
    """Sliders for the band-pass cut-offs over render_filter (notebook 05)."""
    import ipywidgets as w

    low = w.FloatSlider(value=0.5, min=0.05, max=5, step=0.05, description="low (Hz)")
    high = w.FloatSlider(value=40, min=5, max=min(150, fs / 2 - 1), step=1, description="high (Hz)")
    mains = w.Dropdown(options=[("no notch", 0.0), ("60 Hz (Korea, Americas)", 60.0), ("50 Hz (Europe)", 50.0)],
                       value=60.0, description="mains")
    out = w.interactive_output(
        lambda low, high, mains: (render_filter(lead, fs, low, high, mains_hz=mains or None), plt.show()),
        {"low": low, "high": high, "mains": mains})
    return w.VBox([w.HBox([low, high, mains]), out])
