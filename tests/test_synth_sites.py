"""Several hospitals: a model trained at site A loses some AUC at B and C and is miscalibrated (notebook 13).

Pneumonia, small gradient boosting on image features + vitals + labs (as in
test_synth_calibration.py), trained on all of site A, scored on sites B and C. Site B
(older, more comorbid, less pneumonia, fewer CRP/PCT orders) and site C (earlier
presenters, more infection) each lose ~0.02-0.03 AUC and over/under-predict.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

from course_lib.synth import make_cohort
from course_lib.synth.sites import SITES

sys.path.insert(0, str(Path(__file__).parent))
from test_synth_calibration import _image_features  # noqa: E402


def _features(cohort) -> np.ndarray:
    return np.column_stack([_image_features(cohort.images), cohort.vitals, np.log(cohort.labs)])


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |observed - predicted| over equal-count bins of the prediction."""
    order = np.argsort(p)
    return float(sum(abs(y[b].mean() - p[b].mean()) * len(b) for b in np.array_split(order, bins)) / len(p))


@pytest.fixture(scope="module")
def results():
    cohorts = {s: make_cohort(3000, seed=11, image_size=64, cache=False, site=s) for s in SITES}
    model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.06, max_leaf_nodes=15, random_state=0)
    out = {}
    with threadpool_limits(1):
        x_a, y_a = _features(cohorts["A"]), cohorts["A"].labels[:, 0]
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        p_a = cross_val_predict(model, x_a, y_a, cv=folds, method="predict_proba")[:, 1]
        model.fit(x_a, y_a)
        for site, cohort in cohorts.items():
            y = cohort.labels[:, 0]
            p = p_a if site == "A" else model.predict_proba(_features(cohort))[:, 1]
            out[site] = {"auc": roc_auc_score(y, p), "ece": expected_calibration_error(y, p),
                         "prevalence": y.mean(), "mean_p": p.mean()}
    return out, cohorts


def test_other_sites_lose_a_modest_amount_of_auc_and_calibration(results):
    out, _ = results
    for site in ("B", "C"):
        drop = out["A"]["auc"] - out[site]["auc"]
        assert 0.01 <= drop <= 0.10, out  # seeds 3, 11: B 0.018-0.029, C 0.018-0.032
        assert out[site]["ece"] >= out["A"]["ece"] + 0.015, out  # A 0.02; B, C 0.04-0.06


def test_sites_carry_their_ground_truth(results):
    _, cohorts = results
    for site, cohort in cohorts.items():
        assert cohort.site == site and cohort.state["site"].eq(site).all()
    assert cohorts["B"].state.age.median() > cohorts["A"].state.age.median() + 4
    assert cohorts["C"].state.onset_hours.median() < cohorts["A"].state.onset_hours.median()
    pct = {s: np.isnan(c.labs_frame()["procalcitonin"]).mean() for s, c in cohorts.items()}
    assert pct["B"] > pct["A"] + 0.1  # practice: fewer procalcitonin orders at B


def test_site_a_is_the_default_and_sites_are_deterministic():
    a = make_cohort(40, seed=2, images=False, cache=False)
    a2 = make_cohort(40, seed=2, images=False, cache=False, site="A")
    b = make_cohort(40, seed=2, images=False, cache=False, site="B")
    b2 = make_cohort(40, seed=2, images=False, cache=False, site="B")
    assert a.state.equals(a2.state) and a.complaints == a2.complaints
    assert b.state.equals(b2.state) and b.complaints == b2.complaints
    np.testing.assert_array_equal(b.labs, b2.labs)
    assert not a.state.age.equals(b.state.age)
    with pytest.raises(ValueError, match="unknown site"):
        make_cohort(10, images=False, cache=False, site="Z")


def test_a_custom_site_profile_switches_on_one_shift_and_caches_apart(tmp_path, monkeypatch):
    import dataclasses

    from course_lib.synth import cache_path
    from course_lib.synth.config import CohortConfig
    from course_lib.synth.sites import SITES, PopulationShift, PracticeShift, get_site

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    imaging_only = dataclasses.replace(SITES["B"], population=PopulationShift(), practice=PracticeShift())
    assert get_site(imaging_only) is imaging_only
    paths = {cache_path(50, 0, 32, CohortConfig(), True, s) for s in ("A", "B", imaging_only)}
    assert len(paths) == 3
    b, custom = make_cohort(50, seed=0, image_size=32, site="B"), make_cohort(50, seed=0, image_size=32,
                                                                              site=imaging_only)
    assert custom.state["age"].mean() != b.state["age"].mean()  # no population shift in the custom one
    with pytest.raises(ValueError, match="SiteProfile"):
        make_cohort(50, seed=0, image_size=32, site="Z")
