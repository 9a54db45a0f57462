"""Notebook 03's checkers: accept the reference, explain planted mistakes, say 'not done' for a stub."""

import pytest

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_mention_label,
    check_most_dangerous,
)
from course_lib.preprocess.reports import mention_label
from course_lib.training.reports import most_dangerous


def test_references_pass():
    assert check_mention_label(mention_label) is mention_label
    assert check_most_dangerous(most_dangerous) is most_dangerous


def test_mention_label_without_negation_cues_is_explained():
    def naive(sentence):  # only "no" at the start counts as negation
        return 0.0 if sentence.startswith("no ") else -1.0 if "possible" in sentence else 1.0
    with pytest.raises(ExerciseError, match="negation cues|hedging"):
        check_mention_label(naive)


def test_most_dangerous_by_count_of_errors_is_explained():
    def by_length(drafts, truth):  # the longest draft, as if more text meant more risk
        return max(range(len(drafts)), key=lambda k: len(drafts[k]))
    with pytest.raises(ExerciseError, match="hallucinated|worded"):
        check_most_dangerous(by_length)


@pytest.mark.parametrize("checker", [check_mention_label, check_most_dangerous])
def test_stub_is_not_done(checker):
    def stub(*args):
        raise NotImplementedError()
    with pytest.raises(ExerciseNotDone):
        checker(stub)
