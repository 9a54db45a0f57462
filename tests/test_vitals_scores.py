"""Notebook 08: NEWS2 and qSOFA from their published tables, forward fill, time alignment."""

import numpy as np
import pytest

from course_lib.preprocess.vitals import (
    align_events,
    locf_mask_delta,
    news2,
    news2_components,
    news2_risk,
    qsofa,
    spo2_scale2_points,
)


def score(hr, sbp, rr, spo2, temp, o2=0, confused=0, scale2=False):
    return int(news2([hr], [sbp], [rr], [spo2], [temp], [o2], [confused], scale2=scale2)[0])


def test_news2_worked_examples():
    # Hand-worked from RCP 2017 Chart 1: RR 24 -> 2, SpO2 93 -> 2, air -> 0, SBP 100 -> 2,
    # pulse 115 -> 2, alert -> 0, 38.5 C -> 1: total 9 (high risk, >= 7).
    assert score(115, 100, 24, 93, 38.5) == 9
    # Every parameter at its worst edge: RR 8 (3), SpO2 91 (3), oxygen (2), SBP 220 (3),
    # pulse 40 (3), confused (3), 35.0 C (3) = 20, the maximum.
    assert score(40, 220, 8, 91, 35.0, o2=1, confused=1) == 20
    assert score(70, 120, 16, 97, 37.0) == 0
    # Pulse 131 -> 3, temperature 39.1 -> 2, RR 25 -> 3: 8
    assert score(131, 150, 25, 96, 39.1) == 8


@pytest.mark.parametrize(("name", "value", "points"), [
    ("resp_rate", 9, 1), ("resp_rate", 11, 1), ("resp_rate", 12, 0), ("resp_rate", 20, 0), ("resp_rate", 21, 2),
    ("resp_rate", 25, 3), ("sbp", 90, 3), ("sbp", 91, 2), ("sbp", 101, 1), ("sbp", 111, 0), ("sbp", 219, 0),
    ("heart_rate", 41, 1), ("heart_rate", 51, 0), ("heart_rate", 90, 0), ("heart_rate", 91, 1),
    ("heart_rate", 111, 2), ("temperature", 35.1, 1), ("temperature", 36.0, 1), ("temperature", 36.1, 0),
    ("temperature", 38.0, 0), ("temperature", 38.1, 1), ("temperature", 39.0, 1),
])
def test_news2_band_edges(name, value, points):
    row = {"heart_rate": [70], "sbp": [120], "resp_rate": [16], "spo2": [97], "temperature": [37.0],
           "on_oxygen": [0], "confused": [0], name: [value]}
    assert int(news2_components(**row)[name][0]) == points


def test_spo2_scale2_table():
    spo2 = np.array([83, 84, 85, 86, 87, 88, 92, 93, 94, 95, 96, 97, 99])
    on_air = spo2_scale2_points(spo2, np.zeros(13))
    on_o2 = spo2_scale2_points(spo2, np.ones(13))
    assert on_air.tolist() == [3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert on_o2.tolist() == [3, 2, 2, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3]
    # COPD patient at 89% on air scores 0 on scale 2 but 3 on scale 1
    assert score(80, 130, 18, 89, 37.0, scale2=True) == 0 and score(80, 130, 18, 89, 37.0) == 3


def test_news2_risk_bands_and_nan():
    comps = news2_components([70, 70, 70, 120], [120, 85, 120, 80], [16, 16, 16, 30], [97] * 4, [37.0] * 4,
                             [0] * 4, [0] * 4)
    total = sum(comps.values())
    assert news2_risk(total, comps).tolist() == ["low", "low-medium", "low", "high"]
    with pytest.raises(ValueError, match="forward-fill"):
        news2([np.nan], [120], [16], [97], [37.0], [0], [0])


def test_qsofa():
    # Seymour 2016: RR >= 22, SBP <= 100, altered mentation; one point each.
    assert qsofa([22, 21, 30], [100, 101, 90], [0, 0, 1]).tolist() == [2, 0, 3]


def test_locf_mask_delta_small_chart():
    nan = np.nan
    chart = np.array([[[nan], [80.0], [nan], [nan], [85.0]]])
    filled, mask, delta = locf_mask_delta(chart)
    assert np.isnan(filled[0, 0, 0]) and filled[0, 1:, 0].tolist() == [80, 80, 80, 85]
    assert mask[0, :, 0].tolist() == [0, 1, 0, 0, 1]
    assert delta[0, :, 0].tolist() == [1, 0, 1, 2, 0]
    filled, _, _ = locf_mask_delta(chart, fill=np.array([70.0]))
    assert filled[0, 0, 0] == 70
    with pytest.raises(ValueError, match="patients, hours, channels"):
        locf_mask_delta(np.zeros((3, 4)))


def test_locf_matches_pandas_ffill():
    import pandas as pd

    rng = np.random.default_rng(0)
    x = np.where(rng.random((3, 20, 4)) < 0.5, np.nan, rng.normal(size=(3, 20, 4)))
    filled, _, _ = locf_mask_delta(x)
    for i in range(3):
        want = pd.DataFrame(x[i]).ffill().to_numpy()
        assert np.array_equal(np.nan_to_num(filled[i], nan=9), np.nan_to_num(want, nan=9))


def test_align_events_uses_floor_of_known_time():
    out = align_events(np.array([0, 0, 1]), np.array([0.2, 3.9, 47.5]), n=2, hours=48,
                       values=np.array([1.0, 2.0, 3.0]))
    assert out[0, 0, 0] == 1 and out[0, 3, 0] == 2 and out[1, 47, 0] == 3 and out.sum() == 6
    with pytest.raises(ValueError, match="since admission"):
        align_events(np.array([0]), np.array([-1.0]), 1, 48)
