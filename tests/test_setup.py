"""setup_notebook: seeds, device, offline mode, data directory."""

import os

import numpy as np
import pytest
import torch

from course_lib import setup
from course_lib.setup import data_dir, setup_notebook


def test_missing_data_dir_is_created(data_dir):
    assert not data_dir.exists()
    env = setup_notebook(seed=0, quiet=True)
    assert env.data_dir == data_dir and data_dir.is_dir()


def test_unwritable_data_dir_names_the_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker / "data"))
    with pytest.raises(PermissionError, match="COURSE_DATA_DIR"):
        data_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_data_dir_names_the_variable(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    with pytest.raises(PermissionError, match="COURSE_DATA_DIR"):
        data_dir()


def test_default_data_dir_without_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "mmai-course"


def test_same_seed_same_numbers(data_dir):
    setup_notebook(seed=3, quiet=True)
    first = (torch.rand(4), np.random.rand(4))
    setup_notebook(seed=3, quiet=True)
    second = (torch.rand(4), np.random.rand(4))
    assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    setup_notebook(seed=4, quiet=True)
    assert not torch.equal(first[0], torch.rand(4))


def test_offline_device_and_printout(data_dir, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    env = setup_notebook(seed=0)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert env.device == ("cuda" if torch.cuda.is_available() else env.device)
    assert env.device in {"cuda", "mps", "cpu"}
    out = capsys.readouterr().out
    assert "torch" in out and f"device: {env.device}" in out
    assert torch.are_deterministic_algorithms_enabled()


def test_device_override():
    assert setup.pick_device("cpu") == "cpu"


def test_peak_memory_is_this_process():
    import numpy as np

    from course_lib.setup import peak_memory_mb

    before = peak_memory_mb()
    block = np.ones(200 * 2**20 // 8)  # 200 MB touched
    assert peak_memory_mb() >= before and peak_memory_mb() > 200
    del block
