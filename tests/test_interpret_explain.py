"""Notebook 14's attribution tools: captum maps, scores against masks, sanity test, ECG truth, SHAP truth, Shapley."""

import numpy as np
import pytest
import shap
import torch

from course_lib.explain.attention import pointing_game
from course_lib.explain.ecg import TERRITORY_LEADS, ecg_attributions, mass_in_truth, st_truth_mask
from course_lib.explain.imaging import (
    METHODS,
    attribution_maps,
    centre_maps,
    choose_method,
    grid_segments,
    label_randomisation_test,
    marker_region,
    random_maps,
    randomisation_test,
    randomised_copies,
    rank_similarity,
    region_mass,
    score_maps,
    top_fraction_mask,
)
from course_lib.explain.modality import (
    ablation_and_permutation,
    attention_and_gradients,
    patch_deletion,
    shapley_values,
    stacker_value,
)
from course_lib.explain.tabular import (
    counterfactual,
    intervention_effects,
    nearest_contrast,
    rank_agreement,
    shap_ranking,
)
from course_lib.explain.text import token_attributions
from course_lib.models.ecg import ECGCNN
from course_lib.models.fusion import CrossAttentionFusion, SmallCNN
from course_lib.models.text import TextCNN, Vocabulary, words
from course_lib.synth import make_cohort
from course_lib.synth.ecg import LEADS, simulate_ecg


