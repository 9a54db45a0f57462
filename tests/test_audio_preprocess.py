"""Notebook 06's preprocessing equals librosa where librosa has it; detectors find planted events."""

import librosa
import numpy as np
import pytest
import torch

from course_lib.preprocess import audio


@pytest.fixture(scope="module")
def wave():
    return np.random.default_rng(0).standard_normal(8000).astype(np.float32)


def test_stft_power_matches_librosa(wave):
    ours = audio.stft_power(wave, 256, 64)
    ref = np.abs(librosa.stft(wave, n_fft=256, hop_length=64)) ** 2
    assert ours.shape == ref.shape and np.allclose(ours, ref, rtol=1e-3, atol=1e-3)
    assert audio.stft_power(np.stack([wave, wave]), 256, 64).shape == (2, *ref.shape)


def test_log_mel_mfcc_hpss_match_librosa(wave):
    power = audio.stft_power(wave, 256, 64).astype(np.float64)
    mel = librosa.feature.melspectrogram(S=power, sr=4000, n_fft=256, n_mels=32, fmin=50)
    assert np.allclose(audio.log_mel(power, 4000, 32), librosa.power_to_db(mel, top_db=80), atol=1e-6)
    db = audio.log_mel(power, 4000, 32)
    assert np.allclose(audio.mfcc(db, 13), librosa.feature.mfcc(S=db, n_mfcc=13), atol=1e-6)
    h, p = audio.hpss(np.sqrt(power), kernel_size=17)
    h_ref, p_ref = librosa.decompose.hpss(np.sqrt(power), kernel_size=17)
    assert np.allclose(h, h_ref, atol=1e-6) and np.allclose(p, p_ref, atol=1e-6)


def test_detectors_find_planted_events():
    fs = 4000
    rng = np.random.default_rng(1)
    x = 0.05 * rng.standard_normal(4 * fs)
    clicks = np.array([4000, 6000, 9000, 12000])
    t = np.arange(100) / fs
    for c in clicks:
        x[c:c + 100] += 2 * np.sin(2 * np.pi * 600 * t) * np.exp(-t / 0.002)
    found = audio.detect_crackles(x, fs)
    assert audio.score_events(found, clicks, fs, 0.02)["f1"] == 1.0
    tone = np.zeros_like(x)
    tone[2000:4000] = 0.5 * np.sin(2 * np.pi * 400 * np.arange(2000) / fs)
    iv = audio.detect_wheezes(x + tone, fs)
    assert audio.interval_f1(iv, [(2000, 4000)], len(x))["f1"] > 0.8


def test_icbhi_score_and_errors():
    cm = np.array([[8, 2, 0, 0], [1, 3, 1, 0], [0, 0, 4, 1], [0, 0, 0, 0]])
    s = audio.icbhi_score(cm)
    assert s["specificity"] == 0.8 and np.isclose(s["sensitivity"], 0.7) and np.isclose(s["score"], 0.75)
    with pytest.raises(ValueError, match="4x4"):
        audio.icbhi_score(np.eye(3))
    with pytest.raises(ValueError, match="low < high"):
        audio.bandpass(np.zeros(100), 4000, 100, 3000)


def test_windows_features_augment():
    audio_ = np.arange(2 * 12000, dtype=np.float32).reshape(2, 12000)
    w, rec = audio.cycle_windows(audio_, [np.array([[0, 4000]]), np.array([[100, 12000]])], 4000, 2.0)
    assert w.shape == (2, 8000) and list(rec) == [0, 1] and w[0, 4000:].sum() == 0
    X = audio.features(np.random.default_rng(0).standard_normal((3, 12000)).astype(np.float32), 4000)
    assert X.shape == (3, 1, 32, 94) and torch.allclose(X.mean(dim=(1, 2, 3)), torch.zeros(3), atol=1e-4)
    a = audio.spec_augment(X, eq_db=2.0, generator=torch.Generator().manual_seed(0))
    b = audio.spec_augment(X, eq_db=2.0, generator=torch.Generator().manual_seed(0))
    assert a.shape == X.shape and torch.equal(a, b) and not torch.equal(a, X)
