"""Notebook 17's wearable section: heartpy's bundled real PPG, rates by two libraries, simulated ECG/PPG."""

import numpy as np
import pytest

from course_lib.datasets.deploy import load_heartpy_ppg
from course_lib.preprocess.deploy import add_motion_artefact, ecg_ppg_pair, ecg_rate, ppg_rates


def test_bundled_ppg_and_two_libraries_agree():
    ppg, fs = load_heartpy_ppg("data.csv")
    assert fs == 100.0 and len(ppg) > 2000
    rates = ppg_rates(ppg, fs)
    assert abs(rates["heartpy"]["heart rate (bpm)"] - rates["neurokit2"]["heart rate (bpm)"]) < 2
    moved = ppg_rates(add_motion_artefact(ppg, fs, seed=0), fs)
    assert abs(moved["heartpy"]["RMSSD (ms)"] - rates["heartpy"]["RMSSD (ms)"]) > 10
    with pytest.raises(ValueError, match="unknown heartpy file"):
        load_heartpy_ppg("nope.csv")


def test_second_bundled_file_has_a_timer():
    ppg, fs = load_heartpy_ppg("data2.csv")
    assert 50 < fs < 200 and np.isfinite(ppg).all()


def test_simulated_ecg_rate():
    ecg, ppg, fs = ecg_ppg_pair(heart_rate=80, duration=20, seed=1)
    assert abs(ecg_rate(ecg, fs) - 80) < 3
