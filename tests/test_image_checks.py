"""Notebook 01's checkers accept right answers and explain wrong ones."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.datasets.bundled import load_bundled_ct
from course_lib.models.imaging import patchify
from course_lib.preprocess.augment import cxr_augment


@pytest.fixture(scope="module")
def ct():
    return load_bundled_ct()


def right_window(raw, slope, intercept, level, width):
    hu = raw.astype(np.float32) * slope + intercept
    return np.clip((hu - (level - width / 2)) / width, 0, 1)


def test_window_right(ct, capsys):
    checks.check_hu_window(right_window, ct)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda r, s, i, lv, w: 1 - right_window(r, s, i, lv, w), "wrong end to black"),
    (lambda r, s, i, lv, w: right_window(r, s, 0.0, lv, w), "intercept"),
    (lambda r, s, i, lv, w: right_window(r, 1.0, i, lv, w), "slope"),
    (lambda r, s, i, lv, w: (r * s + i - (lv - w / 2)) / w, "clip"),
    (lambda r, s, i, lv, w: right_window(r, s, i, lv, w / 2), "half"),
    (lambda r, s, i, lv, w: right_window(r, s, i, lv, w)[:-1], "shape"),
    (lambda r, s, i, lv, w: right_window(r, s, i, lv, w) * 255, "0..255"),
])
def test_window_mistakes_explained(ct, wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_hu_window(wrong, ct)


def test_window_not_done(ct):
    def todo(*args):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone, match="not done yet"):
        checks.check_hu_window(todo, ct)


def test_patchify_right(capsys):
    checks.check_patchify(lambda x, p: F.unfold(x, p, stride=p).transpose(1, 2))
    checks.check_patchify(patchify)
    assert "correct" in capsys.readouterr().out


def column_major(x, p):
    B, C, H, W = x.shape
    t = patchify(x, p).reshape(B, H // p, W // p, -1)
    return t.transpose(1, 2).reshape(B, (H // p) * (W // p), -1)


def channels_last(x, p):
    B, C, H, W = x.shape
    t = x.permute(0, 2, 3, 1).reshape(B, H // p, p, W // p, p, C).permute(0, 1, 3, 2, 4, 5)
    return t.reshape(B, (H // p) * (W // p), -1)


@pytest.mark.parametrize("wrong, words", [
    (column_major, "column-major"),
    (lambda x, p: F.unfold(x, p, stride=p), "transpose"),
    (channels_last, r"\(C, p, p\)"),
    (lambda x, p: patchify(x, p).reshape(len(x), -1), "3-D"),
])
def test_patchify_mistakes_explained(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_patchify(wrong)


@pytest.fixture(scope="module")
def xray():
    from course_lib.synth import generate_cohort

    return torch.from_numpy(generate_cohort(2, seed=0, image_size=64).images[0].copy())[None]


def test_augmentation_right(xray, capsys):
    checks.check_augmentation(cxr_augment, xray)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda: v2.Compose([v2.RandomHorizontalFlip(p=1.0), cxr_augment()]), "dextrocardia"),
    (lambda: v2.RandomVerticalFlip(p=1.0), "bottom half"),
    (lambda: v2.ColorJitter(contrast=(2.5, 2.5)), "intensity"),
    (lambda: v2.Identity(), "draws changed"),
    (lambda: v2.Resize(32), "shape"),
])
def test_augmentation_mistakes_explained(xray, wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_augmentation(wrong, xray)


def _crop_table():
    import pandas as pd

    return pd.DataFrame({"effusion": [0.5, 0.8, 0.96, 1.0], "cardiomegaly": [0.9, 0.99, 1.0, 1.0]},
                        index=pd.Index([0.08, 0.3, 0.6, 0.9], name="scale_min"))


def test_crop_scale_right_and_mistakes(monkeypatch, capsys):
    from course_lib.preprocess.augment import choose_crop_scale

    assert choose_crop_scale(_crop_table()) == (0.6, 0.96)
    checks.check_crop_scale(choose_crop_scale, _crop_table())
    assert "✅" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    wrong = [(lambda t, m=0.95: (0.9, 1.0), "smaller"),  # too cautious
             (lambda t, m=0.95: (0.6, 0.96), "one of the rows"),  # hard-coded: fails the planted table
             (lambda t, m=0.95: (float(t.mean(axis=1).ge(m).idxmax()), float(t.mean(axis=1).max())), "every"),
             (lambda t, m=0.95: 0.6, "pair")]
    for answer, words in wrong:
        with pytest.raises(ExerciseError, match=words):
            checks.check_crop_scale(answer, _crop_table())
    with pytest.raises(ExerciseNotDone):
        checks.check_crop_scale(lambda t, m=0.95: (_ for _ in ()).throw(NotImplementedError()), _crop_table())


def test_crop_keeps_finding_measures_the_mask():
    from course_lib.preprocess.augment import crop_keeps_finding

    corner, centre = np.zeros((3, 32, 32), bool), np.zeros((3, 32, 32), bool)
    corner[:, 26:, 26:] = True  # a costophrenic-angle-like finding in the lower corner
    centre[:, 12:20, 12:20] = True
    assert crop_keeps_finding(corner, 1.0) == 1.0 == crop_keeps_finding(centre, 1.0)  # the whole image: nothing cut
    assert crop_keeps_finding(corner, 0.3) < crop_keeps_finding(centre, 0.3)  # corners are cut first
    assert crop_keeps_finding(corner, 0.3, seed=1) == crop_keeps_finding(corner, 0.3, seed=1)  # deterministic
    with pytest.raises(ValueError, match="show the finding"):
        crop_keeps_finding(np.zeros((2, 8, 8), bool), 0.5)
