"""The hospital tour's figures, tables and patient browser (notebook 00)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.synth import make_cohort
from course_lib.viz.cohort import (
    correlation_frame,
    plot_correlations,
    prevalence_table,
    render_patient,
    xray_grid,
)
from course_lib.widgets.cohort import patient_browser


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("COURSE_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    yield make_cohort(300, seed=1, image_size=64)
    mp.undo()


def test_patient_figure_and_grid(cohort):
    i = int(np.flatnonzero(cohort.labels[:, 0])[0])
    assert len(render_patient(cohort, i).axes) == 8  # film, six vitals, text
    assert len(xray_grid(cohort, per_row=3).axes) == 12


def test_prevalence_and_correlations(cohort):
    table = prevalence_table(cohort)
    np.testing.assert_allclose(table["prevalence"], cohort.labels.mean(axis=0))
    esi_share = table.filter(like="ESI").sum(axis=1)
    assert np.allclose(esi_share[table["prevalence"] > 0], 1.0)
    frame = correlation_frame(cohort)
    assert len(frame) == len(cohort) and "log troponin" in frame
    assert plot_correlations(cohort).axes


def test_browser_filters_by_condition(cohort):
    box = patient_browser(cohort)
    condition, index = box.children[0].children
    condition.value = "heart_failure"
    index.value = 3
    assert index.max == len(cohort) - 1
