"""Patient model, vitals, labs, ESI and genomics are clinically plausible (notebooks 00, 08, 11)."""

import numpy as np
import pytest

from course_lib.synth import CONDITIONS, LAB_NAMES, VITAL_NAMES, assign_esi, make_cohort


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(2000, seed=1, image_size=32, images=False, cache=False)


def test_prevalences_are_those_of_the_enriched_cohort(cohort):
    prevalence = dict(zip(CONDITIONS, cohort.labels.mean(axis=0), strict=True))
    assert 0.22 <= prevalence["pneumonia"] <= 0.32
    for name in ("acute_mi", "heart_failure", "copd_asthma", "atrial_fibrillation"):
        assert 0.06 <= prevalence[name] <= 0.13, (name, prevalence[name])
    assert 0.05 <= prevalence["sepsis"] <= 0.11
    st = cohort.state
    assert st.loc[st.sepsis, "sepsis_source"].eq("pneumonia").mean() > 0.4  # often pneumonia
    assert st.loc[st.copd_history, "smoking"].ne("never").mean() > 0.8  # COPD follows smoking
    assert st.loc[st.atrial_fibrillation, "age"].median() > st["age"].median()


def test_vitals_are_in_physiological_ranges(cohort):
    v = dict(zip(VITAL_NAMES, cohort.vitals.T, strict=True))
    assert np.all((30 <= v["heart_rate"]) & (v["heart_rate"] <= 220))
    assert np.all((50 <= v["spo2"]) & (v["spo2"] <= 100))
    assert np.all((34 <= v["temperature"]) & (v["temperature"] <= 42))
    assert np.all(v["sbp"] > v["dbp"])
    s = cohort.vitals_series.values
    assert np.nanmin(s[..., 0]) >= 30 and np.nanmax(s[..., 0]) <= 220
    assert np.nanmin(s[..., 5]) >= 34 and np.nanmax(s[..., 5]) <= 42
    np.testing.assert_array_equal(s[:, 0], cohort.vitals)  # first observation = triage
    sep = cohort.state["sepsis"].to_numpy()
    assert np.median(cohort.vitals[sep, 0]) > np.median(cohort.vitals[~sep, 0]) + 10


def test_vitals_series_is_irregular_and_gappy(cohort):
    s = cohort.vitals_series
    t, lengths = s.times, s.lengths
    assert np.all(lengths >= 1) and lengths.max() <= t.shape[1]
    valid = np.arange(t.shape[1])[None] < lengths[:, None]
    assert np.all(np.isnan(t[~valid])) and not np.any(np.isnan(t[valid]))
    gaps = np.diff(t, axis=1)[valid[:, 1:]]
    assert gaps.min() > 0 and gaps.std() > 0.1  # irregular sampling
    temperature_missing = np.isnan(s.values[..., 5])[valid].mean()
    assert 0.2 < temperature_missing < 0.6  # temperature is charted less often


def test_labs_are_positive_with_sensible_medians(cohort):
    labs = dict(zip(LAB_NAMES, cohort.labs.T, strict=True))
    st = cohort.state
    for name, values in labs.items():
        assert np.nanmin(values) > 0, name
        assert 0.02 < np.isnan(values).mean() < 0.8, name  # some missing, not all
    none = st[list(CONDITIONS)].sum(axis=1).eq(0).to_numpy() & st.other_infection.eq("").to_numpy()
    assert 5 <= np.nanmedian(labs["wbc"][none]) <= 9
    assert np.nanmedian(labs["crp"][none]) < 8
    # Early presenters and viral pneumonia keep the overall median modest; late presenters
    # reach >= 80 mg/L (tests/test_synth_kinetics.py): CRP is no oracle.
    assert np.nanmedian(labs["crp"][st.pneumonia.to_numpy()]) > 15
    assert np.nanmedian(labs["troponin"][st.acute_mi.to_numpy()]) > 50  # above the 99th centile
    assert np.nanmedian(labs["troponin"][none]) < 15
    assert np.nanmedian(labs["bnp"][st.heart_failure.to_numpy()]) > 400
    assert np.nanmedian(labs["lactate"][st.sepsis_severity.to_numpy() > 0.6]) > 2.0
    assert 0.6 <= np.nanmedian(labs["creatinine"][none]) <= 1.1


def test_esi_follows_the_handbook_rules(cohort):
    st, esi, v = cohort.state, cohort.esi, cohort.vitals
    assert set(np.unique(esi)) <= {1, 2, 3, 4, 5}
    assert np.all(esi[st.mi_type.eq("STEMI").to_numpy()] <= 2)
    assert np.all(esi[st.mi_type.ne("").to_numpy()] <= 2)
    assert np.all(esi[st.sepsis.to_numpy()] <= 2)
    assert np.all(esi[st.rhythm.eq("VT").to_numpy()] == 1)
    assert np.all(esi[(v[:, 1] < 80) | (v[:, 4] < 85)] == 1)
    assert np.all(esi[v[:, 4] < 90] <= 2)
    sick = st[list(CONDITIONS)].any(axis=1).to_numpy()
    calm = (v[:, 0] <= 100) & (v[:, 3] <= 20) & (v[:, 4] >= 92) & (v[:, 1] >= 90) & (v[:, 5] < 40)
    minor = ~sick & st.presentation.isin(["rash", "medication_refill"]).to_numpy()
    assert np.all(esi[minor & calm] == 5)
    assert len(np.unique(esi)) == 5
    np.testing.assert_array_equal(assign_esi(st, v), esi)


def test_state_carries_what_later_generators_need(cohort):
    st = cohort.state
    assert set(st.rhythm) <= {"sinus", "sinus_tachycardia", "AF", "VT"}
    assert st.loc[st.atrial_fibrillation | st.rhythm.eq("VT"), "rhythm"].isin(["AF", "VT"]).all()
    assert set(st.loc[st.mi_type.eq("STEMI"), "stemi_territory"]) == {
        "anterior",
        "inferior",
        "lateral",
    }
    assert st.loc[st.pneumonia, "pneumonia_lobe"].isin(["RUL", "RML", "RLL", "LUL", "LLL"]).all()
    assert st.loc[st.heart_failure, "crackles"].eq("bilateral_bases").mean() > 0.4
    assert st.loc[st.copd_asthma, "wheezes"].mean() > 0.7
    pm = st.clopidogrel_metaboliser.value_counts(normalize=True)
    assert 0.01 < pm.get("poor", 0) < 0.06 and 0.2 < pm["intermediate"] < 0.35
    assert set(st.vkorc1_1639) == {"GG", "GA", "AA"}
    assert st.patient_id.is_unique
