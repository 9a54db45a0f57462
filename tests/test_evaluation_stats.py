"""Notebook 13's statistics: each hand-written method against a library or a brute-force definition."""

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss, roc_auc_score

from course_lib.training.evaluation import (
    SmoothedBCELoss,
    _Logits,
    at_prevalence,
    auc_sample_size,
    choose_rule_out,
    confusion_counts,
    cost_threshold,
    decision_curve,
    delong_test,
    dice_iou,
    equal_opportunity_difference,
    expected_calibration_error,
    fit_calibrator,
    fit_temperature,
    mcnemar_test,
    min_subgroup_size,
    net_benefit,
    paired_bootstrap_auc,
    prevalence_weights,
    rates_from_counts,
    reliability_table,
    shift_prevalence,
    site_variant,
    subgroup_table,
    youden_threshold,
)


def scores(n=400, seed=0, sep=(1.2, 0.8), rho=0.6):
    """Labels and two correlated scores; model 1 better than model 2 by construction."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    shared = rng.normal(size=n)
    e1 = rho * shared + np.sqrt(1 - rho**2) * rng.normal(size=n)
    e2 = rho * shared + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return y, sep[0] * y + e1, sep[1] * y + e2


def delong_brute_force(y, p1, p2):
    """DeLong's variance from its definition: psi over every (positive, negative) pair."""
    y = y.astype(bool)
    comps = []
    for p in (p1, p2):
        pos, neg = p[y], p[~y]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])  # (m, n)
        comps.append((psi.mean(1), psi.mean(0)))
    v10 = np.array([c[0] for c in comps])
    v01 = np.array([c[1] for c in comps])
    s = np.cov(v10) / v10.shape[1] + np.cov(v01) / v01.shape[1]
    return v10.mean(1), s[0, 0] + s[1, 1] - 2 * s[0, 1]


