"""The cohort cache holds only data: it round-trips exactly and refuses pickles (notebook 00)."""

import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course_lib.synth import cache_path, generate_cohort, make_cohort
from course_lib.synth.cache import UnsafeCacheError
from course_lib.synth.config import CohortConfig

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


def _assert_same(a, b, name="cohort"):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=name)
    elif isinstance(a, dict):
        assert list(a) == list(b), name
        for key in a:
            _assert_same(a[key], b[key], f"{name}.{key}")
    elif hasattr(a, "__dataclass_fields__"):
        for key in a.__dataclass_fields__:
            _assert_same(getattr(a, key), getattr(b, key), f"{name}.{key}")
    else:
        assert a == b, name


def test_cache_round_trip_is_exact(data_dir):
    first = make_cohort(60, seed=4, image_size=32)  # generates and writes the cache
    path = cache_path(60, 4, 32, CohortConfig(), True)
    assert path.exists() and path.suffix == ".npz"
    again = make_cohort(60, seed=4, image_size=32)  # read back from the cache
    _assert_same(generate_cohort(60, seed=4, image_size=32), again)
    _assert_same(first, again)
    assert again.patient(3)["report"] == first.patient(3)["report"]


def test_a_planted_pickle_is_refused_with_a_clear_message(data_dir):
    path = cache_path(40, 1, 32, CohortConfig(), True)
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({"anything": 1}))  # what an attacker would plant
    with pytest.raises(UnsafeCacheError, match="pickled Python objects.*Delete the file"):
        make_cohort(40, seed=1, image_size=32)
    assert path.exists()  # refused loudly, not silently replaced


def test_an_npz_with_an_object_array_is_refused(data_dir):
    make_cohort(40, seed=1, image_size=32)
    path = cache_path(40, 1, 32, CohortConfig(), True)
    with np.load(path) as npz:
        members = {key: npz[key] for key in npz.files}
    members["payload"] = np.array([{"x": 1}], dtype=object)  # a pickle inside a valid cache
    with open(path, "wb") as f:
        np.savez(f, **members)
    with pytest.raises(UnsafeCacheError):
        make_cohort(40, seed=1, image_size=32)


def test_a_truncated_cache_is_regenerated(data_dir):
    cohort = make_cohort(40, seed=2, image_size=32)
    path = cache_path(40, 2, 32, CohortConfig(), True)
    path.write_bytes(path.read_bytes()[:200])
    again = make_cohort(40, seed=2, image_size=32)
    _assert_same(cohort.labels, again.labels)


UNSAFE = re.compile(r"pickle\.loads?\(|allow_pickle\s*=\s*True|joblib\.load|read_pickle|dill\.")
TORCH_LOAD = re.compile(r"torch\.load\((?![^)]*weights_only\s*=\s*True)")


def test_no_code_in_the_course_loads_pickles():
    """Every cache and checkpoint the course reads is plain data (npz, JSON, safetensors)."""
    offenders = []
    for folder in ("course_lib", "notebooks", "data_scripts"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".ipynb") or "/." in str(path):
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in (UNSAFE, TORCH_LOAD):
                offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders


def test_pretrained_text_weights_are_read_only_from_safetensors(tmp_path):
    import torch
    from transformers import BertConfig, BertModel

    from course_lib.models.clip import load_pretrained_bert, train_wordpiece

    bert = BertModel(BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1,
                                num_attention_heads=2, intermediate_size=32))
    bert.config.save_pretrained(tmp_path)
    torch.save(bert.state_dict(), tmp_path / "pytorch_model.bin")  # the old format: a pickle
    with pytest.raises(FileNotFoundError, match="safetensors"):
        load_pretrained_bert(tmp_path)
    (tmp_path / "pytorch_model.bin").unlink()
    bert.save_pretrained(tmp_path)  # model.safetensors
    texts = ["no acute cardiopulmonary process", "right lower lobe opacity"]
    train_wordpiece(texts, vocab_size=60).save_pretrained(tmp_path)
    encoder, tokenizer = load_pretrained_bert(tmp_path)
    assert tokenizer("opacity")["input_ids"]
    assert sum(p.numel() for p in encoder.parameters()) == sum(p.numel() for p in bert.parameters())
