"""Notebook 04's preprocessing: tissue detection, patch grids, stain separation and normalisation, Ki-67 counting."""

import numpy as np
import pytest
from skimage import color, data

from course_lib.preprocess import pathology as pp
from course_lib.synth import pathology as synth


@pytest.fixture(scope="module")
def painted():
    bank = synth.TextureBank.build(2.0, 256, seed=0)
    lay = np.zeros((16, 16), np.uint8)
    lay[3:13, 2:14] = 1
    lay[3:6, 2:14] = 2
    lay[8:12, 8:12] = synth.TUMOUR
    return lay, {site: bank.paint(lay, 0, 0, 256, 256, synth.stain_lut(site)) for site in ("A", "B")}


def test_tissue_mask_finds_the_tissue(painted):
    lay, imgs = painted
    truth = np.kron(lay > 0, np.ones((16, 16), bool))
    mask = pp.tissue_mask(imgs["A"])
    iou = (mask & truth).sum() / (mask | truth).sum()
    assert iou > 0.85, iou
    with pytest.raises(ValueError, match="RGB"):
        pp.tissue_mask(np.zeros((8, 8)))


def test_patch_grid_stride_and_coordinates():
    mask = np.zeros((40, 40), bool)
    mask[8:24, 8:24] = True  # thumbnail at downsample 16: tissue from level-0 pixel 128 to 384
    grid = pp.patch_grid(mask, 16, patch_px=32, stride_px=32, level_downsample=4)  # patches of 128 level-0 px
    assert sorted(zip(grid["x"], grid["y"], strict=True)) == [(128, 128), (128, 256), (256, 128), (256, 256)]
    assert (grid["tissue"] == 1).all()
    overlap = pp.patch_grid(mask, 16, patch_px=32, stride_px=16, level_downsample=4)  # 50 % overlap
    assert len(overlap) == 21 and overlap["tissue"].min() == 0.5  # corners (25 % tissue) are dropped
    with pytest.raises(ValueError, match="positive"):
        pp.patch_grid(mask, 16, 32, 0)


def test_level_to_level0_rounds():
    got = pp.level_to_level0(np.array([[10, 3], [0, 1]]), 4.000244)
    assert got.tolist() == [[40, 12], [0, 4]] and got.dtype == np.int64


def test_patches_per_slide_and_table():
    assert pp.patches_per_slide(100, 0.5, 256) == 6104
    assert pp.patches_per_slide(100, 0.5, 256, 128) == 24415  # half the stride, four times the patches
    t = pp.patch_setup_table()
    assert len(t) == 15 and t.loc[(t.mpp == 0.25) & (t.patch_px == 256), "field_um"].item() == 64


def test_separate_stains_is_skimage():
    ihc = data.immunohistochemistry()
    assert np.allclose(pp.separate_stains(ihc), color.rgb2hed(ihc))


def test_macenko_recovers_the_true_stain_vectors(painted):
    _, imgs = painted
    for site, img in imgs.items():
        est = pp.macenko_stain_matrix(img)
        true_h = synth.SITES[site]["h"] / np.linalg.norm(synth.SITES[site]["h"])
        true_e = synth.SITES[site]["e"] / np.linalg.norm(synth.SITES[site]["e"])
        assert est[0] @ true_h > 0.99 and est[1] @ true_e > 0.9, (site, est)
    with pytest.raises(ValueError, match="too few stained pixels"):
        pp.macenko_stain_matrix(np.full((20, 20, 3), 250, np.uint8))


def test_macenko_normalisation_moves_lab_b_towards_lab_a(painted):
    _, imgs = painted
    norm = pp.MacenkoNormalizer(imgs["A"])
    out = norm.transform(imgs["B"])
    assert out.shape == imgs["B"].shape and out.dtype == np.uint8
    # the output is stained with lab A's haematoxylin vector, and keeps lab B's structure
    assert pp.macenko_stain_matrix(out)[0] @ norm.stains[0] > pp.macenko_stain_matrix(imgs["B"])[0] @ norm.stains[0]
    h_in = pp.separate_stains(imgs["B"])[..., 0].ravel()
    h_out = pp.separate_stains(out)[..., 0].ravel()
    assert np.corrcoef(h_in, h_out)[0, 1] > 0.9
    assert np.array_equal(pp.macenko_normalize(imgs["B"], imgs["A"]), out)


def test_hed_jitter_batch_and_single(painted):
    _, imgs = painted
    rng = np.random.default_rng(0)
    batch = pp.hed_jitter(np.stack([imgs["A"][:32, :32]] * 3), rng, 0.1)
    assert batch.shape == (3, 32, 32, 3) and batch.dtype == np.uint8
    assert not np.array_equal(batch[0], batch[1])  # each image its own factors
    assert pp.hed_jitter(imgs["A"], rng).shape == imgs["A"].shape


def test_ki67_counting_on_the_real_ihc_image():
    res = pp.count_positive_nuclei(data.immunohistochemistry())
    assert res["n"] >= 200 and 0 < res["positive"] < res["n"]
    assert res["index"] == pytest.approx(100 * res["positive"] / res["n"])
    nuc = res["nuclei"]
    assert nuc.loc[nuc.positive, "intensity_mean"].min() > nuc.loc[~nuc.positive, "intensity_mean"].max()
    strict = pp.count_positive_nuclei(data.immunohistochemistry(), dab_threshold=res["threshold"] * 2)
    assert strict["index"] < res["index"]
    with pytest.raises(ValueError, match="no nuclei"):
        pp.count_positive_nuclei(np.full((64, 64, 3), 255, np.uint8))
