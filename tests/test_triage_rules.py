"""Notebook 15's triage rules: ESI decision points, KTAS modifiers, complaint words, ST measurement."""

import numpy as np
import pytest

from course_lib.models.triage import ecg_inputs
from course_lib.preprocess.triage import (
    complaint_flags,
    danger_zone_count,
    decision_point_a,
    ktas_vitals_level,
    nurse_esi,
    nurse_resources,
    sirs_vitals,
    st_deviation,
    territory_st,
)
from course_lib.synth.ecg import LEADS, simulate_ecg

NORMAL = [80, 125, 80, 16, 98, 36.8]


def test_decision_point_a_and_danger_zone():
    rows = np.array([NORMAL, [80, 75, 40, 16, 98, 37], [80, 125, 80, 38, 98, 37], [190, 125, 80, 16, 98, 37],
                     [80, 125, 80, 16, 84, 37]], float)
    assert decision_point_a(rows).tolist() == [False, True, True, True, True]
    assert danger_zone_count(np.array([[101, 120, 80, 21, 91, 37]])).tolist() == [3]
    assert danger_zone_count(np.array([[100, 120, 80, 20, 92, 37]])).tolist() == [0]  # the limits are strict
    assert sirs_vitals(np.array([[91, 120, 80, 21, 97, 38.1]])).tolist() == [3]


def test_complaint_words_and_resources():
    notes = ["Central CP rad to L arm.", "SOB, wheezy.", "twisted ankle", "itchy rash", "acute confusion"]
    flags = complaint_flags(notes)
    assert flags["chest_pain"].tolist() == [True, False, False, False, False]
    assert flags["dyspnoea"].tolist() == [False, True, False, False, False]
    assert nurse_resources(notes).tolist() == [2, 2, 1, 0, 2]


def test_nurse_esi_follows_the_decision_points():
    vitals = np.array([NORMAL, [80, 75, 40, 16, 98, 37], NORMAL, NORMAL, [112, 125, 80, 24, 96, 38.5], NORMAL], float)
    notes = ["chest pain", "abdo pain", "chest pain", "itchy rash", "cough and fever", "twisted ankle"]
    ages = [55, 40, 25, 30, 70, 30]
    assert nurse_esi(vitals, notes, ages).tolist() == [2, 1, 3, 5, 2, 4]


def test_ktas_reference_on_its_cut_offs():
    assert ktas_vitals_level(NORMAL) == 5
    assert ktas_vitals_level([80, 125, 80, 16, 89.9, 37]) == 1
    assert ktas_vitals_level([80, 125, 80, 16, 90, 37]) == 2
    assert ktas_vitals_level([80, 125, 80, 16, 94, 37]) == 3
    assert ktas_vitals_level([80, 125, 80, 16, 95, 38.0]) == 3
    with pytest.raises(ValueError, match="6 numbers"):
        ktas_vitals_level([80, 125])


def test_st_deviation_sees_the_infarct_territory():
    batch = simulate_ecg(["sinus", "sinus", "sinus"], 75, ["", "anterior", "inferior"], None, 0.1, fs=100,
                         duration=5.0, seed=3)
    st = st_deviation(ecg_inputs(batch.signals).numpy().transpose(0, 2, 1), 100)  # (3, 12) mV
    v2, avf = LEADS.index("V2"), LEADS.index("aVF")
    assert abs(st[0]).max() < 0.1  # a normal ECG: no lead beyond 1 mm
    assert st[1, v2] > 0.1 and st[2, avf] > 0.05
    walls = territory_st(st)  # inferior, anterior, lateral, max (mm)
    assert walls.shape == (3, 4) and walls[1].argmax() == 1 and walls[2, :3].argmax() == 0
    with pytest.raises(ValueError, match="12"):
        st_deviation(np.zeros((2, 500, 3)))
