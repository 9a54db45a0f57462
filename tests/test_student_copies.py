"""make student: solutions replaced by NotImplementedError; the check cell then says so."""

import nbformat
import pytest
from nbclient import NotebookClient

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


def test_student_notebook_exercise_raises_and_check_explains(data_dir):
    nb = nbformat.read(ROOT / "student" / "00_course_tour.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "student")}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    exercise = next(i for i, c in enumerate(code) if "YOUR CODE HERE" in c.source)
    errors = [o for o in code[exercise + 1].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ExerciseNotDone"
    assert "not done yet" in errors[0].evalue
