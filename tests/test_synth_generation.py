"""make_cohort: speed, determinism, cache, and clear errors (notebook 00).

The data_dir fixture (tests/conftest.py) gives each test its own COURSE_DATA_DIR.
"""

import time

import numpy as np
import pytest

from course_lib.synth import CONDITIONS, MASK_NAMES, cache_path, make_cohort
from course_lib.synth.config import CohortConfig


def test_one_thousand_patients_cold_in_under_ten_seconds(data_dir):
    start = time.perf_counter()
    cohort = make_cohort(1000, seed=0)
    elapsed = time.perf_counter() - start
    assert elapsed <= 10.0, f"cold generation took {elapsed:.1f} s"
    n = len(cohort)
    assert n == 1000
    assert cohort.images.shape == (n, 128, 128) and cohort.images.dtype == np.float32
    assert 0.0 <= cohort.images.min() and cohort.images.max() <= 1.0
    assert set(cohort.masks) == set(MASK_NAMES)
    assert all(m.shape == (n, 128, 128) and m.dtype == bool for m in cohort.masks.values())
    assert cohort.vitals.shape == (n, 6) and cohort.labs.shape == (n, 8)
    assert cohort.labels.shape == (n, len(CONDITIONS)) and cohort.esi.shape == (n,)
    assert len(cohort.reports) == len(cohort.complaints) == n
    s = cohort.vitals_series
    assert s.values.shape == (n, s.times.shape[1], 6) and s.lengths.shape == (n,)

    start = time.perf_counter()
    again = make_cohort(1000, seed=0)
    assert time.perf_counter() - start < 1.0, "a cache hit should take well under a second"
    np.testing.assert_array_equal(again.images, cohort.images)
    for name in MASK_NAMES:
        np.testing.assert_array_equal(again.masks[name], cohort.masks[name])
    assert again.reports == cohort.reports


def test_cache_is_keyed_by_arguments_and_config(data_dir):
    path = cache_path(20, 3, 64, CohortConfig(), True)
    assert str(path).startswith(str(data_dir / "synth"))
    make_cohort(20, seed=3, image_size=64)
    assert path.exists()
    other = cache_path(20, 3, 64, CohortConfig(subtle_miss_rate=0.3), True)
    assert other != path
    assert cache_path(20, 4, 64, CohortConfig(), True) != path
    assert cache_path(20, 3, 32, CohortConfig(), True) != path
    assert cache_path(20, 3, 64, CohortConfig(), True, site="B") != path
    assert cache_path(20, 3, 64, CohortConfig(), True, site="A") == path


def test_site_time_since_onset_and_repeat_troponin_survive_the_cache(data_dir):
    first = make_cohort(30, seed=3, image_size=32, site="C")
    again = make_cohort(30, seed=3, image_size=32, site="C")
    assert again.site == "C" and again.state["site"].eq("C").all()
    assert again.state.equals(first.state)
    assert again.troponin_repeat.equals(first.troponin_repeat)
    for column in ("onset_hours", "chief_symptom", "problem"):
        assert column in again.state


def test_same_seed_is_bit_identical_and_other_seed_differs():
    a = make_cohort(60, seed=5, image_size=64, cache=False)
    b = make_cohort(60, seed=5, image_size=64, cache=False)
    c = make_cohort(60, seed=6, image_size=64, cache=False)
    for x, y in [
        (a.images, b.images),
        (a.vitals, b.vitals),
        (a.labs, b.labs),
        (a.vitals_series.values, b.vitals_series.values),
        (a.esi, b.esi),
    ]:
        np.testing.assert_array_equal(x, y)
    assert a.state.equals(b.state) and a.reports == b.reports and a.complaints == b.complaints
    assert not np.array_equal(a.images, c.images)
    assert not np.array_equal(a.labels, c.labels)


def test_streams_are_independent_of_images_and_image_size():
    """Skipping or resizing the images leaves every other modality unchanged."""
    a = make_cohort(40, seed=2, image_size=64, cache=False)
    b = make_cohort(40, seed=2, image_size=32, images=False, cache=False)
    assert b.images is None and b.masks == {}
    assert a.state.equals(b.state) and a.reports == b.reports
    np.testing.assert_array_equal(a.labs, b.labs)


@pytest.mark.parametrize("n", [0, -5, 2.5, "10", True])
def test_bad_patient_count_is_a_clear_error(n):
    with pytest.raises(ValueError, match="n_patients"):
        make_cohort(n, cache=False)


@pytest.mark.parametrize("size", [0, 16, 100, 1024, 64.0])
def test_bad_image_size_is_a_clear_error(size):
    with pytest.raises(ValueError, match="image_size"):
        make_cohort(10, image_size=size, cache=False)
