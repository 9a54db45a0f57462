"""Train and decode the report generator; score reports by n-grams and by clinical truth (notebook 03)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from course_lib.models.reports import ReportGenerator
from course_lib.preprocess.reports import FINDINGS, label_reports, stated


def train_generator(model: ReportGenerator, X: torch.Tensor, ids: torch.Tensor, pad_id: int,
                    epochs: int = 20, batch_size: int = 64, lr: float = 3e-3, seed: int = 0) -> dict:
    """Teacher forcing: cross-entropy of every next token given the film and the true prefix (notebook 03).

    X (n, 1, H, W) films, ids (n, T) token ids [CLS] ... [SEP] [PAD]...; returns loss per epoch and seconds.
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(X) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    history, start = [], time.perf_counter()
    model.train()
    for _ in range(epochs):
        total = 0.0
        for b in torch.randperm(len(X), generator=gen).split(batch_size):
            inp, tgt = ids[b, :-1], ids[b, 1:]  # predict token t+1 from tokens <= t
            logits = model(X[b], inp, pad_mask=inp == pad_id)  # (B, T-1, vocab)
            loss = F.cross_entropy(logits.transpose(1, 2), tgt, ignore_index=pad_id)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        history.append(total / len(X))
    model.eval()
    return {"loss": history, "seconds": time.perf_counter() - start}


@torch.no_grad()
def greedy_decode(model: ReportGenerator, X: torch.Tensor, bos_id: int, eos_id: int,
                  max_len: int = 80) -> torch.Tensor:
    """Most probable next token at every step, whole batch at once: (B, <= max_len) ids (notebook 03)."""
    model.eval()
    memory = model.encode(X)  # (B, N, dim)
    ids = torch.full((len(X), 1), bos_id, dtype=torch.long)
    done = torch.zeros(len(X), dtype=torch.bool)
    for _ in range(max_len - 1):
        nxt = model.decode(memory, ids)[:, -1].argmax(-1)  # (B,)
        nxt = torch.where(done, eos_id, nxt)
        ids = torch.cat([ids, nxt[:, None]], dim=1)
        done |= nxt == eos_id
        if done.all():
            break
    return ids


@torch.no_grad()
def beam_decode(model: ReportGenerator, X: torch.Tensor, bos_id: int, eos_id: int, beams: int = 3,
                max_len: int = 80, length_penalty: float = 1.0) -> torch.Tensor:
    """Beam search, batched over films x beams; best beam by log-prob / length**length_penalty (notebook 03)."""
    model.eval()
    B, k = len(X), beams
    memory = model.encode(X).repeat_interleave(k, dim=0)  # (B*k, N, dim)
    ids = torch.full((B * k, 1), bos_id, dtype=torch.long)
    score = torch.full((B, k), -1e9)
    score[:, 0] = 0.0  # all beams start identical: keep one alive
    done = torch.zeros(B * k, dtype=torch.bool)
    for _ in range(max_len - 1):
        logp = F.log_softmax(model.decode(memory, ids)[:, -1], dim=-1)  # (B*k, V)
        logp[done] = -1e9
        logp[done, eos_id] = 0.0  # a finished beam only extends with EOS, at no cost
        V = logp.shape[1]
        cand = (score.reshape(-1, 1) + logp).reshape(B, k * V)  # (B, k*V)
        score, flat = cand.topk(k, dim=1)  # (B, k)
        origin = (flat // V) + torch.arange(B)[:, None] * k  # which beam each survivor extends
        ids = torch.cat([ids[origin.reshape(-1)], (flat % V).reshape(-1, 1)], dim=1)
        done = done[origin.reshape(-1)] | (ids[:, -1] == eos_id)
        if done.all():
            break
    length = ((ids != eos_id).sum(1) + 1).float().reshape(B, k)  # tokens up to and including EOS
    best = (score / length**length_penalty).argmax(1)  # (B,)
    return ids.reshape(B, k, -1)[torch.arange(B), best]


def decode_text(tokenizer, ids: torch.Tensor) -> list[str]:
    """Token ids -> report strings, cut at the first [SEP]; section headers restored (notebook 03)."""
    texts = tokenizer.batch_decode(ids, skip_special_tokens=True)
    return [t.replace("findings :", "FINDINGS:").replace("impression :", "\nIMPRESSION:").strip() for t in texts]


def retrieve_reports(train_feats: torch.Tensor, test_feats: torch.Tensor, train_reports: list[str]) -> list[str]:
    """Nearest training film by cosine similarity of image features; its report is the answer (notebook 03)."""
    sim = F.normalize(test_feats, dim=1) @ F.normalize(train_feats, dim=1).T  # (n_test, n_train)
    return [train_reports[j] for j in sim.argmax(1).tolist()]


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


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower())


def clinical_scores(reports: list[str], truth: np.ndarray) -> pd.DataFrame:
    """Per-finding precision, recall, F1 of what the reports state (labeller) vs the films' truth (notebook 03).

    Also the hallucination rate (stated but absent: share of stated findings) and the omission rate
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
