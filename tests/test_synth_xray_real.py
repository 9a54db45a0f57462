"""The real chest CR from pydicom-data, its display, and the finding figure (notebooks 00, 01)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.datasets import bundled  # noqa: E402
from course_lib.datasets.bundled import (  # noqa: E402
    area_resize,
    dicom_window,
    load_bundled_cr,
    percentile_window,
)


def test_real_cr_loads_offline_with_its_display_header():
    cr = load_bundled_cr()
    assert cr["photometric"] == "MONOCHROME1" and cr["view"] == "PA"
    assert cr["raw"].ndim == 2 and cr["raw"].dtype == np.uint16 and cr["bits_stored"] > 8
    assert cr["spacing_mm"] is None  # the file stores 0: unknown, never guessed
    d = cr["display"]
    assert d.dtype == np.float32 and 0 <= d.min() and d.max() <= 1
    # MONOCHROME1: the highest stored value (least dense) is displayed darkest
    assert d.flat[cr["raw"].argmax()] == d.min()


def test_linear_window_matches_pydicom_voi_lut():
    from pydicom.pixels import apply_voi_lut

    cr = load_bundled_cr()
    ds = cr["dataset"]
    voi = apply_voi_lut(cr["raw"], ds) / (2 ** ds.BitsStored - 1)
    np.testing.assert_allclose(dicom_window(cr["raw"], *cr["window"]), voi, atol=1e-6)
    with pytest.raises(ValueError, match="width"):
        dicom_window(cr["raw"], 100, 0)


def test_resize_and_window_helpers():
    image = np.arange(100 * 80, dtype=np.float32).reshape(100, 80)
    small = area_resize(image, 16)
    assert small.shape == (16, 16)
    center, width = percentile_window(small, 1, 99)
    assert width > 0 and small.min() <= center <= small.max()
    with pytest.raises(ValueError, match="smaller"):
        area_resize(image[:8, :8], 16)


def test_missing_pydicom_data_says_what_to_install(monkeypatch):
    def missing(name):
        raise FileNotFoundError(name)

    monkeypatch.setattr(bundled, "bundled_dicom_path", missing)
    with pytest.raises(FileNotFoundError, match="pydicom-data"):
        load_bundled_cr()


def test_finding_gallery_and_real_vs_synthetic_figures():
    from course_lib.viz.imaging import FINDING_GALLERY, plot_finding_gallery, plot_real_vs_synthetic

    fig = plot_finding_gallery(size=64)
    assert len(fig.axes) == 2 * (len(FINDING_GALLERY) + 1)
    films = np.random.default_rng(0).random((2, 32, 32)).astype(np.float32)
    fig = plot_real_vs_synthetic(films[0], films, ["real", "a", "b"], (0.5, 1.0))
    assert len(fig.axes) == 3
