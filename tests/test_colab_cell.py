"""The Colab setup cell (issue 31): installs on Colab only, says what and how long, warns when
Colab's PyTorch leaves the tested range; the range lives once, in course_lib/project.py."""

import importlib.metadata
import re
import subprocess
import sys
import types

import nbformat
import pytest

from course_lib import project
from course_lib.project import (
    TORCH_MIN,
    TORCH_TESTED_BELOW,
    colab_setup_cell,
    torch_version_warning,
)
from course_lib.tools.cells import rewrite_setup_cells
from tests.conftest import NOTEBOOKS, ROOT


def test_torch_range_matches_pyproject_and_requirements():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'"torch>=([\d.]+)"', pyproject).group(1) == TORCH_MIN, \
        "pyproject.toml's torch>= and project.TORCH_MIN differ: change both"
    pin = re.search(r"^torch==(\d+)\.(\d+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    major, minor = int(pin.group(1)), int(pin.group(2))
    assert TORCH_TESTED_BELOW == f"{major}.{minor + 1}", \
        "requirements.txt pins another torch: set project.TORCH_TESTED_BELOW to the next minor after it"


@pytest.mark.parametrize("version, expected", [
    ("2.14.1", None), ("2.2.0", None), (f"{TORCH_MIN}.0+cu121", None),
    (f"{TORCH_TESTED_BELOW}.0+cu128", "newer than the versions the course was tested with"),
    ("3.0.0", "newer"), ("2.1.2", "older than this course needs"), ("nightly", "cannot read"),
])
def test_torch_version_warning(version, expected):
    warning = torch_version_warning(version)
    if expected is None:
        assert warning is None
    else:
        assert expected in warning and warning.startswith("WARNING")


def test_cell_says_what_it_installs_and_how_long():
    cell = colab_setup_cell()
    assert "minutes" in cell and "pydicom" in cell and "PyTorch is kept" in cell
    assert f"git+{project.REPO_URL}@{project.BRANCH}" in cell


def test_cell_does_nothing_locally(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("installed outside Colab"))
    exec(colab_setup_cell(), {})
    assert capsys.readouterr().out == ""


def test_cell_on_colab_installs_then_warns_without_crashing(monkeypatch, capsys):
    runs = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **k: runs.append(cmd))
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.99.0+cu130")
    exec(colab_setup_cell(), {})
    assert runs == [[sys.executable, "-m", "pip", "install", "-q", f"git+{project.REPO_URL}@{project.BRANCH}"]]
    out = capsys.readouterr().out
    assert "Installing the course package" in out and "WARNING" in out and "2.99.0+cu130" in out


def test_cell_on_colab_within_range_is_quiet_about_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **k: None)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.14.1")
    exec(colab_setup_cell(), {})
    assert "WARNING" not in capsys.readouterr().out


def test_rewrite_setup_cells_changes_only_the_first_code_cell(tmp_path):
    old = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · title"),
        nbformat.v4.new_code_cell("# an old setup cell\nimport sys"),
        nbformat.v4.new_code_cell("import numpy as np"),
    ])
    (tmp_path / "99_old.ipynb").write_text(nbformat.writes(old) + "\n")
    if NOTEBOOKS:  # a real notebook, too: nothing but that cell may change
        (tmp_path / NOTEBOOKS[0].name).write_text(NOTEBOOKS[0].read_text())
    before = {p.name: nbformat.read(p, as_version=4) for p in tmp_path.glob("*.ipynb")}
    assert (tmp_path / "99_old.ipynb") in rewrite_setup_cells(tmp_path, check=True)
    assert nbformat.read(tmp_path / "99_old.ipynb", as_version=4) == before["99_old.ipynb"]  # check only
    rewrite_setup_cells(tmp_path)
    for path in tmp_path.glob("*.ipynb"):
        after = nbformat.read(path, as_version=4)
        code = [i for i, c in enumerate(after.cells) if c.cell_type == "code"]
        assert after.cells[code[0]].source == colab_setup_cell()
        for i, (a, b) in enumerate(zip(after.cells, before[path.name].cells, strict=True)):
            if i != code[0]:
                assert a == b
    assert rewrite_setup_cells(tmp_path) == []  # idempotent
