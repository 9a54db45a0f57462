"""Notebook 05's models, training loop and preprocessing helpers."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from course_lib.models.ecg import ECG_MODELS
from course_lib.preprocess import ecg
from course_lib.synth.ecg import simulate_ecg
from course_lib.training.loop import count_parameters, fit, predict
from course_lib.widgets.ecg import render_ecg, render_filter


@pytest.mark.parametrize("name", list(ECG_MODELS))
def test_forward_shapes(name):
    torch.manual_seed(0)
    model = ECG_MODELS[name]()
    X = torch.randn(3, 12, 1000)  # (B, 12, T) at 100 Hz
    assert model(X).shape == (3, 5)
    assert 5_000 < count_parameters(model) < 200_000


def test_fit_and_predict_learn_something():
    torch.manual_seed(0)
    X = torch.randn(64, 12, 1000)
    y = (X[:, 0].mean(1, keepdim=True) > 0).float().repeat(1, 5)
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
    model = ECG_MODELS["1D CNN"]()
    history = fit(model, loader, num_epochs=3, lr=3e-3, progress=False)
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]
    probs = predict(model, DataLoader(TensorDataset(X), batch_size=32))
    assert probs.shape == (64, 5) and probs.min() >= 0 and probs.max() <= 1


def test_bandpass_is_zero_phase_and_removes_wander():
    fs = 500
    b = simulate_ecg(["sinus"], [70], noise=[0.0], fs=fs, seed=1)
    clean = b.signals[0, :, 1].astype(float)
    t = np.arange(len(clean)) / fs
    wander = 0.5 * np.sin(2 * np.pi * 0.2 * t)
    out = ecg.bandpass(clean + wander, fs, 0.5, 40)
    lag = np.argmax(np.correlate(out, clean, "full")) - (len(clean) - 1)
    assert lag == 0, "zero phase: the QRS stays in place"
    assert np.abs(out - ecg.bandpass(clean, fs, 0.5, 40))[500:-500].max() < 0.05  # 0.2 Hz gone


def test_notch_removes_mains():
    fs = 500
    t = np.arange(5000) / fs
    hum_korea, hum_europe = (0.2 * np.sin(2 * np.pi * f * t) for f in (60, 50))
    assert np.abs(ecg.notch(hum_korea, fs)[500:-500]).max() < 0.02  # 60 Hz is the default
    assert np.abs(ecg.notch(hum_europe, fs, ecg.MAINS_HZ["Europe"])[500:-500]).max() < 0.02
    assert np.abs(ecg.notch(hum_europe, fs)[500:-500]).max() > 0.1  # the wrong notch leaves the hum


def test_baseline_and_normalise():
    fs = 100
    b = simulate_ecg(["sinus"], [70], noise=[1.0], fs=fs, seed=2)
    x = b.signals[0].astype(float) + 1.0  # an offset
    flat = ecg.remove_baseline(x, fs)
    assert abs(np.median(flat)) < 0.05
    z = ecg.normalise(x)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-6)
    m = ecg.normalise(x, "minmax")
    assert m.min() >= 0 and m.max() <= 1
    with pytest.raises(ValueError):
        ecg.normalise(x, "robust")


def test_r_peak_detection_and_scoring():
    fs = 500
    b = simulate_ecg(["sinus", "AF"], [70, 110], noise=[0.3, 0.3], fs=fs, seed=3)
    for i in range(2):
        for method in ["xqrs", "neurokit"]:
            found = ecg.detect_r_peaks(b.signals[i, :, 1], fs, method)
            score = ecg.score_r_peaks(found, b.r_peaks[i], fs, 5000)
            assert score["f1"] > 0.95, (i, method, score)
    perfect = ecg.score_r_peaks(b.r_peaks[0], b.r_peaks[0], fs, 5000)
    assert perfect["f1"] == 1 and perfect["fp"] == 0
    shifted = ecg.score_r_peaks(b.r_peaks[0] + int(0.2 * fs), b.r_peaks[0], fs, 5000)
    assert shifted["f1"] < 0.2, "150 ms tolerance"


def test_hrv_summary():
    peaks = np.arange(0, 5000, 500)  # exactly 60 bpm at 500 Hz
    hrv = ecg.hrv_summary(peaks, 500)
    assert hrv["heart_rate_bpm"] == pytest.approx(60)
    assert hrv["rmssd_ms"] == pytest.approx(0) and hrv["rr_irregularity"] == pytest.approx(0)


def test_widget_functions_draw():
    import matplotlib.pyplot as plt

    fig = render_ecg("AF", "", 110, 0.5)
    assert len(fig.axes) == 13
    plt.close(fig)
    b = simulate_ecg(["sinus"], [70], noise=[1.0], fs=500, seed=0)
    fig = render_filter(b.signals[0, :, 1], 500, 0.5, 40, mains_hz=60)
    assert len(fig.axes) == 2
    plt.close(fig)
