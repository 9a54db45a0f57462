"""Notebook 08: the ward generator, feature blocks, causal models, widget logic."""

import matplotlib
import numpy as np
import pytest
import torch

from course_lib.models.vitals import VITALS_MODELS, MaskedBCE, time_encoding
from course_lib.preprocess.vitals import feature_blocks, news2_hourly, qsofa_hourly
from course_lib.synth.ward import LABS, VITALS, make_ward_stays
from course_lib.widgets.vitals import alarm_summary, render_timeline

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def stays():
    return make_ward_stays(120, seed=3)


def test_generator_is_deterministic_and_shaped(stays):
    again = make_ward_stays(120, seed=3)
    assert np.array_equal(np.nan_to_num(stays.vitals, nan=-1), np.nan_to_num(again.vitals, nan=-1))
    assert stays.notes.equals(again.notes)
    assert stays.vitals.shape == (120, 48, len(VITALS)) and stays.labs.shape == (120, 48, len(LABS))
    assert not np.array_equal(np.nan_to_num(make_ward_stays(120, seed=4).vitals), np.nan_to_num(stays.vitals))
    with pytest.raises(ValueError, match="hours >= 24"):
        make_ward_stays(10, hours=12)


def test_ground_truth_labels_and_time_order(stays):
    y = stays.labels()
    septic = np.isfinite(stays.onset)
    assert 0.05 < septic.mean() < 0.4
    for i in np.flatnonzero(septic)[:10]:
        first = int(np.argmax(np.nan_to_num(y[i]) == 1))
        assert first == max(int(stays.onset[i]) - 6, 0)
    assert np.all(np.isnan(y[~stays.valid()])) and np.all(np.isnan(stays.vitals[~stays.valid()]))
    # A lab result is never known before its sample was drawn.
    hours = np.arange(48)[None, :, None]
    first_result = np.where(~np.isnan(stays.labs), hours, 99).min(1)
    first_draw = np.where(~np.isnan(stays.labs_drawn), hours, 99).min(1)
    assert np.all(first_result >= first_draw)
    # The septic prodrome shows in the physiology: higher heart rate before onset than at admission.
    i = np.flatnonzero(septic & (stays.onset > 20))
    hr = stays.vitals[..., 0]
    late = np.concatenate([hr[j, int(stays.onset[j]) - 3:int(stays.onset[j])] for j in i])
    assert np.nanmean(late) - np.nanmean(hr[i, :3]) > 5
    exact = stays.vitals_time[~np.isnan(stays.vitals_time)]
    assert exact.min() >= 0 and exact.max() < 48


def test_subset_renumbers_notes(stays):
    part = stays.subset(np.array([5, 7]))
    assert len(part) == 2 and set(part.notes.patient) <= {0, 1}
    assert part.notes.text.tolist() == stays.notes[stays.notes.patient.isin([5, 7])].text.tolist()


def test_feature_blocks_and_scores(stays):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(binary=True)
    blocks, stats = feature_blocks(stays, vectorizer=vec, fit=True)
    assert blocks["vitals"].shape == (120, 48, 27) and not np.isnan(blocks["vitals"]).any()
    assert blocks["labs"].shape == (120, 48, 15) and blocks["leak"].shape == (120, 48, 2)
    assert blocks["notes"].shape[-1] == len(vec.vocabulary_) + 1
    again, _ = feature_blocks(stays, stats, vec)
    assert np.array_equal(again["vitals"], blocks["vitals"])
    news, q = news2_hourly(stays), qsofa_hourly(stays)
    assert np.nanmax(news) <= 20 and np.nanmin(q) >= 0 and np.isnan(news[~stays.valid()]).all()


@pytest.mark.parametrize("name", list(VITALS_MODELS))
def test_models_are_causal(name):
    torch.manual_seed(0)
    model = VITALS_MODELS[name](10).eval()
    x = torch.randn(2, 24, 10)
    x[..., -1] = torch.arange(24) / 48.0
    out = model(x)
    assert out.shape == (2, 24)
    changed = x.clone()
    changed[:, 15:, :-1] += 5.0  # change the future only
    assert torch.allclose(model(changed)[:, :15], out[:, :15], atol=1e-5), "a score saw the future"
    assert not torch.allclose(model(changed)[:, 15:], out[:, 15:])


def test_time_encoding_and_masked_loss():
    enc = time_encoding(torch.tensor([0.0, 1.5, 30.0]), 8)
    assert enc.shape == (3, 8) and torch.all(enc.abs() <= 1)
    logits = torch.tensor([[0.0, 2.0, 5.0]])
    y = torch.tensor([[0.0, 1.0, float("nan")]])
    want = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, :2], y[:, :2])
    assert torch.isclose(MaskedBCE()(logits, y), want)


def test_alarm_summary_and_render(stays):
    p = np.zeros(30)
    p[[10, 11, 12, 20]] = 0.9
    s = alarm_summary(p, onset=16.0, threshold=0.5)
    assert s["alarms"] == 2 and s["alarm hours"] == [10, 20] and s["lead time (h)"] == 6.0
    assert alarm_summary(p, np.nan, 0.5)["lead time (h)"] is None
    i = int(np.flatnonzero(np.isfinite(stays.onset))[0])
    scores = {"risk": np.random.default_rng(0).random((120, 48))}
    fig, summary = render_timeline(stays, scores, i, 0.8)
    assert len(fig.axes) == 6 and "alarms" in summary
    matplotlib.pyplot.close(fig)


def test_ward_stream_is_its_own():
    from course_lib.synth.config import STREAMS

    assert list(STREAMS.values()).count(STREAMS["ward"]) == 1
