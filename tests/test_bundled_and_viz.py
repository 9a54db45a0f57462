"""Real data bundled with pydicom; windowing; figures and widget logic."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.datasets.bundled import bundled_dicom_path, load_bundled_ct, load_bundled_ecg
from course_lib.preprocess.imaging import WINDOW_PRESETS, window
from course_lib.viz.ecg import plot_ecg_12lead
from course_lib.widgets.imaging import ct_window_widget, render_ct_window


def test_ct_in_hounsfield_units():
    ct = load_bundled_ct()
    assert ct["hu"].shape == (128, 128)
    np.testing.assert_allclose(ct["hu"], ct["raw"] * ct["slope"] + ct["intercept"])
    assert ct["hu"].min() < -500 < 300 < ct["hu"].max()  # lung and bone in one slice


def test_ecg_in_millivolts_with_limb_lead_relations():
    ecg = load_bundled_ecg()
    s, leads = ecg["signal"], ecg["leads"]
    assert s.shape == (10000, 12) and ecg["fs"] == 1000 and leads[:3] == ["I", "II", "III"]
    assert 0.5 < np.ptp(s[:, 1]) < 5  # a QRS of millivolts, not microvolts
    np.testing.assert_allclose(s[:, 2], s[:, 1] - s[:, 0], atol=1e-6)


def test_missing_bundled_file_says_what_to_do():
    with pytest.raises(FileNotFoundError, match="requirements.txt"):
        bundled_dicom_path("no_such_file_anywhere.dcm")


def test_window_maps_level_and_width():
    hu = np.array([-1000.0, -160.0, 40.0, 240.0, 3000.0])
    np.testing.assert_allclose(window(hu, 40, 400), [0, 0, 0.5, 1, 1])
    with pytest.raises(ValueError, match="positive"):
        window(hu, 40, 0)
    assert set(WINDOW_PRESETS) >= {"lung", "mediastinum", "bone", "brain"}


def test_figures_and_widget():
    ct, ecg = load_bundled_ct(), load_bundled_ecg()
    fig = render_ct_window(ct["hu"], 40, 400)
    assert len(fig.axes) == 2
    assert len(plot_ecg_12lead(ecg["signal"], ecg["fs"], ecg["leads"]).axes) == 13
    with pytest.raises(ValueError, match="lead names"):
        plot_ecg_12lead(ecg["signal"][:, :3], ecg["fs"], ecg["leads"])
    widget = ct_window_widget(ct["hu"])
    preset, level, width = widget.children[0].children
    preset.value = "lung"
    assert (level.value, width.value) == (-600, 1500)
