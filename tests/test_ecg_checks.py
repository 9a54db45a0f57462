"""Notebook 05's checkers: accept right answers, explain the usual wrong ones."""

import numpy as np
import pytest
from scipy import signal

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_bandpass,
    check_limb_leads,
    check_rr_irregularity,
)
from course_lib.synth.ecg import simulate_ecg

FS = 500


@pytest.fixture(scope="module")
def record():
    return simulate_ecg(["sinus"], [70], noise=[0.8], fs=FS, seed=0).signals[0].astype(float)


def good_bandpass(x, fs, low, high):
    sos = signal.butter(4, [low, high], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x, axis=0)


def test_bandpass_right_answer(record, capsys):
    check_bandpass(good_bandpass, record, FS)
    assert "correct" in capsys.readouterr().out


def test_bandpass_filtfilt_ba_is_accepted(record):
    def ba(x, fs, low, high):
        b, a = signal.butter(4, [low, high], btype="bandpass", fs=fs)
        return signal.filtfilt(b, a, x, axis=0)
    check_bandpass(ba, record, FS)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, fs, lo, hi: signal.sosfilt(
        signal.butter(4, [lo, hi], "bandpass", fs=fs, output="sos"), x, axis=0), "one direction"),
    (lambda x, fs, lo, hi: signal.sosfiltfilt(
        signal.butter(4, [lo / fs, hi / fs], "bandpass", output="sos"), x, axis=0), "divided them by fs"),
    (lambda x, fs, lo, hi: signal.sosfiltfilt(
        signal.butter(4, hi, "lowpass", fs=fs, output="sos"), x, axis=0), "baseline wander"),
    (lambda x, fs, lo, hi: good_bandpass(x, fs, lo, hi).T, "shape"),
    (lambda x, fs, lo, hi: (_ for _ in ()).throw(ValueError("Digital filter critical frequencies "
                                                            "must be 0 < Wn < 1")), "raised"),
])
def test_bandpass_wrong_answers_explained(record, wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_bandpass(wrong, record, FS)


def test_bandpass_not_done(record):
    def todo(x, fs, low, high):
        raise NotImplementedError()
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_bandpass(todo, record, FS)


def good_limb(i, ii):
    return {"III": ii - i, "aVR": -(i + ii) / 2, "aVL": i - ii / 2, "aVF": ii - i / 2}


def test_limb_right_answer(record, capsys):
    check_limb_leads(good_limb, record[:, 0], record[:, 1])
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(("change", "hint"), [
    ({"III": lambda i, ii: i - ii}, "sign"),
    ({"aVR": lambda i, ii: -(i + ii)}, "factor 2"),
    ({"aVL": lambda i, ii: ii - i / 2, "aVF": lambda i, ii: i - ii / 2}, "swapped"),
    ({"aVF": lambda i, ii: ii + i}, "Goldberger"),
])
def test_limb_wrong_answers_explained(record, change, hint):
    def wrong(i, ii):
        out = good_limb(i, ii)
        out.update({k: f(i, ii) for k, f in change.items()})
        return out
    with pytest.raises(ExerciseError, match=hint):
        check_limb_leads(wrong, record[:, 0], record[:, 1])


def test_limb_wrong_type(record):
    with pytest.raises(ExerciseError, match="dict"):
        check_limb_leads(lambda i, ii: np.stack([i, ii]), record[:, 0], record[:, 1])


def good_rr(peaks, fs):
    rr = np.diff(peaks) / fs
    return np.sqrt(np.mean(np.diff(rr) ** 2)) / rr.mean()


def test_rr_right_answer(capsys):
    check_rr_irregularity(good_rr)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda p, fs: np.std(np.diff(p)) / np.mean(np.diff(p)), "SUCCESSIVE"),
    (lambda p, fs: np.sqrt(np.mean(np.diff(np.diff(p) / fs) ** 2)), "without dividing"),
    (lambda p, fs: np.diff(p), "one number"),
    (lambda p, fs: 0.1, "expected"),
])
def test_rr_wrong_answers_explained(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_rr_irregularity(wrong)
