"""Notebook 06's models run and learn; the ICBHI loader reads the database's exact format."""

import numpy as np
import pytest
import torch
from scipy.io import wavfile

from course_lib.datasets import icbhi
from course_lib.models.audio import AUDIO_MODELS


@pytest.mark.parametrize("name", list(AUDIO_MODELS))
def test_models_shape_and_step(name):
    torch.manual_seed(0)
    model = AUDIO_MODELS[name]()
    X = torch.randn(4, 1, 32, 94)
    out = model(X)
    assert out.shape == (4, 2)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(out, torch.ones(4, 2))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


def write_fixture(root):
    """Two patients, three recordings, written exactly as the ICBHI 2017 files are."""
    rng = np.random.default_rng(0)
    recs = {"101_1b1_Al_sc_Meditron": (4000, "test"), "102_1b1_Ar_sc_Meditron": (4000, "train"),
            "103_2b2_Pr_mc_AKGC417L": (44100, "train")}
    for name, (rate, _) in recs.items():
        x = (rng.standard_normal(rate * 6) * 3000).astype(np.int16)
        wavfile.write(root / f"{name}.wav", rate, x)
        (root / f"{name}.txt").write_text("0.036\t2.5\t0\t0\n2.5\t4.9\t1\t0\n4.9\t5.9\t1\t1\n")
    (root / icbhi.SPLIT_FILE).write_text("".join(f"{n}\t{s}\n" for n, (_, s) in recs.items()))
    (root / icbhi.DIAGNOSIS_FILE).write_text("101\tURTI\n102\tHealthy\n103\tAsthma\n")
    return recs


def test_loader_on_format_exact_fixture(tmp_path):
    write_fixture(tmp_path)
    assert icbhi.icbhi_available(tmp_path)
    assert icbhi.parse_name("103_2b2_Pr_mc_AKGC417L.wav") == {
        "name": "103_2b2_Pr_mc_AKGC417L", "patient": 103, "index": "2b2", "location": "Pr", "mode": "mc",
        "device": "AKGC417L"}
    cycles = icbhi.read_cycles(tmp_path / "101_1b1_Al_sc_Meditron.txt")
    assert list(cycles["label"]) == [0, 1, 3]
    assert icbhi.read_diagnosis(tmp_path)[103] == "Asthma"
    train = icbhi.load_icbhi_cycles(tmp_path, split="train")
    assert train["windows"].shape == (6, 12000) and list(train["label"]) == [0, 1, 3] * 2
    assert set(train["meta"]["device"]) == {"Meditron", "AKGC417L"}
    assert np.abs(train["windows"]).max() <= 1.0  # int16 scaled to [-1, 1], 44.1 kHz resampled to 4 kHz
    assert len(icbhi.load_icbhi_cycles(tmp_path, split="test")["label"]) == 3


def test_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="not an ICBHI recording name"):
        icbhi.parse_name("breath.wav")
    with pytest.raises(FileNotFoundError, match="fetch_icbhi"):
        icbhi.read_split(tmp_path)
    assert not icbhi.icbhi_available(tmp_path)


def test_fetch_script_checks_counts(tmp_path):
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("fetch_icbhi", ROOT / "data_scripts" / "fetch_icbhi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write_fixture(tmp_path)
    with pytest.raises(ValueError, match="incomplete"):
        module.check(tmp_path)  # 3 recordings, not 920
