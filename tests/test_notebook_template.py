"""Every notebook is stored clean and follows the course template (COURSE_DESIGN.md §2)."""

import json
import re

import nbformat
import pytest

from course_lib.catalog import by_name
from course_lib.project import colab_badge, colab_setup_cell
from course_lib.tools import docs, student
from tests.conftest import NOTEBOOKS, ROOT

ids = [p.name for p in NOTEBOOKS]


def load(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ is empty"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_stored_without_outputs(path):
    dirty = [i for i, c in enumerate(load(path).cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_cells_have_unique_ids(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]  # raw JSON: nbformat.read would add missing ids
    cell_ids = [c.get("id") for c in cells]
    assert None not in cell_ids, f"{path.name}: cells {[i for i, c in enumerate(cell_ids) if c is None]} lack an id"
    assert len(set(cell_ids)) == len(cell_ids), f"{path.name}: duplicate cell ids"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_title_cell(path):
    info = by_name(path.name)
    title = load(path).cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith(f"# {info.number:02d} · ")
    assert info.title_ko in title.source.splitlines()[0], "Korean slide title in the heading"
    assert colab_badge(f"notebooks/{path.name}") in title.source
    assert "**Lecture slides**" in title.source
    objectives = re.search(r"\*\*Learning objectives\*\*\n((?:- .*\n?)+)", title.source)
    assert objectives, "a '**Learning objectives**' list"
    assert 3 <= len(objectives.group(1).strip().splitlines()) <= 6
    row = docs.read_bench().get(path.name)
    assert docs.runtime_line(row) in title.source, "runtime line differs from benchmarks/; run make bench"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_setup_imports_and_seed_cells(path):
    code = code_cells(load(path))
    assert code[0].source == colab_setup_cell(), "first code cell must be the Colab setup cell"
    assert "import" in code[1].source and "setup_notebook" in code[1].source
    assert re.search(r"setup_notebook\(seed=\d+", code[2].source)
    later_imports = [i for i, c in enumerate(code[3:], 3)
                     if re.search(r"^(import|from \S+ import) ", c.source, re.MULTILINE)
                     and "BEGIN SOLUTION" not in c.source]
    assert not later_imports, f"imports belong in the imports cell, not code cells {later_imports}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_exercises_have_checks(path):
    code = code_cells(load(path))
    exercises = [i for i, c in enumerate(code) if student.BEGIN in c.source]
    minimum = 1 if path.name.startswith("00_") else 2
    assert len(exercises) >= minimum, f"at least {minimum} exercises"
    for i in exercises:
        assert student.END in code[i].source
        assert i + 1 < len(code) and "checks." in code[i + 1].source, \
            f"exercise in code cell {i} needs a check cell (calling course_lib.checks) right after it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_sections(path):
    nb = load(path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in code_cells(nb))
    assert re.search(r"^## .*[Ww]ith real data", text, re.MULTILINE), "a 'With real data' section"
    assert re.search(r"^## .*Results", text, re.MULTILINE), "a 'Results' section"
    assert re.search(r"^## Summary", text, re.MULTILINE) and "## Further reading" in text
    assert "_widget(" in code or "ipywidgets" in code or "from course_lib.widgets" in code, "at least one widget"
    results = text.index("Results")
    assert any("assert " in c.source for c in code_cells(nb)), "the results cell asserts"
    assert results > 0


def test_student_copies_in_sync():
    stale = student.stale()
    assert not stale, f"student/ is out of date for {stale}: run `make student`"


def test_readme_table_in_sync():
    readme = (ROOT / "README.md").read_text()
    assert readme == docs.readme_with_table(readme, docs.read_bench(), docs.read_machine()), \
        "README notebook table is out of date: run `make bench` (or docs.sync())"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_checker_labels_match_exercise_headings(path):
    from course_lib import checks

    number = path.name[:2]
    heading = None
    for cell in load(path).cells:
        found = re.findall(r"^#+ .*?(Exercise \d+\.\d+)", cell.source, re.MULTILINE)
        if cell.cell_type == "markdown" and found:
            heading = found[-1]
        for name in re.findall(r"checks\.(check_\w+)\(", cell.source if cell.cell_type == "code" else ""):
            label = getattr(checks, name).exercise
            assert label.startswith(f"Exercise {number}."), f"{name}: '{label}' should be numbered {number}.k"
            assert heading and label.startswith(heading + " "), \
                f"{name} reports '{label}' but checks the exercise headed '{heading}'"