class Bright(torch.nn.Module):
    """A 'model' whose logit is the mean brightness of a fixed square: the truth of any map."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 1)  # a layer for Grad-CAM
        torch.nn.init.ones_(self.conv.weight)
        torch.nn.init.zeros_(self.conv.bias)

    def forward(self, X):
        return self.conv(X)[:, :, 4:8, 4:8].mean(dim=(2, 3))  # (B, 1)


def _films(B=3, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(B, 1, size, size, generator=g)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_finds_the_square(method):
    X = _films()
    model = Bright()
    maps = attribution_maps(model, X, method, layer=model.conv)
    assert maps.shape == (3, 16, 16) and np.isfinite(maps).all() and (maps >= 0).all()
    mask = np.zeros((3, 16, 16), bool)
    mask[:, 4:8, 4:8] = True
    inside, outside = maps[mask].mean(), maps[~mask].mean()
    assert inside > outside, (method, inside, outside)


def test_attribution_maps_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown method"):
        attribution_maps(Bright(), _films(), "SmoothGrad")
    with pytest.raises(ValueError, match="layer"):
        attribution_maps(Bright(), _films(), "Grad-CAM")


def test_integrated_gradients_completeness_with_a_film_baseline():
    """IG (before the positive part is kept) adds up to f(x) - f(baseline): check via the linear model."""
    X, base = _films(1), _films(1, seed=1)
    model = Bright()
    maps = attribution_maps(model, X, "Integrated Gradients", baseline=base)
    with torch.no_grad():
        diff = (model(X) - model(base)).item()
    signed = ((X - base)[0, 0, 4:8, 4:8] / 16).numpy()  # exact IG of a linear model
    assert np.allclose(maps[0, 4:8, 4:8], np.clip(signed, 0, None), atol=1e-5)
    assert np.isclose(signed.sum(), diff, atol=1e-5)


def test_scores_perfect_random_and_baselines():
    rng = np.random.default_rng(0)
    masks = np.zeros((4, 20, 20), bool)
    masks[:, 5:10, 5:10] = True
    region = np.ones_like(masks)
    perfect = masks.astype(float) + 0.01 * rng.random(masks.shape)
    s = score_maps(perfect, masks, region, fraction=25 / 400)
    assert s["pointing"].all() and np.allclose(s["top precision"], 1) and np.allclose(s["IoU"], 1)
    assert np.allclose(s["AUPRC"], 1) and np.allclose(s["mask share"], 25 / 400)
    assert (pointing_game(perfect, masks, region) == s["pointing"].astype(bool)).all()
    r = score_maps(random_maps(masks.shape), masks, region)
    assert r["AUPRC"].mean() < 0.5
    with pytest.raises(ValueError, match="same shape"):
        score_maps(perfect[:, :10], masks, region)
    assert top_fraction_mask(perfect, region, 0.1).sum(axis=(1, 2)).tolist() == [40] * 4


def test_centre_maps_peak_inside_each_lung():
    lungs = np.zeros((1, 32, 32), bool)
    lungs[0, 8:24, 3:13] = lungs[0, 8:24, 19:29] = True
    c = centre_maps(lungs)[0]
    left = np.unravel_index(c[:, :16].argmax(), (32, 16))
    assert lungs[0][left] and c[:, :16].max() == pytest.approx(c[:, 16:].max(), rel=0.05)


def test_grid_segments_and_marker_region():
    seg = grid_segments(8, 4)[0, 0]
    assert seg.unique().tolist() == [0, 1, 2, 3] and seg[0, 0] == 0 and seg[7, 7] == 3
    box = marker_region(64, "P", "top_right", margin=0)
    assert box.sum() > 0 and box[:, :32].sum() == 0 and box[32:].sum() == 0


def test_randomised_copies_change_only_from_the_top():
    torch.manual_seed(0)
    model = SmallCNN(1)
    copies = randomised_copies(model, ["head", "high"], seed=0)
    (_, only_head), (_, head_high) = copies
    assert torch.equal(only_head.low[0].weight, model.low[0].weight)
    assert torch.equal(only_head.high[0].weight, model.high[0].weight)
    assert not torch.equal(only_head.head[1].weight, model.head[1].weight)
    assert not torch.equal(head_high.high[0].weight, model.high[0].weight)
    assert torch.equal(head_high.mid[0].weight, model.mid[0].weight)


def test_rank_similarity_and_randomisation_test():
    a = np.random.default_rng(0).random((3, 8, 8))
    assert np.allclose(rank_similarity(a, a), 1) and np.allclose(rank_similarity(a, -a), -1)
    torch.manual_seed(0)
    model = SmallCNN(1).eval()
    sanity, cascade = randomisation_test(model, _films(2, 32), ["Grad-CAM", "Saliency"], ["head", "high"],
                                         gradcam_layer="high", reps=2)
    assert list(sanity.index) == ["Grad-CAM", "Saliency"] and sanity.between(-1, 1).all()
    assert list(cascade.index) == ["up to head", "up to high"] and cascade.iloc[0].equals(sanity)


def test_region_mass_and_choose_method():
    maps = np.zeros((2, 4, 4))
    maps[:, 0, 0] = 3
    maps[:, 1, 1] = 1
    region = np.zeros((2, 4, 4), bool)
    region[:, 0, 0] = True
    assert np.allclose(region_mass(maps, region), 0.75)
    import pandas as pd

    scores = pd.DataFrame({"IoU": [0.4, 0.3, 0.2]}, index=["a", "b", "c"])
    assert choose_method(scores, pd.Series({"a": 0.9, "b": 0.1, "c": 0.0}))[:2] == ("b", "IoU")


def test_st_truth_covers_territory_leads_after_r_peaks():
    batch = simulate_ecg(["sinus", "sinus"], [75, 75], territory=["inferior", ""], noise=[0.1, 0.1], fs=100,
                         duration=5.0, seed=0)
    truth = st_truth_mask(batch)
    assert truth.shape == (2, 500, 12) and not truth[1].any()
    on = [LEADS.index(x) for x in TERRITORY_LEADS["inferior"]]
    assert truth[0][:, on].any(axis=0).all() and not np.delete(truth[0], on, axis=1).any()
    r = batch.r_peaks[0][1]
    assert not truth[0, r, on[0]] and truth[0, r + 10, on[0]]  # the QRS is out, 100 ms after R is in
    attr = np.ones_like(truth, float)
    mass, share = mass_in_truth(attr, truth)
    assert np.allclose(mass[0], share[0])


def test_ecg_attributions_shape():
    torch.manual_seed(0)
    model = ECGCNN(num_classes=1).eval()
    X = torch.randn(2, 12, 200)
    a = ecg_attributions(model, X, 0)
    assert a.shape == (2, 200, 12) and (a >= 0).all()
    with pytest.raises(ValueError):
        ecg_attributions(model, X, 0, method="LIME")


def test_shapley_efficiency_and_against_shap_exact():
    rng = np.random.default_rng(0)
    players = ["a", "b", "c", "d"]
    table = {frozenset(S): rng.random() for k in range(5) for S in __import__("itertools").combinations(players, k)}
    phi = shapley_values(table.__getitem__, players)
    assert sum(phi.values()) == pytest.approx(table[frozenset(players)] - table[frozenset()], abs=1e-12)

    def f(Z):  # the same game for shap: players present where Z == 1
        return np.array([table[frozenset(p for p, z in zip(players, row, strict=True) if z)] for row in Z])

    # KernelSHAP enumerates all 2^4 coalitions here, so it is exact (shap's Exact explainer is slow to compile).
    kernel = shap.KernelExplainer(f, np.zeros((1, 4))).shap_values(np.ones((1, 4)), nsamples=100, silent=True)
    assert np.allclose(np.ravel(kernel), [phi[p] for p in players], atol=1e-9)
    with pytest.raises(ValueError):
        shapley_values(table.__getitem__, ["a", "a"])


def test_stacker_value_and_ablation():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    logits = {"good": 2 * (y - 0.5) + rng.normal(0, 1, 400), "noise": rng.normal(0, 1, 400)}
    fit_idx, eval_idx = np.arange(200), np.arange(200, 400)
    v = stacker_value(logits, y, fit_idx, eval_idx)
    assert v(frozenset()) == 0.5 and v(frozenset({"good"})) > 0.75 > v(frozenset({"noise"}))
    table = ablation_and_permutation(logits, y, fit_idx, eval_idx, repeats=3)
    assert table.loc["good"].min() > table.loc["noise"].max()


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(400, seed=5, images=False, cache=False)


def test_intervention_effects_regenerate_the_cohort_and_find_drivers(cohort):
    from course_lib.explain.tabular import _without

    table = intervention_effects(cohort, "sepsis")
    assert set(table.columns) == {"effect (SD)", "measured in", "visible effect (SD)"}
    assert table.loc["sbp", "effect (SD)"] < 0 and table.loc["resp_rate", "effect (SD)"] > 0
    assert table.index[0] in {"resp_rate", "sbp", "heart_rate", "log lactate", "dbp"}
    unchanged = _without(cohort.state, "pneumonia")
    assert not unchanged["pneumonia"].any() and (unchanged["pneumonia_severity"] == 0).all()
    with pytest.raises(ValueError, match="unknown condition"):
        intervention_effects(cohort, "flu")


def test_intervention_effects_factual_run_is_the_cohort(cohort):
    """The counterfactual machinery re-uses the cohort's own streams: unchanged state gives the same vitals."""
    from course_lib.synth.config import stream
    from course_lib.synth.vitals import make_vitals

    vitals, _ = make_vitals(cohort.state, stream(cohort.seed, "vitals"), cohort.config)
    assert np.allclose(vitals, cohort.vitals, equal_nan=True)


