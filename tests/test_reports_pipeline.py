"""Notebook 03's labeller, generator, decoding and metrics on a small cohort."""

import numpy as np
import pytest
import torch

from course_lib.models.clip import train_wordpiece
from course_lib.models.reports import ReportGenerator, cross_attention, target_text
from course_lib.preprocess.reports import FINDINGS, film_truth, label_reports, split_sections
from course_lib.synth import make_cohort
from course_lib.training.reports import (
    beam_decode,
    bleu_scores,
    clinical_scores,
    decode_text,
    errors_of,
    greedy_decode,
    train_generator,
)


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(300, seed=3, image_size=32)


def test_labeller_matches_the_generators_labels(cohort):
    got = label_reports(cohort.reports)
    for f in FINDINGS:
        agree = (got[f].fillna(9).to_numpy() == cohort.report_labels[f].fillna(9).to_numpy()).mean()
        assert agree >= 0.95, f


def test_sections_and_bad_input():
    parts = split_sections("EXAMINATION: PA.\nFINDINGS: No effusion.\nIMPRESSION: 1. Normal.")
    assert parts["FINDINGS"] == "No effusion." and parts["IMPRESSION"] == "1. Normal."
    with pytest.raises(TypeError, match="string"):
        split_sections(None)
    with pytest.raises(ValueError, match="IMPRESSION"):
        target_text("FINDINGS: nothing")


def test_true_reports_score_high_and_normal_report_zero(cohort):
    truth = film_truth(cohort.xray_truth)
    table = clinical_scores(cohort.reports, truth)
    assert table.loc["macro", "F1"] > 0.9 and table.attrs["hallucination"] == 0.0
    normal = ["FINDINGS: No focal consolidation. No pleural effusion.\nIMPRESSION: 1. No acute abnormality."]
    table = clinical_scores(normal * len(truth), truth)
    assert table.loc["macro", "F1"] == 0.0 and table.attrs["omission"] == 1.0
    assert errors_of(normal[0], np.array([1, 0, 0, 0, 0, 0], bool))["omitted"] == ["consolidation"]


def test_bleu_is_one_for_identical_and_checks_lengths():
    assert bleu_scores(["no pleural effusion ."], ["no pleural effusion ."])["BLEU-4"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="references"):
        bleu_scores(["a"], ["a", "b"])


def test_generator_trains_decodes_and_attends(cohort):
    torch.manual_seed(0)
    texts = [target_text(r) for r in cohort.reports[:64]]
    tok = train_wordpiece(texts, 200)
    ids = tok(texts, padding=True, return_tensors="pt")["input_ids"]
    X = torch.randn(64, 1, 32, 32)
    model = ReportGenerator(len(tok), dim=32, layers=1, max_len=ids.shape[1])
    hist = train_generator(model, X, ids, tok.pad_token_id, epochs=4, batch_size=32)
    assert hist["loss"][-1] < hist["loss"][0]
    g = greedy_decode(model, X[:4], tok.cls_token_id, tok.sep_token_id, max_len=ids.shape[1])
    b = beam_decode(model, X[:4], tok.cls_token_id, tok.sep_token_id, beams=1, max_len=ids.shape[1])
    assert torch.equal(g[:, :b.shape[1]], b[:, :g.shape[1]])  # one beam is greedy search
    assert len(decode_text(tok, g)) == 4
    w = cross_attention(model, X[:2], ids[:2])
    assert w.shape == (2, ids.shape[1], 16) and torch.allclose(w.sum(-1), torch.ones(2, ids.shape[1]))
    with pytest.raises(ValueError, match="32x32"):
        model.encode(torch.zeros(1, 1, 64, 64))


def test_widget_logic_and_figure(cohort):
    import matplotlib

    matplotlib.use("Agg")
    from course_lib.viz.reports import plot_report
    from course_lib.widgets.reports import generate_one

    texts = [target_text(r) for r in cohort.reports[:32]]
    tok = train_wordpiece(texts, 200)
    model = ReportGenerator(len(tok), dim=32, layers=1, max_len=40)
    x = torch.zeros(1, 32, 32)
    assert isinstance(generate_one(model, tok, x, beams=1), str)
    assert isinstance(generate_one(model, tok, x, beams=2), str)
    with pytest.raises(ValueError, match="beams"):
        generate_one(model, tok, x, beams=0)
    fig = plot_report(cohort.images[0], cohort.reports[0], film_truth(cohort.xray_truth)[0])
    assert len(fig.axes) == 2
