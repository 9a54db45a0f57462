"""Train and run the report generators; score reports by n-grams and by clinical truth (notebook 03)."""

from __future__ import annotations

import re
import time
from collections import Counter

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_lib.models.reports import FindingEncoder, ReportDecoder
from course_lib.preprocess.reports import FINDINGS, label_comparison, label_reports, stated
from course_lib.synth.xray_prior import comparison_text
from course_lib.training.loop import fit


def train_finding_encoder(X: torch.Tensor, Y: np.ndarray, epochs: int = 15, batch_size: int = 64,
                          lr: float = 3e-3, seed: int = 0) -> tuple[FindingEncoder, dict]:
    """The image encoder, trained once as a multi-label classifier of the findings (notebook 03).

    X (n, 1, 64, 64) films, Y (n, findings) 0/1. Positives are up-weighted by sqrt(neg/pos):
    rare findings (oedema in 5% of films) would otherwise be ignored.
    """
    torch.manual_seed(seed)
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float32))
    pos = Y.mean(0).clamp(min=1e-3)
    model = FindingEncoder()
    loader = DataLoader(TensorDataset(X, Y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    history = fit(model, loader, num_epochs=epochs, lr=lr, weight_decay=1e-4, progress=False,
                  loss_fn=nn.BCEWithLogitsLoss(pos_weight=((1 - pos) / pos).sqrt()))
    return model.eval(), history


@torch.no_grad()
def encode_films(encoder: FindingEncoder, X: torch.Tensor, grid: int = 4,
                 batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Frozen patch features (n, grid*grid, D), pooled from the 8x8 map, and finding probabilities (n, findings).

    A 4x4 grid (16 px patches of a 64 px film) keeps the decoder's cross-attention cheap (notebook 03).
    """
    encoder.eval()
    feats, probs = [], []
    for xb in X.split(batch_size):
        probs.append(torch.sigmoid(encoder(xb)))
        feats.append(encoder.patches(xb, grid))  # (B, N, D)
    return torch.cat(feats), torch.cat(probs)


def finding_weights(tags: torch.Tensor, power: float = 1.0) -> torch.Tensor:
    """(n,) sampling weight of each film: (rate of its rarest called finding)^-power, normal films 1 (notebook 03).

    tags (n, V, findings) 0/1 calls; today's view counts. A decoder sees a finding only in the films
    that have it: oedema in 6% of the films would be written a few dozen times per epoch.
    """
    now = tags[:, 0] > 0.5  # (n, findings)
    rate = now.float().mean(0).clamp(min=1e-3)  # (findings,)
    normal_rate = (~now.any(1)).float().mean().clamp(min=1e-3)
    boost = torch.where(now, (normal_rate / rate) ** power, torch.zeros_like(rate)).amax(1)  # (n,)
    return boost.clamp(min=1.0)


def train_decoder(model: ReportDecoder, feats: torch.Tensor, tags: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor,
                  epochs: int = 12, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                  weights: torch.Tensor | None = None, side: torch.Tensor | None = None) -> dict:
    """Teacher forcing on frozen features: cross-entropy of every next token (notebook 03).

    feats (n, V, N, D), tags (n, V, findings), ids/mask (n, T), side (n,) or None. Batches hold reports of similar length (bucketing), so
    a batch is padded to its own longest report, not the corpus's: about half the compute. weights (n,): each epoch
    draws n films with replacement in proportion to them (e.g. finding_weights), instead of every film once.
    """
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if weights is not None and (weights.shape != (len(ids),) or (weights < 0).any() or weights.sum() <= 0):
        raise ValueError(f"weights must be ({len(ids)},) non-negative with a positive sum, got {tuple(weights.shape)}")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    lengths = mask.sum(1)
    n_batches = (len(ids) + batch_size - 1) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * n_batches, pct_start=0.15)
    history, start = [], time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = (torch.randperm(len(ids), generator=gen) if weights is None
                 else torch.multinomial(weights.double(), len(ids), replacement=True, generator=gen))
        chunks = order.split(batch_size * 8)  # sort within chunks of 8 batches, then shuffle the batches
        batches = [b for c in chunks for b in c[lengths[c].argsort()].split(batch_size)]
        total = 0.0
        for k in torch.randperm(len(batches), generator=gen).tolist():
            b = batches[k]
            T = int(lengths[b].max())
            loss = model(feats[b], tags[b], ids[b, :T], mask[b, :T], side=None if side is None else side[b]).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        history.append(total / len(ids))
    model.eval()
    return {"loss": history, "seconds": time.perf_counter() - start}


def decode_text(tokenizer, ids: torch.Tensor) -> list[str]:
    """Token ids -> report text with its section headers on their own lines (notebook 03)."""
    out = []
    for t in tokenizer.batch_decode(ids, skip_special_tokens=True):
        t = re.sub(r" ([.,:;?])", r"\1", t)  # WordPiece decodes "no effusion ." with a space
        for head in ("comparison", "findings", "impression"):
            t = t.replace(f"{head}:", f"\n{head.upper()}:")
        out.append(t.strip())
    return out


def generate_reports(model: ReportDecoder, tokenizer, feats: torch.Tensor, tags: torch.Tensor,
                     side: torch.Tensor | None = None, batch_size: int = 256, **generate_kwargs) -> list[str]:
    """Reports for many films; generate_kwargs go to transformers' generate (num_beams, ...) (notebook 03)."""
    texts = []
    for b in torch.arange(len(feats)).split(batch_size):
        ids = model.generate(feats[b], tags[b], side=None if side is None else side[b], **generate_kwargs)
        texts += decode_text(tokenizer, ids)
    return texts


_TEMPLATE = {  # finding: (sentence if present, sentence if absent or None, impression line or None)
    "consolidation": ("Focal airspace opacity, consistent with consolidation.", "No focal consolidation.",
                      "Pneumonia."),
    "atelectasis": ("Minor basal atelectasis.", None, None),
    "oedema": ("Pulmonary vascular congestion with interstitial oedema.", "No pulmonary oedema.",
               "Pulmonary oedema."),
    "effusion": ("Pleural effusion.", "No pleural effusion.", "Pleural effusion."),
    "cardiomegaly": ("The heart is enlarged.", "Heart size is normal.", "Cardiomegaly."),
    "hyperinflation": ("The lungs are hyperinflated.", None, "Hyperinflation, consistent with COPD."),
}


def template_report(present, prior=None) -> str:
    """Classify-then-template: one fixed sentence per finding the classifier calls (notebook 03).

    present: (findings,) bool in FINDINGS order. prior: the calls on the prior film, to write a
    COMPARISON line (new or unchanged); None writes no comparison.
    """
    head = "" if prior is None else f"COMPARISON: {comparison_text(present, prior)}\n"
    findings, impression = [], []
    for f, yes in zip(FINDINGS, present, strict=True):
        yes_text, no_text, imp = _TEMPLATE[f]
        findings += [yes_text] if yes else [no_text] if no_text else []
        impression += [imp] if yes and imp else []
    findings.append("No acute osseous abnormality.")
    impression = impression or ["No acute cardiopulmonary process."]
    return (head + "FINDINGS: " + " ".join(findings) + "\nIMPRESSION: "
            + " ".join(f"{k + 1}. {s}" for k, s in enumerate(impression)))


def most_common_report(reports: list[str]) -> str:
    """The single most frequent training report: the "always normal" baseline (notebook 03)."""
    return Counter(reports).most_common(1)[0][0]


def retrieve_reports(train_feats: torch.Tensor, test_feats: torch.Tensor, train_reports: list[str]) -> list[str]:
    """Nearest training film by cosine similarity of image embeddings; its report is the answer (notebook 03)."""
    sim = F.normalize(test_feats, dim=1) @ F.normalize(train_feats, dim=1).T  # (n_test, n_train)
    return [train_reports[j] for j in sim.argmax(1).tolist()]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower())


def bleu_scores(references: list[str], hypotheses: list[str]) -> dict[str, float]:
    """Corpus BLEU-1..4 with nltk on lower-cased word tokens, one reference per film (notebook 03)."""
    from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} generated reports")
    refs = [[_words(r)] for r in references]
    hyps = [_words(h) for h in hypotheses]
    smooth = SmoothingFunction().method1
    weights = {1: (1, 0, 0, 0), 2: (0.5, 0.5, 0, 0), 3: (1 / 3,) * 3 + (0,), 4: (0.25,) * 4}
    return {f"BLEU-{n}": corpus_bleu(refs, hyps, weights=w, smoothing_function=smooth) for n, w in weights.items()}


def rouge_l(references: list[str], hypotheses: list[str]) -> float:
    """Mean ROUGE-L F-measure (longest common subsequence) with Google's rouge-score (notebook 03)."""
    from rouge_score import rouge_scorer

    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} generated reports")
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    return float(np.mean([scorer.score(r, h)["rougeL"].fmeasure for r, h in zip(references, hypotheses, strict=True)]))


