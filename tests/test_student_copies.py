"""make student: solutions replaced by NotImplementedError; the check cell then says so."""

import nbformat
import pytest

from course_lib.tools.leaks import find_leaks, leaks_in_copies
from course_lib.tools.student import strip_solution, student_notebook
from tests.conftest import ROOT


def test_strip_keeps_indentation_and_surroundings():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n# after"
    assert strip_solution(src) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                   "    raise NotImplementedError()\n# after")


def test_strip_markdown_answer():
    assert strip_solution("Q?\n### BEGIN SOLUTION\nA.\n### END SOLUTION", markdown=True) == \
        "Q?\nYOUR ANSWER HERE"


@pytest.mark.parametrize("bad", ["### BEGIN SOLUTION\nx", "x\n### END SOLUTION",
                                 "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"])
def test_unbalanced_markers_are_errors(bad):
    with pytest.raises(ValueError):
        strip_solution(bad)


def test_student_copy_links_to_itself():
    nb = nbformat.read(ROOT / "notebooks" / "00_course_tour.ipynb", as_version=4)
    title = student_notebook(nb, "00_course_tour.ipynb").cells[0].source
    assert "Student copy" in title and "/student/00_course_tour.ipynb" in title
    assert "/notebooks/00_course_tour.ipynb" not in title.split("\n\n", 1)[1]


def test_student_copies_hold_no_answer():
    found = leaks_in_copies(ROOT / "notebooks", ROOT / "student")
    assert not found, f"student copies give answers away: {found}"


def _copy_with(cells_before: list[str], solution: str, cells_after: list[str]):
    """A source notebook with one exercise, and its student copy with extra cells planted."""
    body = ["from course_lib import checks", solution,
            "late_stacking = checks.check_late_stacking(late_stacking)"]
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in body])
    planted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c)
                                              for c in [*cells_before, *body, *cells_after]])
    return student_notebook(planted, "11_fusion_strategies.ipynb"), source


STACKING = """def late_stacking(train_probs, y_train, test_probs):
    ### BEGIN SOLUTION
    stacker = LogisticRegression().fit(logit(np.column_stack(train_probs)), y_train)
    return stacker.predict_proba(logit(np.column_stack(test_probs)))[:, 1]
    ### END SOLUTION"""


@pytest.mark.parametrize("planted", [
    "from course_lib.models.fusion import late_stacking as lib_late_stacking",  # reference, renamed
    "from course_lib.models.fusion import (\n    logit,\n    late_stacking,\n)",
    "p = fusion.late_stacking(a, y, b)",  # called through its module
])
def test_leak_check_finds_a_reference_import(planted):
    copy, source = _copy_with([planted], STACKING, [])
    found = find_leaks(copy, source)
    assert found and "course_lib.models.fusion:late_stacking" in found[0]


def test_leak_check_finds_an_inline_answer():
    inline = "w = LogisticRegression().fit(logit(np.column_stack([p1, p2])), y[val]).coef_"
    copy, source = _copy_with([], STACKING, [inline])
    found = find_leaks(copy, source)
    assert len(found) == 1 and "repeats the solution line" in found[0]


def test_leak_check_passes_a_clean_copy():
    copy, source = _copy_with([], STACKING, ["p = late_stacking([a], y, [b])  # the student's own"])
    assert find_leaks(copy, source) == []
