"""Notebook 07's checkers: accept right answers, explain the usual wrong ones, 'not done' for stubs."""

import numpy as np
import pytest

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_antiplatelet,
    check_kmer_tokens,
    check_one_hot,
)
from course_lib.datasets.pharmacogenomics import allele_function, antiplatelet_for_acs
from course_lib.preprocess.genomics import kmer_tokens, one_hot

FUNCTIONS = allele_function("CYP2C19")


def todo(*args):
    raise NotImplementedError()


def test_references_pass(capsys):
    assert check_one_hot(one_hot) is one_hot
    assert check_kmer_tokens(kmer_tokens) is kmer_tokens
    assert check_antiplatelet(antiplatelet_for_acs, FUNCTIONS) is antiplatelet_for_acs
    assert capsys.readouterr().out.count("correct") == 3


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda seqs: one_hot(seqs).transpose(0, 2, 1), "transposed"),
    (lambda seqs: one_hot(seqs)[..., [0, 1, 3, 2]], "wrong order"),
    (lambda seqs: one_hot(seqs) * 2, "exactly one 1"),
])
def test_one_hot_wrong(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_one_hot(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda seq, k: [seq[i:i + k] for i in range(0, len(seq) - k + 1, k)], "non-overlapping"),
    (lambda seq, k: [seq[i:i + k] for i in range(len(seq) - k)], "one short"),
    (lambda seq, k: [seq[i:i + k] for i in range(len(seq))], "expected"),
])
def test_kmers_wrong(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_kmer_tokens(wrong)


def test_antiplatelet_wrong():
    def star17_rescues(diplotype, functions):  # the classic mistake: *2/*17 as normal
        phenotype, drug = antiplatelet_for_acs(diplotype)
        if sorted(diplotype.split("/")) == ["*17", "*2"]:
            return "Normal Metabolizer", "clopidogrel"
        return phenotype, drug

    with pytest.raises(ExerciseError, match="no-function"):
        check_antiplatelet(star17_rescues, FUNCTIONS)

    def always_clopidogrel(diplotype, functions):
        return antiplatelet_for_acs(diplotype)[0], "clopidogrel"

    with pytest.raises(ExerciseError, match="recommendation"):
        check_antiplatelet(always_clopidogrel, FUNCTIONS)


def test_not_done_and_fallback(monkeypatch, capsys):
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_one_hot(todo)
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    assert check_kmer_tokens(todo) is kmer_tokens  # the student copy keeps running on the reference
    assert check_antiplatelet(todo, FUNCTIONS) is antiplatelet_for_acs
    assert "reference" in capsys.readouterr().out
    assert np.array_equal(check_one_hot(todo)(["AC"]), one_hot(["AC"]))