def test_shap_ranking_counterfactual_and_contrast():
    rng = np.random.default_rng(0)
    sv = rng.normal(size=(50, 3)) * [3, 1, 0.1]
    assert list(shap_ranking(sv, ["a", "b", "c"]).index) == ["a", "b", "c"]
    X = rng.normal(size=(200, 3))

    def proba(Z):
        return 1 / (1 + np.exp(-4 * Z[:, 0]))

    x = np.array([0.5, 0.0, 0.0])
    cf = counterfactual(proba, x, X, ["a", "b", "c"], ["a", "b"])
    assert list(cf["feature"]) == ["a"] and cf.loc[0, "to"] < 0 and cf.attrs["probability before"] > 0.5
    assert cf.loc[0, "to"] in X[:, 0]
    pred = (proba(X) >= 0.5).astype(int)
    j = nearest_contrast(X, pred, 0)
    assert pred[j] != pred[0]
    with pytest.raises(ValueError):
        nearest_contrast(X, np.zeros(200, int), 0)


def test_text_model_and_token_attributions():
    texts = ["no focal consolidation.", "there is consolidation in the right lower lobe."] * 20
    vocab = Vocabulary(texts)
    assert words("No focal-consolidation, here.") == ["no", "focal-consolidation", "here"]
    ids = vocab.encode(["no consolidation", "unseenword"], length=4)
    assert ids.shape == (2, 4) and ids[1, 0] == 1 and ids[1, 1] == 0
    torch.manual_seed(0)
    model = TextCNN(len(vocab))
    table = token_attributions(model, vocab, "No focal consolidation.")
    assert list(table["word"]) == ["no", "focal", "consolidation"]
    with torch.no_grad():
        gap = (model(vocab.encode(["No focal consolidation."], 3)) - model(torch.zeros(1, 3, dtype=torch.long))).item()
    assert table["attribution"].sum() == pytest.approx(gap, abs=0.05 + table.attrs["delta"])


