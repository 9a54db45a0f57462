"""Checkers for notebook 07's exercises: one-hot encoding, k-mer tokens, antiplatelet choice."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations_with_replacement

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

ONE_HOT = "Exercise 07.1 (one-hot encoding)"
KMERS = "Exercise 07.2 (overlapping k-mers)"
ANTIPLATELET = "Exercise 07.3 (antiplatelet by CYP2C19 genotype)"


@exercise_check(ONE_HOT, reference="course_lib.preprocess.genomics:one_hot")
def check_one_hot(one_hot: Callable) -> None:
    """one_hot(["ACGT", ...]) must give (n, L, 4) with channels A, C, G, T."""
    from course_lib.preprocess.genomics import one_hot as reference

    seqs = ["ACGTTGCA", "AAAACCCC", "GATTACAG"]
    got = np.asarray(call_student(one_hot, seqs, exercise=ONE_HOT), dtype=float)
    want = reference(seqs)
    if got.shape != want.shape:
        hint = " It looks transposed: put the 4 bases last, (n, L, 4)." if got.shape == (3, 4, 8) else ""
        raise ExerciseError(f"{ONE_HOT}: for 3 sequences of 8 bases the shape must be (3, 8, 4), "
                            f"got {got.shape}.{hint}")
    if not np.allclose(got.sum(-1), 1):
        raise ExerciseError(f"{ONE_HOT}: each position must have exactly one 1 among its 4 channels.")
    if not np.array_equal(got, want):
        order = "".join("ACGT"[i] for i in got[0, :4].argmax(1))
        raise ExerciseError(f"{ONE_HOT}: the channels are in the wrong order: 'ACGT' came out as "
                            f"channels {[int(i) for i in got[0, :4].argmax(1)]} ({order}). Use the "
                            "order A, C, G, T, so that the complement is the channel order reversed.")
    passed(ONE_HOT, "Channels A, C, G, T: reversing them is complementing the base.")


@exercise_check(KMERS, reference="course_lib.preprocess.genomics:kmer_tokens")
def check_kmer_tokens(kmer_tokens: Callable) -> None:
    """kmer_tokens(seq, k) must list every overlapping k-mer, in order."""
    from course_lib.preprocess.genomics import kmer_tokens as reference

    seq = "ATGCGTACGTTAGC"
    for k in (1, 3, 6):
        got = list(call_student(kmer_tokens, seq, k, exercise=KMERS))
        want = reference(seq, k)
        if got == want:
            continue
        if got == reference(seq, k, stride=k):
            raise ExerciseError(f"{KMERS}: these are non-overlapping k-mers (every k bases). DNABERT "
                                "moves the window by ONE base: a sequence of L bases gives L - k + 1 tokens.")
        if len(got) == len(want) - 1:
            raise ExerciseError(f"{KMERS}: for k={k} you return {len(got)} k-mers, one short: the last "
                                f"window starts at position L - k (L={len(seq)}), so range(L - k + 1).")
        raise ExerciseError(f"{KMERS}: for k={k} expected {len(want)} k-mers starting {want[:3]}, got "
                            f"{len(got)} starting {got[:3]}.")
    passed(KMERS, f"{len(seq)} bases with k=3 give {len(reference(seq, 3))} overlapping tokens.")


@exercise_check(ANTIPLATELET, reference="course_lib.datasets.pharmacogenomics:antiplatelet_for_acs")
def check_antiplatelet(antiplatelet_for_acs: Callable, allele_function: dict) -> None:
    """Every diplotype of the cohort's CYP2C19 alleles against CPIC's tables."""
    from course_lib.datasets.pharmacogenomics import antiplatelet_for_acs as reference

    for a, b in combinations_with_replacement(["*1", "*2", "*3", "*17"], 2):
        for diplotype in (f"{a}/{b}", f"{b}/{a}"):
            got = call_student(antiplatelet_for_acs, diplotype, allele_function, exercise=ANTIPLATELET)
            want = reference(diplotype)
            if not isinstance(got, tuple) or len(got) != 2:
                raise ExerciseError(f"{ANTIPLATELET}: return a pair (phenotype, drug), got {got!r}.")
            if got[0] != want[0]:
                raise ExerciseError(
                    f"{ANTIPLATELET}: {diplotype} ({allele_function[a]} + {allele_function[b]}) is a "
                    f"'{want[0]}' in CPIC 2022's table, you said {got[0]!r}. Count the no-function "
                    "alleles first: one no-function allele makes an intermediate metaboliser even "
                    "next to an increased-function allele.")
            if got[1] != want[1]:
                raise ExerciseError(
                    f"{ANTIPLATELET}: for a {want[0]} after an acute MI you chose {got[1]!r}. Read "
                    "CPIC 2022's recommendation for that phenotype again (ACS/PCI column).")
    passed(ANTIPLATELET, "Every CYP2C19 diplotype of the panel matches CPIC 2022.")
