"""Shared fixtures: every test gets its own data directory."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh COURSE_DATA_DIR for one test."""
    path = tmp_path / "course-data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def strict_checks(monkeypatch):
    """Unit tests see checkers raise on a wrong answer (students' notebooks fall back instead)."""
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Source notebooks run with strict checks (a wrong solution fails); student copies fall back."""
    # nbval starts each notebook's kernel while its first cell is set up, and the kernel
    # inherits this process's environment: set the mode before that happens.
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        os.environ["COURSE_STRICT_CHECKS"] = "1" if path.parent.name == "notebooks" else "0"
