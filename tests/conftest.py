"""Shared fixtures: every test gets its own data directory."""

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
