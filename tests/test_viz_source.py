"""show_source: notebooks display the library code that runs (issue 12, item 14)."""

import pytest

from course_lib.training.loop import fit
from course_lib.viz.source import show_source, source_of


def test_source_is_the_code_that_runs():
    text = source_of(fit)
    assert text.startswith("def fit(") and "backward()" in text


def test_show_source_prints_outside_jupyter(capsys):
    show_source(fit)
    out = capsys.readouterr().out
    assert out.startswith("# course_lib.training.loop.fit\ndef fit(")


def test_builtins_give_a_clear_error():
    with pytest.raises(TypeError, match="function or class defined in Python"):
        source_of(len)