def clinical_scores(reports: list[str], truth: np.ndarray) -> pd.DataFrame:
    """Per-finding precision, recall, F1 of what the reports state (labeller) vs a truth (notebook 03).

    truth (n, findings) bool: the film's ground truth, or what the reference reports state (the
    field's usual "clinical efficacy", since real films have no ground truth). Also the
    hallucination rate (stated but absent: share of stated findings) and the omission rate
    (present but not stated: share of present findings). Macro row at the bottom.
    """
    pred = stated(label_reports(reports))  # (n, findings) bool
    truth = np.asarray(truth, dtype=bool)
    if pred.shape != truth.shape:
        raise ValueError(f"{pred.shape[0]} reports but truth has shape {truth.shape}")
    rows = []
    for j, f in enumerate(FINDINGS):
        tp = int((pred[:, j] & truth[:, j]).sum())
        p = tp / max(pred[:, j].sum(), 1)
        r = tp / max(truth[:, j].sum(), 1)
        rows.append({"finding": f, "precision": p, "recall": r, "F1": 2 * p * r / max(p + r, 1e-12),
                     "stated": int(pred[:, j].sum()), "present": int(truth[:, j].sum())})
    table = pd.DataFrame(rows).set_index("finding")
    table.loc["macro"] = table.mean()
    table.attrs["hallucination"] = float((pred & ~truth).sum() / max(pred.sum(), 1))
    table.attrs["omission"] = float((truth & ~pred).sum() / max(truth.sum(), 1))
    table.attrs["reports_with_hallucination"] = float((pred & ~truth).any(1).mean())
    return table


