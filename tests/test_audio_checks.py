"""Notebook 06's checkers accept the reference, explain the usual mistakes, and say 'not done'."""

import numpy as np
import pandas as pd
import pytest

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.preprocess.audio import default_windows, icbhi_score, log_mel, mel_filterbank

TABLE = pd.DataFrame({"crackle F1": [0.79, 0.86, 0.78, 0.5], "wheeze F1": [0.1, 0.55, 0.7, 0.94]},
                     index=[32, 64, 128, 256])


def test_references_pass(capsys):
    checks.check_log_mel(log_mel)
    checks.check_icbhi_score(icbhi_score)
    checks.check_window_choice(default_windows, TABLE)
    assert capsys.readouterr().out.count("✅") == 3


@pytest.mark.parametrize("check, args", [(checks.check_log_mel, ()), (checks.check_icbhi_score, ()),
                                         (checks.check_window_choice, (TABLE,))])
def test_not_done(check, args):
    def todo(*a, **k):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone):
        check(todo, *args)


def _mel(power, sr, n_mels):
    return mel_filterbank(sr, 2 * (power.shape[0] - 1), n_mels) @ power


@pytest.mark.parametrize("wrong, words", [
    (lambda p, sr, n_mels=32: 20 * np.log10(np.maximum(_mel(p, sr, n_mels), 1e-10)), "10·log10"),
    (lambda p, sr, n_mels=32: 10 * np.log10(np.maximum(_mel(p, sr, n_mels), 1e-10)), "80 dB"),
    (lambda p, sr, n_mels=32: 10 * np.log10(_mel(p, sr, n_mels) * 0), "floor"),
    (lambda p, sr, n_mels=32: log_mel(p, sr, n_mels).T, "transposed"),
])
def test_log_mel_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_log_mel(wrong)


def _any_abnormal(cm):
    se = cm[1:, 1:].sum() / cm[1:].sum()
    sp = cm[0, 0] / cm[0].sum()
    return {"sensitivity": se, "specificity": sp, "score": (se + sp) / 2}


def _column_sp(cm):
    out = icbhi_score(cm)
    sp = cm[0, 0] / max(cm[:, 0].sum(), 1)
    return {**out, "specificity": sp, "score": (out["sensitivity"] + sp) / 2}


@pytest.mark.parametrize("wrong, words", [(_any_abnormal, "exact class"), (_column_sp, "first row"),
                                          (lambda cm: 0.5, "dict")])
def test_icbhi_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_icbhi_score(wrong)


@pytest.mark.parametrize("choice, words", [({"crackle": 256, "wheeze": 256}, "smears"),
                                           ({"crackle": 64, "wheeze": 64}, "tone"),
                                           ({"crackle": 64, "wheeze": 48}, "not in the table")])
def test_window_mistakes(choice, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_window_choice(lambda: choice, TABLE)


def test_fallback_returns_reference(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    got = checks.check_icbhi_score(lambda cm: 0.5)
    assert got is icbhi_score and "❌" in capsys.readouterr().out
