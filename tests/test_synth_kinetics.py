"""Labs follow the disease's clock: time since onset shapes CRP, troponin and friends (notebooks 11-13).

Bars from issue 30: pneumonia CRP median >= 80 mg/L in late presenters (> 48 h) and below
that in early ones (< 12 h); first-draw troponin below the 99th centile in a stated share
of MIs within 3 h (hs-cTnI: the 99th centile misses 28.6% of MIs presenting <= 3 h,
Eur Heart J 2023;44:2846), a second draw that rises; troponin alone < ECG + troponin.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from course_lib.synth import make_cohort
from course_lib.synth.ecg import ecg_for_cohort
from course_lib.synth.labs import TROPONIN_99TH


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(3000, seed=11, images=False, cache=False)


def test_every_patient_has_a_time_since_onset(cohort):
    st = cohort.state
    t = st.onset_hours.to_numpy()
    assert np.all((t > 0) & (t <= 14 * 24))
    assert st.loc[st.mi_type.eq("STEMI"), "onset_hours"].median() < 3  # NRMI: 114 min
    assert st.loc[st.pneumonia, "onset_hours"].median() > 24  # days of illness


def test_pneumonia_crp_rises_with_time_since_onset(cohort):
    st, crp = cohort.state, cohort.labs_frame()["crp"].to_numpy()
    t, pn = st.onset_hours.to_numpy(), st.pneumonia.to_numpy()
    early, late = np.nanmedian(crp[pn & (t < 12)]), np.nanmedian(crp[pn & (t > 48)])
    assert late >= 80 and early < 40, (early, late)
    pct = cohort.labs_frame()["procalcitonin"].to_numpy()
    assert np.nanmedian(pct[pn & (t > 24)]) > 2 * np.nanmedian(pct[pn & (t < 6)])


def test_troponin_is_often_normal_early_and_rises_on_the_second_draw(cohort):
    st, tn = cohort.state, cohort.labs_frame()["troponin"].to_numpy()
    mi, t = st.acute_mi.to_numpy(), st.onset_hours.to_numpy()
    early = mi & (t <= 3) & ~np.isnan(tn)
    below_early = (tn[early] <= TROPONIN_99TH).mean()
    below_late = (tn[mi & (t > 3) & ~np.isnan(tn)] <= TROPONIN_99TH).mean()
    assert 0.2 <= below_early <= 0.5 and below_late < 0.15, (below_early, below_late)
    rep = cohort.troponin_repeat
    second, gap = rep["troponin_repeat"].to_numpy(), rep["troponin_repeat_hours"].to_numpy()
    has = ~np.isnan(second)
    assert set(np.unique(gap[has])) <= {1.0, 2.0, 3.0} and np.all(np.isnan(tn[~np.isnan(second) & np.isnan(tn)]))
    assert np.median(second[early & has] - tn[early & has]) > 10  # ng/L: a rising MI
    stable = ~mi & has
    assert np.median(np.abs(second[stable] - tn[stable])) <= 2  # no MI: analytical noise only


def test_ecg_adds_to_first_draw_troponin_for_mi(cohort):
    """The ECG's pattern flags (ST elevation, ST depression) stand in for a reader."""
    st = cohort.state
    drawn = cohort.labs_frame()["troponin"].notna().to_numpy()
    state = st[drawn].reset_index(drop=True)
    y = state.acute_mi.to_numpy()
    log_tn = np.log(cohort.labs_frame()["troponin"].to_numpy()[drawn])
    ecg = ecg_for_cohort(state, seed=11, duration=5.0)
    flags = np.column_stack([ecg.territory != "", ecg.st_depression]).astype(float)
    auc_tn = roc_auc_score(y, log_tn)
    both = cross_val_predict(LogisticRegression(), np.column_stack([log_tn, flags]), y, cv=5,
                             method="predict_proba")[:, 1]
    assert auc_tn < 0.95 and roc_auc_score(y, both) > auc_tn + 0.02, (auc_tn, roc_auc_score(y, both))
