"""Prepared image–report pairs load, and bad files fail with a message that says what to do (notebook 02)."""

import numpy as np
import pytest

from course_lib.datasets.pairs import load_image_report_pairs


def test_good_file_loads(tmp_path):
    path = tmp_path / "pairs.npz"
    np.savez(path, images=np.random.default_rng(0).random((3, 8, 8)), reports=np.array(["a", "b", "c"]))
    images, reports = load_image_report_pairs(path)
    assert images.shape == (3, 8, 8) and images.dtype == np.float32 and reports == ["a", "b", "c"]


@pytest.mark.parametrize(("arrays", "message"), [
    ({"images": np.zeros((2, 4, 4))}, r"lacks \['reports'\]"),
    ({"images": np.zeros((2, 4)), "reports": np.array(["a", "b"])}, r"not \(n, H, W\)"),
    ({"images": np.zeros((2, 4, 4)), "reports": np.array(["a"])}, "2 images but 1 reports"),
    ({"images": np.full((1, 4, 4), 255.0), "reports": np.array(["a"])}, "divide 8-bit films by 255"),
    ({"images": np.zeros((1, 4, 4)), "reports": np.array([{"x": 1}], dtype=object)}, "plain .npz"),
])
def test_bad_files_say_what_to_do(tmp_path, arrays, message):
    path = tmp_path / "pairs.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message):
        load_image_report_pairs(path)


def test_missing_and_corrupt(tmp_path):
    with pytest.raises(FileNotFoundError, match="np.savez"):
        load_image_report_pairs(tmp_path / "none.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot be read"):
        load_image_report_pairs(tmp_path / "bad.npz")
