"""Notebook 03's labeller, prior films, generators, decoding and metrics on a small cohort."""

import io
import tarfile

import numpy as np
import pytest
import torch

from course_lib.models.clip import train_wordpiece
from course_lib.models.reports import FindingEncoder, ReportDecoder, cross_attention, target_text
from course_lib.preprocess.reports import (
    FINDINGS,
    film_truth,
    label_comparison,
    label_reports,
    labeller_agreement,
    split_sections,
)
from course_lib.synth import make_cohort
from course_lib.synth.xray_prior import comparison_text, render_priors
from course_lib.training.reports import (
    bleu_scores,
    clinical_scores,
    encode_films,
    errors_of,
    finding_weights,
    generate_reports,
    interval_scores,
    most_common_report,
    precision_thresholds,
    rouge_l,
    single_view_interval_guess,
    strip_comparison,
    template_report,
    train_decoder,
)


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(300, seed=3, image_size=64)


def test_labeller_matches_the_generators_labels(cohort):
    table = labeller_agreement(label_reports(cohort.reports), cohort.report_labels)
    assert (table["F1 (stated)"] >= 0.95).all() and (table["exact agreement"] >= 0.95).all(), table


def test_sections_and_bad_input():
    parts = split_sections("EXAMINATION: PA.\nFINDINGS: No effusion.\nIMPRESSION: 1. Normal.")
    assert parts["FINDINGS"] == "No effusion." and parts["IMPRESSION"] == "1. Normal."
    with pytest.raises(TypeError, match="string"):
        split_sections(None)
    with pytest.raises(ValueError, match="IMPRESSION"):
        target_text("FINDINGS: nothing")
    # negation in the middle of a sentence, as real (IU X-ray) reports write it
    assert label_reports(["FINDINGS: There is no focal consolidation.\nIMPRESSION: 1. Normal."])["consolidation"][0] == 0
    text = target_text("FINDINGS: a.\nIMPRESSION: b.", comparison="New cardiomegaly.")
    assert text.startswith("COMPARISON: New cardiomegaly.") and strip_comparison(text).startswith("FINDINGS")


def test_prior_films_are_deterministic_and_hold_only_todays_findings(cohort):
    images, plan = render_priors(cohort)
    again, _ = render_priors(cohort)
    assert images.shape == cohort.images.shape and np.array_equal(images, again)
    now, before = film_truth(cohort.xray_truth), film_truth(plan)
    assert not (before & ~now).any() and (now & ~before).any()
    assert (plan["view"] == "PA").all() and not np.array_equal(images, cohort.images)


def test_comparison_text_round_trips_through_the_labeller():
    said = np.array([1, 0, 0, 1, 1, 0], bool)
    prior = np.array([0, 0, 0, 0, 1, 0], bool)
    text = "COMPARISON: " + comparison_text(said, prior) + "\nFINDINGS: x.\nIMPRESSION: y."
    got = label_comparison(text)
    assert got["consolidation"] == 1 and got["effusion"] == 1 and got["cardiomegaly"] == 0
    assert np.isnan(got["oedema"])
    assert "No interval change" in comparison_text(np.zeros(6, bool), np.zeros(6, bool))


def test_true_reports_score_high_and_normal_report_zero(cohort):
    truth = film_truth(cohort.xray_truth)
    table = clinical_scores(cohort.reports, truth)
    assert table.loc["macro", "F1"] > 0.9 and table.attrs["hallucination"] == 0.0
    normal = ["FINDINGS: No focal consolidation. No pleural effusion.\nIMPRESSION: 1. No acute abnormality."]
    table = clinical_scores(normal * len(truth), truth)
    assert table.loc["macro", "F1"] == 0.0 and table.attrs["omission"] == 1.0
    assert errors_of(normal[0], np.array([1, 0, 0, 0, 0, 0], bool))["omitted"] == ["consolidation"]
    assert most_common_report(["a", "b", "a"]) == "a"


def test_template_states_exactly_its_calls():
    for calls in (np.zeros(6, bool), np.ones(6, bool), np.array([1, 0, 1, 0, 1, 0], bool)):
        said = clinical_scores([template_report(calls)], calls[None])
        assert said.attrs["hallucination"] == 0.0 and said.attrs["omission"] == 0.0


def test_bleu_and_rouge_are_one_for_identical_and_check_lengths():
    assert bleu_scores(["no pleural effusion ."], ["no pleural effusion ."])["BLEU-4"] == pytest.approx(1.0)
    assert rouge_l(["no pleural effusion"], ["no pleural effusion"]) == pytest.approx(1.0)
    assert rouge_l(["the heart is enlarged"], ["heart enlarged"]) == pytest.approx(2 * 0.5 * 1 / 1.5)
    with pytest.raises(ValueError, match="references"):
        bleu_scores(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="references"):
        rouge_l(["a"], ["a", "b"])