class BrightElsewhere(Bright):
    """The same 'model' reading another square: what a model trained on other labels might do."""

    def forward(self, X):
        return self.conv(X)[:, :, 10:14, 10:14].mean(dim=(2, 3))


def test_label_randomisation_test_same_and_different_models():
    X = _films(3, 16)
    methods = ["Saliency", "Integrated Gradients", "Grad-CAM"]
    same = label_randomisation_test(Bright(), Bright(), X, methods, "conv")
    assert list(same.index) == methods and np.allclose(same, 1)
    other = label_randomisation_test(Bright(), BrightElsewhere(), X, methods, "conv")
    assert (other[["Saliency", "Integrated Gradients"]] < 0.5).all(), other


def test_rank_agreement():
    import pandas as pd

    a = pd.Series([3.0, 2.0, 1.0, 0.5], index=list("abcd"))
    assert rank_agreement(a, a) == pytest.approx(1)
    assert rank_agreement(a, -a[::-1]) == pytest.approx(1)  # magnitudes compared, order of rows irrelevant
    assert rank_agreement(a, pd.Series([1.0, 2.0, 3.0], index=list("abc"))) == pytest.approx(-1)
    with pytest.raises(ValueError, match="share"):
        rank_agreement(a, pd.Series([1.0, 2.0], index=list("ab")))


def test_attention_and_gradients_and_patch_deletion():
    torch.manual_seed(0)
    model = CrossAttentionFusion(num_clinical=3, num_patches=4, patch_dim=5, d_model=8, num_heads=2).eval()
    clinical, patches = torch.randn(2, 3), torch.randn(2, 4, 5)
    baseline = torch.zeros(1, 4, 5)
    attention, ig = attention_and_gradients(model, clinical, patches, baseline)
    assert attention.shape == ig.shape == (2, 4)
    assert np.allclose(attention.sum(1), 1, atol=1e-5) and (ig >= 0).all()
    assert np.allclose(patch_deletion(model, clinical, patches, baseline, ig, k=0), 0)
    with torch.no_grad():
        full = (model.attend(clinical, patches)[0] - model.attend(clinical, baseline.expand(2, 4, 5))[0])[:, 0]
    assert np.allclose(patch_deletion(model, clinical, patches, baseline, ig, k=4), full.numpy(), atol=1e-5)


def test_rank_similarity_averages_ties():
    a, b = np.zeros((1, 8, 8)), np.zeros((1, 8, 8))
    a[0, :2, :2], b[0, 6:, 6:] = 1, 1  # two mostly-zero maps peaking in opposite corners
    assert rank_similarity(a, b)[0] < 0
