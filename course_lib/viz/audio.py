"""Figures of notebook 06: a lung sound with its truth, spectrograms at several windows, devices."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.preprocess.audio import log_mel, stft_power
from course_lib.synth.audio import DEVICES


def plot_lung_sound(x: np.ndarray, fs: int, truth: dict | None = None, title: str = "",
                    n_fft: int = 256, hop: int = 32, axes=None) -> plt.Figure:
    """Waveform with the true events, and its log-mel spectrogram (librosa's specshow) (notebook 06).

    truth: optional dict of sample indices: "cycles" (k, 2), "inspiration_end" (k,), "crackles",
    "wheezes" (m, 2), "rubs" (m, 2).
    """
    import librosa.display

    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(11, 4.6), sharex=True,
                                 gridspec_kw={"height_ratios": [1, 1.3]})
    fig = axes[0].figure
    t = np.arange(len(x)) / fs
    axes[0].plot(t, x, color="k", lw=0.4)
    truth = truth or {}
    for (a, _end), e in zip(truth.get("cycles", []), truth.get("inspiration_end", []), strict=False):
        axes[0].axvspan(a / fs, e / fs, color="tab:blue", alpha=0.08)  # inspiration
        axes[0].axvline(a / fs, color="tab:blue", lw=0.8)
    for c in truth.get("crackles", []):
        axes[0].axvline(c / fs, color="tab:red", lw=0.6, alpha=0.7)
    for a, b in truth.get("wheezes", []):
        axes[0].axvspan(a / fs, b / fs, color="tab:green", alpha=0.25)
    for a, b in truth.get("rubs", []):
        axes[0].axvspan(a / fs, b / fs, color="tab:purple", alpha=0.25)
    axes[0].set(ylabel="amplitude", title=title or "blue: inspiration; red: crackles; green: wheezes; "
                "purple: pleural rub")
    db = log_mel(stft_power(x, n_fft, hop), fs, n_mels=48, fmin=50)
    librosa.display.specshow(db, sr=fs, hop_length=hop, x_axis="time", y_axis="mel", fmin=50,
                             fmax=fs / 2, ax=axes[1], cmap="magma")
    axes[1].set(xlabel="time (s)", ylabel="Hz (mel scale)")
    fig.tight_layout()
    return fig


def plot_window_tradeoff(x: np.ndarray, fs: int, windows=(32, 128, 512), t_range=None) -> plt.Figure:
    """The same sound through short and long STFT windows: time vs frequency resolution (notebook 06)."""
    fig, axes = plt.subplots(1, len(windows), figsize=(4 * len(windows), 3.2), sharey=True)
    for ax, n_fft in zip(np.atleast_1d(axes), windows, strict=True):
        hop = max(1, n_fft // 4)
        db = 10 * np.log10(stft_power(x, n_fft, hop) + 1e-10)
        extent = [0, len(x) / fs, 0, fs / 2]
        ax.imshow(db, origin="lower", aspect="auto", extent=extent, cmap="magma",
                  vmin=db.max() - 60, vmax=db.max())
        ax.set(title=f"window {n_fft} samples = {1000 * n_fft / fs:.0f} ms\n"
                     f"bins {fs / n_fft:.0f} Hz apart", xlabel="time (s)")
        if t_range:
            ax.set_xlim(*t_range)
    np.atleast_1d(axes)[0].set_ylabel("Hz")
    fig.tight_layout()
    return fig


def plot_devices(fs: int = 4000) -> plt.Figure:
    """Frequency responses of the synthetic stethoscopes (notebook 06)."""
    freqs = np.linspace(10, fs / 2, 400)
    fig, ax = plt.subplots(figsize=(5.5, 3))
    for name, device in DEVICES.items():
        ax.semilogx(freqs, 20 * np.log10(device.response(freqs)), label=name)
    ax.set(xlabel="Hz", ylabel="gain (dB)", ylim=(-50, 5), title="Stethoscope frequency responses")
    ax.legend()
    fig.tight_layout()
    return fig