def test_interval_scores_and_single_view_guess():
    now = np.array([[1, 0, 0, 0, 1, 0]] * 4, bool)
    prior = np.array([[0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 1, 0]], bool)
    reports = ["COMPARISON: New consolidation. Cardiomegaly, unchanged.\nFINDINGS: x.\nIMPRESSION: y."] * 4
    table = interval_scores(reports, now, prior)
    assert table.loc["consolidation", "accuracy"] == 1.0 and table.loc["cardiomegaly", "accuracy"] == 0.75
    guess = single_view_interval_guess(now, prior, np.arange(4), np.arange(4))
    assert guess["consolidation"] == 1.0 and guess["cardiomegaly"] == 0.75


def test_encoder_decoder_trains_generates_and_attends(cohort):
    torch.manual_seed(0)
    texts = [target_text(r, comparison="Prior PA radiograph. No interval change.") for r in cohort.reports[:64]]
    tok = train_wordpiece(texts, 200)
    enc = tok(texts, padding=True, return_tensors="pt")
    X = torch.randn(64, 1, 64, 64)
    encoder = FindingEncoder()
    feats, probs = encode_films(encoder, X)
    assert feats.shape == (64, 16, 64) and probs.shape == (64, len(FINDINGS))
    views, tags = torch.stack([feats, feats], 1), torch.stack([probs, probs], 1)
    model = ReportDecoder(len(tok), num_views=2, layers=1, max_len=enc["input_ids"].shape[1] + 4,
                          pad_id=tok.pad_token_id, bos_id=tok.cls_token_id, eos_id=tok.sep_token_id)
    hist = train_decoder(model, views, tags, enc["input_ids"], enc["attention_mask"], epochs=3, batch_size=32)
    assert hist["loss"][-1] < hist["loss"][0]
    greedy = generate_reports(model, tok, views[:4], tags[:4], max_new_tokens=20)
    beam = generate_reports(model, tok, views[:4], tags[:4], max_new_tokens=20, num_beams=1)
    assert greedy == beam and len(greedy) == 4  # one beam is greedy search
    assert len(generate_reports(model, tok, views[:2], tags[:2], max_new_tokens=20, num_beams=3)) == 2
    w = cross_attention(model, views[:2], tags[:2], enc["input_ids"][:2])
    T = enc["input_ids"].shape[1]
    assert w.shape == (2, T, 2 * 16 + len(FINDINGS)) and torch.allclose(w.sum(-1), torch.ones(2, T), atol=1e-5)
    sides = encoder.sides(X)
    assert sides.shape == (64,) and set(sides.tolist()) <= {1, 2}
    assert len(generate_reports(model, tok, views[:2], tags[:2], side=sides[:2], max_new_tokens=10)) == 2
    with pytest.raises(ValueError, match="side"):
        model.memory(views[:2], tags[:2], side=torch.tensor([3, 0]))
    with pytest.raises(ValueError, match="views"):
        model.memory(feats[:, None], probs[:, None])
    with pytest.raises(ValueError, match="tags"):
        model.memory(views, probs[:, None])
    with pytest.raises(ValueError, match="num_views"):
        ReportDecoder(len(tok), num_views=3)
    with pytest.raises(ValueError, match="films"):
        encoder.patches(torch.zeros(1, 64, 64))


def test_finding_states_say_absent_new_or_unchanged():
    model = ReportDecoder(50, num_views=2, layers=1)
    now = torch.tensor([[1, 1, 0, 0, 0, 0]], dtype=torch.float32)
    prior = torch.tensor([[1, 0, 1, 0, 0, 0]], dtype=torch.float32)  # a finding only on the prior is not reported
    assert model.finding_states(torch.stack([now, prior], 1)).tolist() == [[2, 1, 0, 0, 0, 0]]
    one = ReportDecoder(50, num_views=1, layers=1)
    assert one.finding_states(now[:, None]).tolist() == [[1, 1, 0, 0, 0, 0]]
    memory = model.memory(torch.zeros(1, 2, 16, 64), torch.stack([now, prior], 1))
    assert memory.shape == (1, 2 * 16 + len(FINDINGS), 64)


def test_finding_weights_boost_rare_findings_and_check_their_input():
    tags = torch.zeros(10, 2, len(FINDINGS))
    tags[:5, 0, 0] = 1  # a common finding in half the films
    tags[5, 0, 2] = 1  # a rare one in one film
    w = finding_weights(tags)
    assert w[6:].eq(1).all() and w[5] > w[0] >= 1
    with pytest.raises(ValueError, match="weights"):
        train_decoder(None, None, tags, torch.zeros(10, 4, dtype=torch.long), torch.ones(10, 4),
                      weights=torch.ones(3))