def test_delong_matches_definition_and_sklearn_with_ties():
    y, p1, p2 = scores(300, seed=1)
    p1, p2 = np.round(p1, 1), np.round(p2, 1)  # many ties
    d = delong_test(y, p1, p2)
    aucs, var = delong_brute_force(y, p1, p2)
    assert np.isclose(d["AUC 1"], roc_auc_score(y, p1)) and np.isclose(d["AUC 2"], roc_auc_score(y, p2))
    assert np.allclose([d["AUC 1"], d["AUC 2"]], aucs)
    assert np.isclose(d["SE"], np.sqrt(var))
    assert np.isclose(d["p"], 2 * stats.norm.sf(abs(d["difference"]) / d["SE"]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_delong_agrees_with_paired_bootstrap(seed):
    y, p1, p2 = scores(500, seed=seed)
    d, b = delong_test(y, p1, p2), paired_bootstrap_auc(y, p1, p2, n_boot=2000, seed=seed)
    assert np.isclose(d["difference"], b["difference"])
    assert abs(d["SE"] - b["SE"]) < 0.15 * d["SE"]
    assert (d["p"] < 0.05) == (b["p"] < 0.05)
    assert b["low"] < d["difference"] < b["high"]


def test_delong_null_is_calibrated():
    # Two equally good models: DeLong rejects about 5% of the time, not more.
    rejections = [delong_test(*scores(200, seed=s, sep=(1.0, 1.0)))["p"] < 0.05 for s in range(200)]
    assert np.mean(rejections) < 0.10


def test_delong_needs_both_classes():
    with pytest.raises(ValueError, match="positive and negative"):
        delong_test(np.ones(5), np.arange(5.0), np.arange(5.0))


def test_mcnemar_exact_and_against_statsmodels():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    pred1 = np.where(rng.random(300) < 0.85, y, 1 - y)
    pred2 = np.where(rng.random(300) < 0.75, y, 1 - y)
    m = mcnemar_test(y, pred1, pred2)
    b, c = m["only model 1 right"], m["only model 2 right"]
    assert np.isclose(m["p"], stats.binomtest(b, b + c, 0.5).pvalue)
    assert np.isclose(mcnemar_test(y, pred2, pred1)["p"], m["p"])  # symmetric
    sm = pytest.importorskip("statsmodels.stats.contingency_tables")
    r1, r2 = pred1 == y, pred2 == y
    table = [[(r1 & r2).sum(), (r1 & ~r2).sum()], [(~r1 & r2).sum(), (~r1 & ~r2).sum()]]
    assert np.isclose(sm.mcnemar(table, exact=True).pvalue, m["p"])


def test_sample_size_scales_with_inverse_square_of_delta():
    y, p1, p2 = scores(400)
    n3, n15 = auc_sample_size(y, p1, p2, 0.03), auc_sample_size(y, p1, p2, 0.015)
    assert 3.9 < n15 / n3 < 4.1
    assert auc_sample_size(y, p1, p2, 0.03, power=0.9) > n3


def test_rates_counts_and_prevalence():
    r = rates_from_counts(90, 30, 270, 10)
    assert np.isclose(r["sensitivity"], 0.9) and np.isclose(r["specificity"], 0.9)
    assert np.isclose(r["PPV"], 0.75) and np.isclose(r["NPV"], 270 / 280) and np.isclose(r["F1"], 180 / 220)
    assert np.isnan(rates_from_counts(0, 0, 5, 0)["sensitivity"])
    assert confusion_counts([1, 1, 0, 0], [1, 0, 1, 0]) == {"TP": 1, "FP": 1, "TN": 1, "FN": 1}
    # Bayes' rule equals counting in a re-weighted population.
    y = np.r_[np.ones(100), np.zeros(300)].astype(int)
    pred = np.r_[np.ones(90), np.zeros(10), np.ones(30), np.zeros(270)].astype(bool)
    w = prevalence_weights(y, 0.04)
    assert np.isclose((w * y).sum() / w.sum(), 0.04)
    ppv = (w * (pred & (y == 1))).sum() / (w * pred).sum()
    assert np.isclose(at_prevalence(0.9, 0.9, 0.04)["PPV"], ppv)
    with pytest.raises(ValueError):
        at_prevalence(0.9, 0.9, 0.0)


def test_shift_prevalence_is_bayes():
    p = np.array([0.1, 0.5, 0.9])
    q = shift_prevalence(p, 0.25, 0.04)
    assert np.allclose(shift_prevalence(q, 0.04, 0.25), p)
    odds = p / (1 - p) * (0.04 / 0.96) / (0.25 / 0.75)
    assert np.allclose(q, odds / (1 + odds))


def test_dice_iou():
    a = np.zeros((10, 10), bool)
    b = a.copy()
    a[2:6, 2:6], b[3:7, 3:7] = True, True
    dice, iou = dice_iou(a, b)
    assert np.isclose(dice, 2 * 9 / 32) and np.isclose(iou, 9 / 23)
    assert np.isclose(dice, 2 * iou / (1 + iou))
    assert dice_iou(np.zeros((3, 3)), np.zeros((3, 3))) == (1.0, 1.0)
    with pytest.raises(ValueError, match="shape"):
        dice_iou(a, b[:5])


def test_thresholds_and_net_benefit():
    y, p, _ = scores(600)
    p = 1 / (1 + np.exp(-p))
    t = youden_threshold(y, p)
    j = lambda c: (p[y == 1] >= c).mean() + (p[y == 0] < c).mean()  # noqa: E731
    assert all(j(t) >= j(c) - 1e-12 for c in np.quantile(p, np.linspace(0.05, 0.95, 19)))
    assert cost_threshold(y, p, cost_fn=50, cost_fp=1) < cost_threshold(y, p, cost_fn=1, cost_fp=50)
    pt = np.array([0.1, 0.3])
    nb = net_benefit(y, p, pt)
    for k, c in enumerate(pt):
        tp, fp = ((p >= c) & (y == 1)).mean(), ((p >= c) & (y == 0)).mean()
        assert np.isclose(nb[k], tp - fp * c / (1 - c))
    curves = decision_curve(y, {"m": p}, pt)
    assert np.allclose(curves["treat all"], net_benefit(y, np.ones_like(p), pt))
    assert (curves["treat none"] == 0).all()


def test_ece_and_reliability():
    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.05, 0.15, 0.85, 0.95, 1.0])
    want = 0.4 * abs(0.1 - 0) + 0.6 * abs((0.85 + 0.95 + 1.0) / 3 - 1)  # bins [0, .2) and [.8, 1]
    assert np.isclose(expected_calibration_error(y, p, n_bins=5), want)
    table = reliability_table(y, p, n_bins=5)
    assert table["patients"].sum() == 5 and list(table.index) == [0, 4]
    with pytest.raises(ValueError, match="probabilities"):
        expected_calibration_error(y, p + 1)


