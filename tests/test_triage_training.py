"""Notebook 15's assistant end to end on a small cohort, and the committee's metrics."""

import numpy as np
import pytest
import torch

from course_lib.models.triage import (
    ST_MAX,
    TARGETS,
    VT_LOGIT,
    TriageCard,
    recommend_actions,
    risk_score,
    suggest_levels,
)
from course_lib.synth import make_cohort, patient_split
from course_lib.synth.ecg import ecg_for_cohort
from course_lib.synth.triage import slide_patient
from course_lib.training.triage import (
    choose_operating_point,
    fit_triage_assistant,
    latency_ms,
    match_over_triage,
    over_triage_margin,
    patient_inputs,
    sensitivity_ci,
    subgroup_under_triage,
    threshold_for_over_triage,
    triage_rates,
    triage_targets,
)


@pytest.fixture(scope="module")
def fitted():
    torch.set_num_threads(1)
    cohort = make_cohort(400, seed=5, image_size=64, cache=False)
    ecg = ecg_for_cohort(cohort.state, fs=100, seed=5, duration=5.0)
    train, val, test = patient_split(cohort, val=0.25, test=0.25, seed=0)
    return cohort, ecg, train, val, test, fit_triage_assistant(cohort, ecg, train, val, seed=0, n_balanced_ecg=120)


def test_rates_and_operating_points():
    critical = np.array([1, 1, 1, 1, 0, 0, 0, 0], bool)
    levels = np.array([1, 2, 3, 2, 2, 3, 4, 5])
    assert triage_rates(critical, levels) == {"under-triage": 0.25, "over-triage": 0.25, "ESI 1-2 share": 0.5}
    p = np.array([0.9, 0.8, 0.3, 0.6, 0.5, 0.2, 0.1, 0.05])
    assert choose_operating_point(p, critical, 0.0) == 0.3  # nobody below: the lowest critical probability
    assert choose_operating_point(p, critical, 0.25) == 0.6  # one of four may fall below
    assert (p[~critical] >= threshold_for_over_triage(p, critical, 0.25)).mean() <= 0.25
    cut = match_over_triage(lambda t: np.where(p >= t, 2, 4), p, critical, 0.25)
    assert cut == 0.3 and triage_rates(critical, np.where(p >= cut, 2, 4))["over-triage"] == 0.25
    with pytest.raises(ValueError, match="both"):
        triage_rates(np.ones(3, bool), [1, 2, 3])
    with pytest.raises(ValueError, match="max_under"):
        choose_operating_point(p, critical, 1.5)


def test_risk_score_levels_and_actions():
    assert risk_score([0.0, 0.05, 0.1, 0.11, 0.87, 1.0]).tolist() == [1, 1, 1, 2, 9, 10]
    vitals = np.array([[80, 125, 80, 16, 98, 37]] * 3 + [[80, 70, 40, 16, 98, 37]], float)
    levels = suggest_levels([0.9, 0.1, 0.1, 0.1], 0.5, vitals, ["chest pain", "chest pain", "rash", "rash"])
    assert levels.tolist() == [2, 3, 5, 1]
    probs = dict.fromkeys(TARGETS, 0.0) | {"stemi": 0.9, "acute_mi": 0.95}
    actions = [a for a, _ in recommend_actions(probs, 2)]
    assert any("cath lab" in a for a in actions) and not any("troponin" in a for a in actions)
    assert all("because" not in r and r for _, r in recommend_actions(probs, 1))