def test_precision_thresholds_keep_the_most_calls_at_the_precision():
    y = np.array([[1], [1], [0], [1], [0], [0]])
    p = np.array([[0.9], [0.8], [0.7], [0.6], [0.5], [0.1]])
    assert precision_thresholds(y, p, 0.9)[0] == 0.7  # the top two only: 2/2
    assert precision_thresholds(y, p, 0.7)[0] == 0.5  # the top four: 3/4
    assert precision_thresholds(np.zeros((3, 1)), np.ones((3, 1)), 0.9)[0] == 1.0  # never reached: never called
    with pytest.raises(ValueError, match="precision"):
        precision_thresholds(y, p, 0.0)
    with pytest.raises(ValueError, match="shape"):
        precision_thresholds(y, p[:3], 0.9)


def test_attention_scoring_against_a_mask():
    from course_lib.explain.reports import attention_on_finding

    masks = np.zeros((2, 64, 64), bool)
    masks[:, :16, :16] = True  # the top-left patch of a 4x4 grid
    on = np.zeros((2, 16))
    on[:, 0] = 1.0
    got = attention_on_finding(on, masks)
    assert got["attention mass on finding"] == pytest.approx(1.0) and got["pointing game"] == 1.0
    assert got["uniform (chance)"] == pytest.approx(1 / 16)
    with pytest.raises(ValueError, match="square"):
        attention_on_finding(np.ones((2, 15)), masks)


def test_widget_logic_and_figures(cohort):
    import matplotlib

    matplotlib.use("Agg")
    from course_lib.viz.reports import plot_attention, plot_report
    from course_lib.widgets.reports import generate_one

    texts = [target_text(r) for r in cohort.reports[:32]]
    tok = train_wordpiece(texts, 200)
    model = ReportDecoder(len(tok), num_views=1, layers=1, max_len=40, pad_id=tok.pad_token_id,
                          bos_id=tok.cls_token_id, eos_id=tok.sep_token_id)
    f, t = torch.zeros(1, 16, 64), torch.zeros(1, 6)
    assert isinstance(generate_one(model, tok, f, t, beams=1), str)
    assert isinstance(generate_one(model, tok, f, t, beams=2, repetition_penalty=1.3, side=2), str)
    with pytest.raises(ValueError, match="beams"):
        generate_one(model, tok, f, t, beams=0)
    fig = plot_report(cohort.images[0], cohort.reports[0], film_truth(cohort.xray_truth)[0])
    assert len(fig.axes) == 2
    fig = plot_attention(cohort.images[:2], np.ones((2, 16)) / 16, cohort.masks["lungs"][:2])
    assert len(fig.axes) == 2


def _iu_xml(uid, findings, impression, mesh):
    return (f'<?xml version="1.0" encoding="utf-8"?><eCitation><uId id="{uid}"/><MedlineCitation><Article>'
            f'<Abstract><AbstractText Label="COMPARISON">None.</AbstractText>'
            f'<AbstractText Label="FINDINGS">{findings}</AbstractText>'
            f'<AbstractText Label="IMPRESSION">{impression}</AbstractText></Abstract></Article>'
            f'</MedlineCitation><MeSH><major>{mesh}</major></MeSH></eCitation>').encode()


def test_iu_reports_loader_on_a_format_exact_archive(tmp_path):
    from course_lib.datasets.reports import iu_report_text, load_iu_reports

    path = tmp_path / "NLMCXR_reports.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for k, (f, i, m) in enumerate([("Heart is enlarged.", "Cardiomegaly.", "Cardiomegaly/mild"),
                                       ("", "Normal chest.", "normal")]):
            data = _iu_xml(f"CXR{k + 1}", f, i, m)
            info = tarfile.TarInfo(f"ecgen-radiology/{k + 1}.xml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    frame = load_iu_reports(path)
    assert list(frame["uid"]) == ["CXR1", "CXR2"] and frame["mesh"].iloc[0] == "Cardiomegaly/mild"
    assert label_reports([iu_report_text(frame.iloc[0])])["cardiomegaly"].iloc[0] == 1.0
    with pytest.raises(FileNotFoundError, match="torchxrayvision"):
        load_iu_reports(tmp_path / "missing.tgz")


def test_dicom_sr_content_tree():
    import pydicom
    from pydicom.data import get_testdata_file

    from course_lib.datasets.reports import sr_content_tree

    tree = sr_content_tree(pydicom.dcmread(get_testdata_file("test-SR.dcm")))
    assert any(item["type"] == "NUM" and item["value"].endswith("cm") for item in tree)
    assert {"CONTAINS", "HAS CONCEPT MOD"} <= {item["relationship"] for item in tree}
    with pytest.raises(ValueError, match="Structured Report"):
        sr_content_tree(pydicom.dcmread(get_testdata_file("CT_small.dcm")))


def test_sides_follow_the_activation_map():
    encoder = FindingEncoder()
    with torch.no_grad():
        for m in encoder.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.fill_(0.1)  # every channel a positive blur of the film
        encoder.head.weight.fill_(1.0)
    X = torch.zeros(2, 1, 64, 64)
    X[0, :, 20:40, 5:20] = 5.0  # bright on the image's left: the patient's right
    X[1, :, 20:40, 45:60] = 5.0
    assert encoder.sides(X).tolist() == [1, 2]
