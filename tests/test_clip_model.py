"""The small CLIP of notebook 02: tokenizer, encoders, training step, zero-shot, search, attention."""

import numpy as np
import pytest
import torch

from course_lib.models.clip import (
    CLIP,
    ProjectionHead,
    embed_images,
    embed_texts,
    prompt_ensemble,
    report_text,
    token_patch_attention,
    tokenize,
    train_wordpiece,
    zero_shot_scores,
)
from course_lib.training.clip import train_clip
from course_lib.widgets.clip import impression, render_search, search_table

REPORTS = ["FINDINGS: Patchy consolidation in the right lower lobe. IMPRESSION: 1. Right lower lobe pneumonia.",
           "FINDINGS: No consolidation. Heart size is normal. IMPRESSION: 1. No acute cardiopulmonary process.",
           "FINDINGS: Small left pleural effusion. IMPRESSION: 1. Left pleural effusion.",
           "FINDINGS: The heart is enlarged. IMPRESSION: 1. Cardiomegaly."] * 4


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    tokenizer = train_wordpiece(REPORTS, vocab_size=120)
    model = CLIP(len(tokenizer), dim=16, text_hidden=32)
    return tokenizer, model


def test_tokenizer_wordpiece(tiny):
    tokenizer, _ = tiny
    ids = tokenizer("Consolidation unseenword")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids)[0] == "[CLS]" and tokenizer.convert_ids_to_tokens(ids)[-1] == "[SEP]"
    assert any(t.startswith("##") for t in tokenizer.tokenize("unseenword"))  # split into known pieces
    tok = tokenize(tokenizer, REPORTS[:3])
    assert tok["input_ids"].shape == tok["attention_mask"].shape and tok["attention_mask"][:, 0].all()


def test_encoders_are_unit_length(tiny):
    tokenizer, model = tiny
    X = torch.randn(16, 1, 32, 32)
    img = embed_images(model, X)
    txt = embed_texts(model, tokenizer, REPORTS)
    assert img.shape == txt.shape == (16, 16)
    assert torch.allclose(img.norm(dim=1), torch.ones(16), atol=1e-5)
    assert torch.allclose(txt.norm(dim=1), torch.ones(16), atol=1e-5)


def test_heads():
    assert isinstance(ProjectionHead(8, 4, "linear").net, torch.nn.Linear)
    assert ProjectionHead(8, 4, "mlp")(torch.randn(2, 8)).shape == (2, 4)
    with pytest.raises(ValueError):
        ProjectionHead(8, 4, "conv")


def test_training_lowers_loss_and_clamps_scale():
    torch.manual_seed(0)
    tokenizer = train_wordpiece(REPORTS, vocab_size=120)
    model = CLIP(len(tokenizer), dim=16, text_hidden=32, temperature=0.005)  # starts above the cap of 100
    X = torch.randn(16, 1, 32, 32)
    tok = tokenize(tokenizer, REPORTS)
    hist = train_clip(model, X, tok, num_epochs=6, batch_size=8, lr=3e-3)
    assert hist["loss"][-1] < hist["loss"][0]
    assert model.logit_scale.exp() <= 100 + 1e-3 and hist["scale"] <= 100
    for loss in ("triplet", "hard_info_nce"):
        assert np.isfinite(train_clip(model, X, tok, num_epochs=1, batch_size=8, loss=loss)["loss"]).all()


def test_prompt_ensemble_zero_shot_and_attention(tiny):
    tokenizer, model = tiny
    e = prompt_ensemble(torch.tensor([[3.0, 0.0], [0.0, 1.0]]))
    assert torch.allclose(e, torch.tensor([1.0, 1.0]) / 2**0.5)
    X = torch.randn(5, 1, 32, 32)
    p = zero_shot_scores(model, tokenizer, embed_images(model, X), ["pneumonia"], ["no acute process"])
    assert p.shape == (5,) and ((p > 0) & (p < 1)).all()
    tok = tokenize(tokenizer, REPORTS[:1])
    att = token_patch_attention(model, X[:1], tok["input_ids"], tok["attention_mask"])
    assert att.shape == (tok["input_ids"].shape[1], 16)
    assert torch.allclose(att.sum(1), torch.ones(len(att)), atol=1e-5)


def test_search_widget_logic(tiny):
    tokenizer, model = tiny
    images = np.random.default_rng(0).random((16, 32, 32))
    image_emb = embed_images(model, torch.tensor(images, dtype=torch.float32)[:, None])
    table = search_table("pleural effusion", model, tokenizer, image_emb, REPORTS, k=3)
    assert list(table.columns) == ["film", "cosine", "impression"] and len(table) == 3
    assert table["cosine"].is_monotonic_decreasing
    assert impression(REPORTS[0]) == "1. Right lower lobe pneumonia."
    render_search("pleural effusion", table, images)
    with pytest.raises(ValueError):
        search_table("  ", model, tokenizer, image_emb, REPORTS)


def test_heads_only_training_on_features():
    from course_lib.models.clip import AlignmentHeads
    from course_lib.training.clip import train_heads

    g = torch.Generator().manual_seed(0)
    base = torch.randn(64, 8, generator=g)
    img, txt = base + 0.1 * torch.randn(64, 8, generator=g), base @ torch.randn(8, 6, generator=g)
    for loss in ("info_nce", "hard_info_nce", "triplet"):
        torch.manual_seed(0)
        heads = AlignmentHeads(8, 6, dim=4, head="mlp" if loss == "triplet" else "linear")
        losses = train_heads(heads, img, txt, num_epochs=15, batch_size=16, loss=loss)
        assert losses[-1] < losses[0]
    fixed = AlignmentHeads(8, 6, dim=4, temperature=1.0, learn_temperature=False)
    train_heads(fixed, img, txt, num_epochs=2, batch_size=16)
    assert abs(float(fixed.logit_scale)) < 1e-7


def test_report_text_keeps_what_the_film_shows():
    from course_lib.synth import make_cohort

    report = make_cohort(60, seed=1, image_size=32).reports
    with_rec = next(r for r in report if "RECOMMENDATION" in r)
    text = report_text(with_rec)
    lines = text.split("\n")
    assert lines[0] in ("Chest radiograph, PA view.", "Portable AP chest radiograph.")
    assert lines[1].startswith("IMPRESSION: 1.") and lines[2].startswith("FINDINGS: ")
    assert "COMPARISON" not in text and "RECOMMENDATION" not in text
    assert with_rec.split("FINDINGS: ")[1].split("\n")[0] in text
    with pytest.raises(ValueError, match="EXAMINATION"):
        report_text("FINDINGS: x IMPRESSION: y")


def test_semi_hard_triplet_trains():
    torch.manual_seed(0)
    tok = train_wordpiece(REPORTS, vocab_size=120)
    model = CLIP(len(tok), dim=16, text_hidden=32)
    X = torch.randn(len(REPORTS), 1, 32, 32)
    history = train_clip(model, X, tokenize(tok, REPORTS), num_epochs=2, batch_size=8, loss="triplet_semihard")
    assert len(history["loss"]) == 2 and np.isfinite(history["loss"]).all()
