"""Notebook 04's synthetic slides: real pyramidal TIFFs that OpenSlide opens, with exact ground truth."""

import numpy as np
import openslide
import pytest

from course_lib.synth import pathology as synth


@pytest.fixture(scope="module")
def small_big_slide(tmp_path_factory):
    return synth.make_big_slide(tmp_path_factory.mktemp("wsi"), seed=1, size=2048)


def test_big_slide_is_a_pyramid_openslide_reads(small_big_slide):
    s = openslide.OpenSlide(str(small_big_slide.path))
    assert s.properties["openslide.vendor"] == "generic-tiff"
    assert s.level_dimensions == ((2048, 2048), (512, 512), (128, 128), (32, 32))
    assert s.level_downsamples == (1.0, 4.0, 16.0, 64.0)
    assert float(s.properties["openslide.mpp-x"]) == pytest.approx(synth.MPP_LEVEL0)
    assert s.get_best_level_for_downsample(20) == 2
    region = np.asarray(s.read_region((0, 0), 0, (256, 256)))
    assert region.shape == (256, 256, 4) and region.dtype == np.uint8


def test_levels_agree_with_each_other(small_big_slide):
    """Level 1 is level 0 averaged: colours match where both are read."""
    s = openslide.OpenSlide(str(small_big_slide.path))
    l0 = np.asarray(s.read_region((0, 0), 0, (2048, 2048)))[..., :3].astype(float)
    l1 = np.asarray(s.read_region((0, 0), 1, (512, 512)))[..., :3].astype(float)
    down = l0.reshape(512, 4, 512, 4, 3).mean((1, 3))
    assert np.abs(down - l1).mean() < 12


def test_tumour_mask_matches_the_pixels(small_big_slide):
    """Tumour cells have darker (more haematoxylin) pixels than the rest of the tissue."""
    s = openslide.OpenSlide(str(small_big_slide.path))
    img = np.asarray(s.read_region((0, 0), 0, (2048, 2048)))[..., :3].astype(float).mean(-1)
    lay = np.kron(small_big_slide.layout, np.ones((64, 64), np.uint8))
    assert small_big_slide.tumour_mask.any()
    assert img[lay == synth.TUMOUR].mean() < img[(lay > 0) & (lay != synth.TUMOUR)].mean() - 10
    assert img[lay == 0].mean() > 235  # glass


def test_cohort_is_deterministic_and_balanced(tmp_path):
    a = synth.make_slide_cohort(tmp_path / "a", n=6, seed=3, size=256)
    b = synth.make_slide_cohort(tmp_path / "b", n=6, seed=3, size=256)
    assert [s.label for s in a] == [s.label for s in b] and sum(s.label for s in a) == 3
    for sa, sb in zip(a, b, strict=True):
        assert np.array_equal(sa.layout, sb.layout)
        pa = np.asarray(openslide.OpenSlide(str(sa.path)).read_region((0, 0), 0, (256, 256)))
        pb = np.asarray(openslide.OpenSlide(str(sb.path)).read_region((0, 0), 0, (256, 256)))
        assert np.array_equal(pa, pb)
    for s in a:
        share = (s.layout == synth.TUMOUR).sum() / (s.layout > 0).sum()
        assert (share > 0) == bool(s.label) and share < 0.12


def test_patch_truth_counts_layout_cells(tmp_path):
    s = synth.make_slide_cohort(tmp_path, n=2, seed=0, size=256)[0]
    s.layout[:] = 1
    s.layout[:2, :2] = synth.TUMOUR  # the first 64 x 64 um = one 32-px patch at 2 um/px
    coords = {"x": np.array([0, 32, 0]), "y": np.array([0, 0, 32])}
    assert synth.patch_truth(s, coords, 32).tolist() == [1.0, 0.0, 0.0]


def test_stain_lut_and_errors():
    lut = synth.stain_lut("A")
    assert lut.shape == (synth.Q, synth.Q, 3) and lut[0, 0].min() == synth.BACKGROUND_RGB
    assert lut[-1, 0, 0] < lut[-1, 0, 2]  # haematoxylin: blue-purple (red absorbed most)
    with pytest.raises(ValueError, match="unknown site"):
        synth.stain_lut("Z")
    with pytest.raises(ValueError, match="unknown tissue kind"):
        synth.texture("bone", 64, 2.0, 0)
    with pytest.raises(ValueError, match="multiple of the tile"):
        synth.write_pyramid(None, iter([]), (300, 300), 0.5, 2)