def interval_scores(reports: list[str], truth_now: np.ndarray, truth_prior: np.ndarray) -> pd.DataFrame:
    """Per finding: how often 'new' vs 'unchanged' is right where the report states a true finding (notebook 03).

    Only films where the finding is on today's film and the report says new or unchanged count.
    """
    said = pd.DataFrame([label_comparison(r) for r in reports], columns=list(FINDINGS)).to_numpy()
    now, prior = np.asarray(truth_now, bool), np.asarray(truth_prior, bool)
    rows = {}
    for j, f in enumerate(FINDINGS):
        ok = now[:, j] & ~np.isnan(said[:, j])
        new = now[ok, j] & ~prior[ok, j]
        rows[f] = {"films": int(ok.sum()), "truly new": int(new.sum()),
                   "accuracy": float(((said[ok, j] == 1) == new).mean()) if ok.any() else np.nan}
    return pd.DataFrame(rows).T


def errors_of(report: str, truth_row: np.ndarray) -> dict[str, list[str]]:
    """{'hallucinated': [...], 'omitted': [...]} findings of one report against one film (notebook 03)."""
    pred = stated(label_reports([report]))[0]
    truth_row = np.asarray(truth_row, dtype=bool)
    return {"hallucinated": [f for f, p, t in zip(FINDINGS, pred, truth_row, strict=True) if p and not t],
            "omitted": [f for f, p, t in zip(FINDINGS, pred, truth_row, strict=True) if t and not p]}


