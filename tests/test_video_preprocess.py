"""Notebook 10's classical processing: flow, motion split, sync, colour cue, skill metrics, widget logic."""

import matplotlib
import numpy as np
import pytest

from course_lib.preprocess import video as vp
from course_lib.widgets.video import render_scrub, scrub_state

matplotlib.use("Agg")


def texture(seed=0, size=64):
    rng = np.random.default_rng(seed)
    from scipy.ndimage import gaussian_filter

    img = gaussian_filter(rng.random((size + 16, size + 16)), 2)
    img = (255 * (img - img.min()) / np.ptp(img)).astype(np.uint8)
    return np.repeat(img[..., None], 3, -1)


def test_flow_measures_a_camera_shift_and_a_moving_object():
    base = texture()
    frames = np.stack([base[8:72, 8 + k:72 + k] for k in range(4)])  # the camera pans 1 px per frame
    frames[2:, 20:28, 30:38] = 255  # an object appears and moves
    frames[3, 20:28, 30:38] = frames[2, 20:28, 30:38]
    flow = vp.optical_flow(frames)
    camera, _ = vp.motion_split(flow)
    assert flow.shape == (3, 64, 64, 2)
    assert np.allclose(camera, 1.0, atol=0.3)  # the whole picture moves by ~1 px


def test_best_lag_recovers_a_known_shift():
    rng = np.random.default_rng(0)
    b = rng.normal(size=300)
    a = b[7:207] + 0.3 * rng.normal(size=200)  # a[t] = b[t + 7]
    lag, scores = vp.best_lag(a, b, max_lag=20)
    assert lag == 7 and len(scores) == 21


def test_red_fraction_sees_blood_not_liver():
    liver = np.zeros((1, 10, 10, 3), np.uint8) + np.array([150, 50, 45], np.uint8)
    blood = liver.copy()
    blood[0, :5] = [205, 18, 24]
    assert vp.red_fraction(liver)[0] == 0 and vp.red_fraction(blood)[0] == 0.5
    assert vp.alarm_onsets(np.array([0, 0, 1, 0, 1, 1, 1, 0, 1, 1]), 0.5, hold=2) == [4, 8]


def test_skill_metrics_and_sampling():
    t = np.arange(250) / 25
    still = np.zeros((250, 4))
    moving = np.c_[10 * t, 0 * t, 5 * np.sin(t), 0 * t]
    m_still, m_move = vp.skill_metrics(still, 25), vp.skill_metrics(moving, 25)
    assert m_still["path length (mm)"] == 0 and m_still["idle fraction"] == 1
    assert m_move["path length (mm)"] > 90 and m_move["idle fraction"] < 0.5
    assert vp.sampled_indices(10, 5, 1).tolist() == [0, 5]
    assert vp.kinematics_at(np.arange(10)[:, None], 10, np.array([0.0, 0.3]), 0.2).ravel().tolist() == [2, 5]
    with pytest.raises(ValueError):
        vp.sampled_indices(10, 5, 6)
    assert vp.frames_to_tensor(np.zeros((2, 64, 64, 3), np.uint8)).shape == (2, 3, 32, 32)


def test_scrubber_logic():
    true, pred = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    s = scrub_state(true, pred, 1)
    assert s["true"] == "Preparation" and not s["agree"] and s["accuracy so far"] == 0.5
    with pytest.raises(ValueError):
        scrub_state(true, pred, 4)
    fig = render_scrub(np.zeros((4, 8, 8, 3), np.uint8), true, pred, 2)
    assert len(fig.axes) >= 2
