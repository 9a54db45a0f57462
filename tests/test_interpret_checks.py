"""Notebook 14's checkers accept the reference, explain the usual mistakes, and say 'not done'; the widget's logic."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib import checks  # noqa: E402
from course_lib.checks import ExerciseError, ExerciseNotDone  # noqa: E402
from course_lib.explain.attention import pointing_game  # noqa: E402
from course_lib.explain.imaging import choose_method  # noqa: E402
from course_lib.explain.modality import shapley_values  # noqa: E402

SCORES = pd.DataFrame({"pointing": [0.7, 0.9, 0.8], "IoU": [0.30, 0.25, 0.33]},
                      index=["Grad-CAM", "Guided Backprop", "Occlusion"])
SANITY = pd.Series({"Grad-CAM": 0.1, "Guided Backprop": 0.6, "Occlusion": 0.05})


def todo(*args, **kwargs):
    raise NotImplementedError()


def test_references_pass(capsys):
    checks.check_pointing_game(pointing_game)
    checks.check_shapley_values(shapley_values)
    checks.check_method_choice(choose_method, SCORES, SANITY)
    assert capsys.readouterr().out.count("✅") == 3


@pytest.mark.parametrize("check, args", [(checks.check_pointing_game, ()), (checks.check_shapley_values, ()),
                                         (checks.check_method_choice, (SCORES, SANITY))])
def test_not_done(check, args):
    with pytest.raises(ExerciseNotDone):
        check(todo, *args)


def _no_region(saliency, masks, region):
    flat = saliency.reshape(len(saliency), -1)
    return masks.reshape(len(masks), -1)[np.arange(len(masks)), flat.argmax(1)]


def _argmin(saliency, masks, region):
    flat = np.where(region, saliency, np.inf).reshape(len(saliency), -1)
    return masks.reshape(len(masks), -1)[np.arange(len(masks)), flat.argmin(1)]


@pytest.mark.parametrize("wrong, words", [
    (_no_region, "lung field"),
    (lambda s, m, r: np.array([True]), "one hit"),
    (lambda s, m, r: np.zeros(len(s), bool), "differ"),
])
def test_pointing_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_pointing_game(wrong)


def _leave_one_out(value, players):
    full = frozenset(players)
    return {p: value(full) - value(full - {p}) for p in players}


def _banzhaf(value, players):
    from itertools import combinations

    return {p: np.mean([value(frozenset(S) | {p}) - value(frozenset(S)) for k in range(len(players))
                        for S in combinations([q for q in players if q != p], k)]) for p in players}


@pytest.mark.parametrize("wrong, words", [
    (_leave_one_out, "ALL coalitions"),
    (_banzhaf, "Banzhaf"),
    (lambda value, players: {p: 0.1 for p in players}, "sum to"),
    (lambda value, players: [0.1, 0.2, 0.3], "dict"),
])
def test_shapley_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_shapley_values(wrong)


@pytest.mark.parametrize("answer, words", [
    (("Guided Backprop", "pointing", 0.9), "sanity check"),
    (("Grad-CAM", "IoU", 0.30), "beats"),
    (("Occlusion", "IoU", 0.5), "Quote the number"),
    (("SHAP", "IoU", 0.3), "one of"),
    ("Occlusion", "triple"),
])
def test_choice_mistakes(answer, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_method_choice(lambda scores, sanity: answer, SCORES, SANITY)


def test_choice_accepts_another_defended_metric(capsys):
    checks.check_method_choice(lambda s, q: ("Occlusion", "pointing", 0.8), SCORES, SANITY)
    assert "✅" in capsys.readouterr().out


def test_widget_logic_and_figures():
    from course_lib.models.fusion import SmallCNN
    from course_lib.viz.interpret import (
        plot_cascade,
        plot_explanation_card,
        plot_token_attributions,
    )
    from course_lib.widgets.interpret import (
        InterpretInputs,
        explain_film,
        interpret_widget,
        render_interpretation,
    )

    torch.manual_seed(0)
    model = SmallCNN(1).eval()
    rng = np.random.default_rng(0)
    films = rng.random((3, 64, 64)).astype(np.float32)
    masks = np.zeros((3, 64, 64), bool)
    masks[:, 20:30, 20:30] = True
    lungs = np.ones_like(masks)
    data = InterpretInputs(model, model.high, torch.tensor(films[:, None, ::2, ::2].copy()), films, masks, lungs)
    heat, scores = explain_film(data, 1, "Saliency")
    assert heat.shape == (64, 64) and set(scores) >= {"pointing", "IoU", "AUPRC"}
    with pytest.raises(ValueError):
        explain_film(data, 5, "Saliency")
    out = render_interpretation(data, 0, "Grad-CAM")
    assert 0 <= out["IoU"] <= 1
    assert interpret_widget(data) is not None
    plot_cascade(pd.DataFrame({"a": [0.9, 0.1]}, index=["up to head", "up to high"]), 0.4)
    table = pd.DataFrame({"word": ["no", "consolidation"], "attribution": [-1.0, 0.5]})
    table.attrs["probability"] = 0.1
    plot_token_attributions({"negated": table})
    plot_explanation_card({"title": "t", "film": films[0], "map": films[1], "mask": masks[0], "map_title": "m",
                           "features": pd.Series({"crp": 0.5, "spo2": -0.2}),
                           "modalities": pd.Series({"X-ray": 0.2}), "lines": ["a", "b"]})
    plt.close("all")