def most_dangerous(drafts: list[str], truth_row) -> int:
    """Index of the draft whose errors would harm the patient most: omissions weigh 3, hallucinations 1 (notebook 03).

    A missed finding leaves a patient untreated; a hallucinated one costs a repeat film or a test.
    """
    costs = []
    for draft in drafts:
        err = errors_of(draft, truth_row)
        costs.append(3 * len(err["omitted"]) + len(err["hallucinated"]))
    return int(np.argmax(costs))


def strip_comparison(report: str) -> str:
    """The report without its COMPARISON line, to score FINDINGS and IMPRESSION alone (notebook 03)."""
    return "\n".join(line for line in report.splitlines() if not line.startswith("COMPARISON:")).strip()


def majority_new(truth_now: np.ndarray, truth_prior: np.ndarray, train: np.ndarray) -> np.ndarray:
    """(findings,) bool: is 'new' the more frequent answer for each finding on the training films (notebook 03)."""
    now, prior = np.asarray(truth_now, bool)[train], np.asarray(truth_prior, bool)[train]
    return np.array([(~prior[now[:, j], j]).mean() >= 0.5 if now[:, j].any() else True
                     for j in range(len(FINDINGS))])


def single_view_interval_guess(truth_now: np.ndarray, truth_prior: np.ndarray, train: np.ndarray,
                               test: np.ndarray) -> pd.Series:
    """Best accuracy of 'new' vs 'unchanged' without the prior: the majority answer of the training films (notebook 03).

    Whether a finding was already there last time is not in today's pixels, so no one-view
    model can beat the majority guess on average.
    """
    now, prior = np.asarray(truth_now, bool), np.asarray(truth_prior, bool)
    out = {}
    for j, f in enumerate(FINDINGS):
        tr, te = train[now[train, j]], test[now[test, j]]
        guess_new = (~prior[tr, j]).mean() >= 0.5 if len(tr) else True
        out[f] = float(((~prior[te, j]) == guess_new).mean()) if len(te) else np.nan
    return pd.Series(out, name="single-view best guess")


def precision_thresholds(truth: np.ndarray, probs: np.ndarray, precision: float = 0.9) -> np.ndarray:
    """(findings,) the lowest threshold at which each finding's calls reach `precision` on validation (notebook 03).

    truth, probs (n, findings); a finding is called when probs > threshold. "State a finding only where,
    on the validation films, at least 9 of 10 such statements were true": the most calls that keep a
    hallucination rate of about 1 - precision. A finding that never reaches it is never called (threshold 1).
    """
    truth, probs = np.asarray(truth, dtype=bool), np.asarray(probs, dtype=float)
    if truth.shape != probs.shape or truth.ndim != 2:
        raise ValueError(f"truth and probs must be (films, findings) of the same shape, got {truth.shape}, {probs.shape}")
    if not 0 < precision <= 1:
        raise ValueError(f"precision must be in (0, 1], got {precision}")
    out = np.ones(truth.shape[1])
    for j in range(truth.shape[1]):
        order = np.argsort(-probs[:, j], kind="stable")
        p_sorted, hits = probs[order, j], np.cumsum(truth[order, j])
        prec = hits / np.arange(1, len(order) + 1)  # precision when the top m films are called
        # a cut is only possible between distinct scores: keep m where the next score is lower
        valid = np.r_[p_sorted[1:] < p_sorted[:-1], True]
        ok = np.flatnonzero(valid & (prec >= precision))
        if len(ok):
            m = ok.max()  # the most calls that still reach the precision
            out[j] = p_sorted[m + 1] if m + 1 < len(order) else min(p_sorted[m] - 1e-9, 0.0)
    return out
