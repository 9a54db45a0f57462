"""DNA with planted transcription-factor sites from real JASPAR matrices, and ground truth (notebook 07).

The matrices are JASPAR 2024 CORE counts (Rauluseviciute et al., Nucleic Acids Res 2024),
exported from the JASPAR2024 database that pyjaspar 4.0.0 bundles; JASPAR data are
licensed CC BY 4.0. Rows A, C, G, T; one column per motif position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ALPHABET = "ACGT"  # code 0..3; the complement of code c is 3 - c
HUMAN_GC = 0.41  # GC fraction of the human genome (IHGSC, Nature 2001: 41%)

JASPAR_2024 = {  # name -> (JASPAR matrix ID, counts (4, L) in rows A, C, G, T)
    "CTCF": ("MA0139.2", [
        [281, 56, 8, 744, 40, 107, 851, 5, 333, 54, 12, 56, 104, 372, 82],
        [49, 800, 903, 13, 528, 433, 11, 0, 3, 12, 0, 8, 733, 13, 482],
        [449, 21, 0, 65, 334, 48, 32, 903, 566, 504, 890, 775, 5, 507, 307],
        [134, 36, 2, 91, 11, 324, 18, 3, 9, 341, 8, 71, 67, 17, 37]]),
    "CEBPB": ("MA0466.4", [
        [8993, 1, 0, 1855, 0, 101, 185, 11810, 11810, 2],
        [738, 2, 0, 1, 11810, 8, 10010, 81, 1, 2844],
        [2817, 0, 79, 9955, 2, 11810, 3, 0, 0, 737],
        [7, 11810, 11810, 182, 110, 0, 1800, 0, 0, 8966]]),
    "NFKB1": ("MA0105.4", [
        [8441, 9, 0, 4, 229, 12004, 7003, 22, 17, 497, 4, 6, 1231],
        [2013, 0, 3, 0, 3, 62, 18, 1311, 9574, 9536, 9591, 9642, 1293],
        [990, 19047, 19177, 19167, 19458, 821, 32, 116, 4, 1, 1, 2, 3348],
        [818, 5, 2, 318, 27, 27, 6744, 14372, 130, 3, 2, 8, 9386]]),
}
MOTIF_NAMES = tuple(JASPAR_2024)


def motif_probabilities(name: str, pseudocount: float = 0.5) -> np.ndarray:
    """(L, 4) position probability matrix of a JASPAR motif, rows summing to 1 (notebook 07)."""
    if name not in JASPAR_2024:
        raise KeyError(f"unknown motif {name!r}; choose one of {list(JASPAR_2024)}")
    counts = np.asarray(JASPAR_2024[name][1], dtype=float).T + pseudocount  # (L, 4)
    return counts / counts.sum(1, keepdims=True)


def encode(seqs) -> np.ndarray:
    """Strings of A/C/G/T -> (n, L) uint8 codes 0..3 (notebook 07)."""
    seqs = [seqs] if isinstance(seqs, str) else list(seqs)
    lut = np.full(256, 255, dtype=np.uint8)
    for i, base in enumerate(ALPHABET):
        lut[ord(base)] = lut[ord(base.lower())] = i
    codes = lut[np.frombuffer("".join(seqs).encode("ascii"), dtype=np.uint8)]
    if len({len(s) for s in seqs}) > 1:
        raise ValueError("sequences have different lengths; pad or crop them to one length first")
    if (codes == 255).any():
        raise ValueError("a sequence holds a letter other than A, C, G, T; "
                         "remove or replace ambiguous bases (N) before encoding")
    return codes.reshape(len(seqs), -1)


def decode(codes: np.ndarray) -> list[str]:
    """(n, L) codes 0..3 -> strings (notebook 07)."""
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[np.atleast_2d(codes)]
    return [row.tobytes().decode() for row in letters]


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """Reverse complement of (..., L) codes: reverse the order, swap A<->T and C<->G (notebook 07)."""
    return (3 - codes[..., ::-1]).astype(codes.dtype)


def random_background(n: int, length: int, rng: np.random.Generator,
                      gc: float = HUMAN_GC) -> np.ndarray:
    """(n, length) codes with independent bases at a given GC fraction (notebook 07)."""
    p = np.array([1 - gc, gc, gc, 1 - gc]) / 2
    return rng.choice(4, size=(n, length), p=p).astype(np.uint8)


def sample_sites(name: str, n: int, rng: np.random.Generator, shuffle: bool = False) -> np.ndarray:
    """(n, L) site instances drawn column by column from a motif; `shuffle` permutes the columns.

    A column-shuffled motif keeps the base composition but not the order: a decoy that
    no composition statistic can tell from the real site (notebook 07).
    """
    prob = motif_probabilities(name)
    if shuffle:
        prob = prob[rng.permutation(len(prob))]
    u = rng.random((n, len(prob), 1))
    return (u > np.cumsum(prob, 1)[None]).sum(2).clip(0, 3).astype(np.uint8)


@dataclass
class SequenceSet:
    """Sequences with labels and every planted site (notebook 07)."""

    codes: np.ndarray  # (n, L) uint8, 0..3 = A, C, G, T
    labels: np.ndarray  # (n,) int
    sites: pd.DataFrame  # seq, motif, start, end (exclusive), strand (+/-), decoy (bool)
    task: str = ""

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def seqs(self) -> list[str]:
        return decode(self.codes)

    def site_mask(self, include_decoys: bool = False) -> np.ndarray:
        """(n, L) bool: True on the positions of the planted (real) sites."""
        mask = np.zeros(self.codes.shape, dtype=bool)
        rows = self.sites if include_decoys else self.sites[~self.sites["decoy"]]
        for s, a, b in rows[["seq", "start", "end"]].itertuples(index=False):
            mask[s, a:b] = True
        return mask


def _plant(codes, rows, seq, name, start, rng, decoy=False, strand=None):
    site = sample_sites(name, 1, rng, shuffle=decoy)[0]
    strand = strand or ("+" if rng.random() < 0.5 else "-")
    codes[seq, start:start + len(site)] = site if strand == "+" else reverse_complement_codes(site)
    rows.append((seq, name, start, start + len(site), strand, decoy))


def _free_starts(length: int, widths: list[int], rng, gap: int = 2) -> list[int] | None:
    """Random non-overlapping starts for sites of the given widths (None if they do not fit)."""
    for _ in range(50):
        starts = rng.integers(0, length - np.array(widths) + 1)
        spans = sorted(zip(starts, widths, strict=True))
        if all(a + w + gap <= b for (a, w), (b, _) in zip(spans, spans[1:], strict=False)):
            return [int(s) for s in starts]
    return None


def make_motif_task(n: int = 2000, length: int = 200, seed: int = 0,
                    motifs: tuple[str, ...] = MOTIF_NAMES, gc: float = HUMAN_GC) -> SequenceSet:
    """Local task: a sequence is bound (1) when it holds a real site of any motif (notebook 07).

    Every sequence holds one decoy (a column-shuffled site), positives also 1-2 real sites
    of random motifs on random strands; half the sequences are positive.
    """
    rng = np.random.default_rng([seed, 7001])
    codes = random_background(n, length, rng, gc)
    labels = (rng.random(n) < 0.5).astype(int)
    widths = {m: motif_probabilities(m).shape[0] for m in motifs}
    rows: list[tuple] = []
    for i in range(n):
        chosen = list(rng.choice(motifs, size=rng.integers(1, 3))) if labels[i] else []
        decoy = str(rng.choice(motifs))
        starts = _free_starts(length, [widths[decoy]] + [widths[m] for m in chosen], rng)
        if starts is None:
            raise ValueError(f"sites do not fit in length {length}; use longer sequences")
        _plant(codes, rows, i, decoy, starts[0], rng, decoy=True)
        for m, s in zip(chosen, starts[1:], strict=True):
            _plant(codes, rows, i, str(m), s, rng)
    sites = pd.DataFrame(rows, columns=["seq", "motif", "start", "end", "strand", "decoy"])
    return SequenceSet(codes, labels, sites, task="motif")


def make_grammar_task(n: int = 2000, length: int = 100, seed: int = 0, first: str = "CEBPB",
                      second: str = "NFKB1", min_distance: int = 30,
                      gc: float = HUMAN_GC) -> SequenceSet:
    """Long-range task: both sites are always there; the label is their ORDER (notebook 07).

    1 when `first` lies upstream (5') of `second` with at least `min_distance` bases between
    them, 0 when the order is swapped. A model that only detects motifs sees both in every
    sequence and cannot do better than chance; it must relate two distant positions.
    """
    rng = np.random.default_rng([seed, 7002])
    codes = random_background(n, length, rng, gc)
    labels = (rng.random(n) < 0.5).astype(int)
    wa, wb = motif_probabilities(first).shape[0], motif_probabilities(second).shape[0]
    rows: list[tuple] = []
    for i in range(n):
        up, down = (first, second) if labels[i] else (second, first)
        w_up, w_down = (wa, wb) if labels[i] else (wb, wa)
        a = int(rng.integers(0, length - w_up - min_distance - w_down + 1))
        b = int(rng.integers(a + w_up + min_distance, length - w_down + 1))
        _plant(codes, rows, i, up, a, rng)
        _plant(codes, rows, i, down, b, rng)
    sites = pd.DataFrame(rows, columns=["seq", "motif", "start", "end", "strand", "decoy"])
    return SequenceSet(codes, labels, sites, task="grammar")