def test_assistant_end_to_end(fitted):
    cohort, ecg, train, val, test, result = fitted
    assistant = result.assistant
    assert result.features.shape == (len(cohort), 37) and result.probs.shape == (len(cohort), len(TARGETS))
    Y = triage_targets(cohort.state)
    assert Y.shape == (len(cohort), 8) and Y[:, 0].mean() == pytest.approx((cohort.esi <= 2).mean())
    patient = patient_inputs(cohort, ecg.signals, int(test[0]))
    card = assistant.assess(patient)
    assert isinstance(card, TriageCard) and 1 <= card.risk <= 10 and 1 <= card.level <= 5
    np.testing.assert_allclose(card.probabilities["critical"], result.probs[test[0], 0], atol=1e-5)
    assert card.saliency.shape == (32, 32) and set(card.contributions) == {"text", "vitals", "ecg", "xray"}
    # the per-modality parts add up to the critical logit minus the average patient's
    F = result.features[test[:1]]
    logit = F @ assistant.fusion_coef[:, 0] + assistant.fusion_bias[0]
    base = assistant.feature_mean @ assistant.fusion_coef[:, 0] + assistant.fusion_bias[0]
    assert assistant.contributions(F).sum() == pytest.approx(float(logit[0] - base), abs=1e-4)
    no_film = assistant.assess({**patient, "image": None})
    assert no_film.saliency is None and not no_film.xray_available and "no chest film" in no_film.text()
    assert np.median(latency_ms(assistant, [patient] * 5)) < 500
    with pytest.raises(ValueError, match="missing"):
        assistant.assess({"complaint": "chest pain"})


def test_slide_patient_runs_through(fitted):
    case = slide_patient(seed=0, image_size=64)
    assert case["state"]["mi_type"] == "STEMI" and case["state"]["hypertension"]
    assert case["vitals"][:3].tolist() == [110.0, 160.0, 95.0]
    assert case["ecg"].shape == (500, 12) and case["image"].shape == (64, 64)
    assert case["xray_truth"]["cardiomegaly_visibility"] == 1.0 and case["xray_truth"]["oedema_visibility"] > 0
    card = fitted[-1].assistant.assess(case)
    assert "Risk score" in card.text() and "Processing time" in card.text()
    np.testing.assert_array_equal(slide_patient(seed=0)["image"], case["image"])  # deterministic


def test_subgroup_table():
    critical = np.array([1, 1, 1, 1, 0], bool)
    import pandas as pd

    table = subgroup_under_triage(critical, np.array([3, 2, 2, 4, 2]), pd.DataFrame({"sex": list("FFMMF")}))
    assert table.loc["sex = F", "under-triage"] == 0.5 and table.loc["sex = M", "critical patients"] == 2


def test_over_triage_margin_and_sensitivity_ci():
    rng = np.random.default_rng(0)
    critical = rng.random(2000) < 0.25
    ai, nurse = rng.integers(1, 6, 2000), rng.integers(1, 6, 2000)
    diff = (ai[~critical] <= 2).astype(float) - (nurse[~critical] <= 2)
    # the bootstrap SE of a mean is close to the sample SD over sqrt(n)
    expected = 1.645 * diff.std() / np.sqrt(len(diff))
    assert over_triage_margin(critical, ai, nurse) == pytest.approx(expected, rel=0.1)
    assert over_triage_margin(critical, nurse, nurse) == 0.0  # the same levels: no spread
    with pytest.raises(ValueError, match="non-critical"):
        over_triage_margin(np.ones(3, bool), [1, 2, 3], [1, 2, 3])
    ci = sensitivity_ci([True] * 18 + [False] * 2)
    assert (ci["found"], ci["patients"], ci["sensitivity"]) == (18, 20, 0.9)
    # Wilson's score interval by its formula
    z, k, n = 1.959964, 18, 20
    centre, half = (k + z**2 / 2) / (n + z**2), z * np.sqrt(k * (n - k) / n + z**2 / 4) / (n + z**2)
    assert ci["95% CI low"] == pytest.approx(centre - half, abs=1e-5)
    assert ci["95% CI high"] == pytest.approx(centre + half, abs=1e-5)
    with pytest.raises(ValueError, match="no positive"):
        sensitivity_ci([])


def test_stemi_net_has_two_arms(fitted):
    assistant = fitted[-1].assistant
    probs, F = np.zeros((3, len(TARGETS))), np.zeros((3, 37), np.float32)
    F[:, VT_LOGIT] = -5.0  # no VT
    probs[0, 1] = 1.0  # the reader is sure: P(STEMI) arm
    F[1, ST_MAX] = 1.5  # the reader says normal, but the ST segment is up 1.5 mm: the ST arm
    assert assistant.stemi_net(probs, F).tolist() == [True, True, False]
    vitals = np.array([[80, 125, 80, 16, 98, 37]] * 3, float)
    assistant.threshold = 0.99
    assert assistant.levels(probs, F, vitals, ["rash"] * 3).tolist() == [2, 2, 5]
