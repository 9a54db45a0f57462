"""Notebook 01's preprocessing: HU, normalisation, resampling, augmentation."""

import numpy as np
import pytest
import torch

from course_lib.datasets.bundled import load_bundled_ct
from course_lib.preprocess.augment import (
    add_side_marker,
    cxr_augment,
    marker_position,
    unsafe_augmentations,
)
from course_lib.preprocess.imaging import (
    normalize_imagenet,
    normalize_minmax,
    normalize_zscore,
    resample_to_spacing,
    to_hounsfield,
)


def test_hounsfield_matches_dicom_rescale():
    ct = load_bundled_ct()
    hu = to_hounsfield(ct["raw"], ct["slope"], ct["intercept"])
    assert hu.dtype == np.float32 and np.allclose(hu, ct["hu"])
    assert to_hounsfield(np.array([0, 1000]), 2.0, -1000.0).tolist() == [-1000.0, 1000.0]


def test_normalisations():
    x = np.arange(12, dtype=np.float32).reshape(3, 4) * 7 - 20
    assert normalize_minmax(x).min() == 0 and normalize_minmax(x).max() == 1
    z = normalize_zscore(x)
    assert abs(z.mean()) < 1e-6 and abs(z.std() - 1) < 1e-5
    assert np.allclose(normalize_zscore(x, mean=1.0, std=2.0), (x - 1) / 2)
    rgb = normalize_imagenet(np.full((2, 2), 0.485, np.float32))
    assert rgb.shape == (3, 2, 2) and np.allclose(rgb[0], 0.0)


@pytest.mark.parametrize("spacing, new", [((0.661468, 0.661468), 1.0), ((0.5, 2.0), 1.0),
                                          ((1.0, 1.0), 0.25)])
def test_resampling_keeps_physical_size(spacing, new):
    image = np.random.default_rng(0).random((40, 30)).astype(np.float32)
    out, out_spacing = resample_to_spacing(image, spacing, new)
    extent_in = np.array(image.shape) * np.array(spacing)
    extent_out = np.array(out.shape) * np.array(out_spacing)
    assert np.allclose(extent_in, extent_out)
    assert np.allclose(out_spacing, new, rtol=0.05)


def test_nearest_keeps_mask_binary_linear_does_not():
    mask = np.zeros((32, 32), np.float32)
    mask[8:20, 10:25] = 1
    nearest, _ = resample_to_spacing(mask, (0.7, 0.7), 1.0, order=0)
    linear, _ = resample_to_spacing(mask, (0.7, 0.7), 1.0, order=1)
    assert set(np.unique(nearest)) == {0.0, 1.0}
    assert len(np.unique(linear)) > 2
    # The mask's physical area is about the same either way.
    assert abs(nearest.sum() - mask.sum() * 0.49) < 0.1 * mask.sum() * 0.49


def test_safe_augmentation_keeps_the_marker_side_and_flip_does_not():
    xray = add_side_marker(torch.rand(1, 64, 64) * 0.8)
    torch.manual_seed(0)
    t = cxr_augment()
    for _ in range(20):
        row, col = marker_position(t(xray))
        assert col > 0.5 and row < 0.5
    flip = next(v for k, v in unsafe_augmentations().items() if k.startswith("horizontal"))
    assert marker_position(flip(xray))[1] < 0.5
