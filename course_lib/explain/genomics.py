"""What a sequence model learned, scored against planted truth: filter PWMs, ISM, saliency (notebook 07)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch


@torch.no_grad()
def filters_to_pwms(model, X: np.ndarray, threshold: float = 0.5) -> list[np.ndarray]:
    """One (width, 4) probability matrix per first-layer filter, from the windows it fires on.

    The DeepBind/Basset recipe: collect every sequence window (on either strand) whose
    activation exceeds `threshold` x the filter's maximum, and count the bases (notebook 07).
    """
    x = torch.as_tensor(X, dtype=torch.float32)
    both = torch.cat([x, x.flip(1, 2)])  # (2n, L, 4): the sequences and their other strands
    act = torch.relu(model.conv(both.transpose(1, 2)))  # (2n, F, L')
    width = model.conv.kernel_size[0]
    windows = both.unfold(1, width, 1)  # (2n, L', 4, width)
    pwms = []
    for f in range(act.shape[1]):
        a = act[:, f]
        hits = a > threshold * a.max().clamp_min(1e-8)
        counts = windows[hits].sum(0).T.numpy() + 0.25  # (width, 4), small pseudocount
        pwms.append(counts / counts.sum(1, keepdims=True))
    return pwms


def pwm_similarity(p: np.ndarray, q: np.ndarray, min_overlap: int = 6) -> tuple[float, int, str]:
    """Best mean column-wise Pearson correlation of two (L, 4) PWMs over offsets and strands.

    Returns (similarity in [-1, 1], offset of q in p, strand of q); as Tomtom's Pearson
    score, without the p-value (notebook 07).
    """
    best = (-1.0, 0, "+")
    for strand, qq in (("+", q), ("-", q[::-1, ::-1])):
        for off in range(-(len(qq) - min_overlap), len(p) - min_overlap + 1):
            i0, j0 = max(off, 0), max(-off, 0)
            n = min(len(p) - i0, len(qq) - j0)
            if n < min_overlap:
                continue
            a = p[i0:i0 + n] - p[i0:i0 + n].mean(1, keepdims=True)
            b = qq[j0:j0 + n] - qq[j0:j0 + n].mean(1, keepdims=True)
            r = (a * b).sum(1) / np.sqrt((a ** 2).sum(1) * (b ** 2).sum(1) + 1e-12)
            if r.mean() > best[0]:
                best = (float(r.mean()), off, strand)
    return best


def match_filters(pwms: list[np.ndarray], motifs: dict[str, np.ndarray]) -> pd.DataFrame:
    """For each motif: the best-matching filter, its similarity, offset and strand (notebook 07)."""
    rows = []
    for name, motif in motifs.items():
        scores = [pwm_similarity(pwm, motif) for pwm in pwms]
        f = int(np.argmax([s[0] for s in scores]))
        rows.append({"motif": name, "best filter": f, "similarity": scores[f][0],
                     "offset": scores[f][1], "strand": scores[f][2]})
    return pd.DataFrame(rows).set_index("motif")


@torch.no_grad()
def in_silico_mutagenesis(model, X: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """(n, L, 4) change of the model's logit for every single-base substitution (notebook 07).

    Entry [i, j, b] = score(sequence i with base b at position j) - score(sequence i);
    zero for the reference base. The exhaustive, model-agnostic variant-effect map.
    """
    X = np.asarray(X, dtype=np.float32)
    n, L, _ = X.shape
    model.eval()
    eye, j = np.eye(4, dtype=np.float32), np.arange(L)
    result = np.empty((n, L, 4), dtype=np.float32)
    for i in range(n):  # one sequence at a time keeps memory at L*4 copies
        muts = np.repeat(X[i][None, None], L, 0).repeat(4, 1)  # (L, 4, L, 4): one copy per edit
        muts[j, :, j, :] = eye  # copy (j, b) has base b at position j
        flat = torch.from_numpy(muts.reshape(-1, L, 4))
        out = torch.cat([model(flat[a:a + batch_size]) for a in range(0, len(flat), batch_size)])
        result[i] = out.numpy().reshape(L, 4)
    ref = model(torch.from_numpy(X)).numpy()  # (n,)
    return result - ref[:, None, None]


def saliency(model, X: np.ndarray) -> np.ndarray:
    """(n, L) gradient x input of the logit w.r.t. the one-hot sequence (notebook 07)."""
    x = torch.tensor(np.asarray(X, dtype=np.float32), requires_grad=True)
    model.eval()
    model(x).sum().backward()
    return (x.grad * x).sum(-1).detach().numpy()


def position_importance(ism: np.ndarray) -> np.ndarray:
    """(n, L) how much the worst substitution at each position lowers the score (notebook 07)."""
    return np.maximum(-ism.min(-1), 0.0)


def peak_in_sites(importance: np.ndarray, site_mask: np.ndarray, tolerance: int = 0) -> np.ndarray:
    """(n,) bool: whether each sequence's most important position lies in a planted site (notebook 07)."""
    peak = np.abs(importance).argmax(1)
    mask = site_mask.copy()
    for t in range(1, tolerance + 1):  # widen each site by `tolerance` bases on both sides
        mask[:, t:] |= site_mask[:, :-t]
        mask[:, :-t] |= site_mask[:, t:]
    return mask[np.arange(len(peak)), peak]