def test_temperature_matches_sklearn_and_calibrators_repair():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 3000)
    z_true = 1.5 * (2 * y - 1) + rng.normal(0, 1.5, 3000)
    z = 3 * z_true  # over-confident logits
    T = fit_temperature(z[:1500], y[:1500])
    sk = CalibratedClassifierCV(FrozenEstimator(_Logits().fit(z[:1500, None], y[:1500])), method="temperature")
    sk.fit(z[:1500, None], y[:1500])
    assert np.allclose(sk.predict_proba(z[1500:, None])[:, 1], 1 / (1 + np.exp(-z[1500:] / T)), atol=1e-4)
    raw = expected_calibration_error(y[1500:], 1 / (1 + np.exp(-z[1500:])))
    for method in ("temperature", "platt", "isotonic"):
        p = fit_calibrator(z[:1500], y[:1500], method)(z[1500:])
        assert expected_calibration_error(y[1500:], p) < 0.5 * raw, method
        assert brier_score_loss(y[1500:], p) < brier_score_loss(y[1500:], 1 / (1 + np.exp(-z[1500:])))
    with pytest.raises(ValueError, match="method"):
        fit_calibrator(z, y, "beta")


def test_smoothed_bce():
    logits, target = torch.tensor([[2.0], [-1.0]]), torch.tensor([[1.0], [0.0]])
    want = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor([[0.9], [0.1]]))
    assert torch.isclose(SmoothedBCELoss(0.2)(logits, target), want)


def test_subgroups_and_sizes():
    y, p, _ = scores(600)
    groups = np.where(np.arange(600) % 3 == 0, "a", "b")
    table = subgroup_table(y, p, groups, threshold=0.5, n_boot=200)
    assert set(table.index) == {"a", "b"} and table["patients"].sum() == 600
    for g in ("a", "b"):
        assert np.isclose(table.loc[g, "AUC"], roc_auc_score(y[groups == g], p[groups == g]))
    pred = p >= 0.5
    tpr = [pred[(groups == g) & (y == 1)].mean() for g in ("a", "b")]
    assert np.isclose(equal_opportunity_difference(y, pred, groups), abs(tpr[0] - tpr[1]))
    assert min_subgroup_size(1.0, 0.9, 0.05) == 139  # 1.96^2 * 0.09 / 0.0025 positives
    assert min_subgroup_size(0.04, 0.9, 0.05) == int(np.ceil(1.959963984540054**2 * 0.09 / 0.0025 / 0.04))


def test_choose_rule_out_prefers_the_more_specific_model():
    y, good, weak = scores(800)
    name, t = choose_rule_out({"weak": weak, "good": good}, y)
    assert name == "good" and (good[y == 1] >= t).mean() >= 0.95


def test_site_variant_switches_shifts_off():
    v = site_variant("B", ("imaging",))
    from course_lib.synth.sites import SITES, ImagingShift, PopulationShift, PracticeShift

    assert v.imaging == SITES["B"].imaging and v.index == SITES["B"].index
    assert v.population == PopulationShift() and v.practice == PracticeShift()
    assert v.name not in SITES
    with pytest.raises(ValueError, match="unknown shifts"):
        site_variant("B", ("scanner",))
    assert site_variant("B", ()).imaging == ImagingShift()
