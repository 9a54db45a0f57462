"""Notebook 09: Dice vs MONAI, volumes, nnU-Net plan, registration, slices, models and widget logic."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib.models.volume import (  # noqa: E402
    make_unet,
    predict_probs,
    predict_voxels,
    scale_hu,
    to_slices,
    train_segmenter,
    train_voxel_classifier,
)
from course_lib.preprocess.volume import (  # noqa: E402
    choose_for_volumetry,
    dice_3d,
    fingerprint,
    mip,
    neighbourhoods,
    nodule_features,
    pet_on_ct_grid,
    plan_from_fingerprint,
    register_rigid,
    target_registration_error,
    volume_ml,
)
from course_lib.synth.volume import make_ct_case, make_ct_dataset, make_pet, pet_geometry  # noqa: E402
from course_lib.widgets.volume import render_slice, slice_view  # noqa: E402


def test_dice_matches_monai():
    from monai.metrics import DiceMetric

    rng = np.random.default_rng(0)
    p, t = rng.random((10, 12, 8)) > 0.6, rng.random((10, 12, 8)) > 0.5
    want = float(DiceMetric(include_background=True)(torch.as_tensor(p[None, None]).float(),
                                                     torch.as_tensor(t[None, None]).float()))
    assert dice_3d(p, t) == pytest.approx(want)
    assert dice_3d(np.zeros((3, 3, 3)), np.zeros((3, 3, 3))) == 1.0


def test_volume_ml_and_mip():
    assert volume_ml(np.ones((10, 10, 10)), (1.0, 1.0, 1.0)) == pytest.approx(1.0)
    assert volume_ml(np.ones((4, 4, 4)), (0.5, 0.5, 5.0)) == pytest.approx(64 * 1.25 / 1000)
    v = np.zeros((4, 4, 4))
    v[1, 2, 3] = 5
    assert mip(v)[1, 2] == 5


def test_choice_reference():
    import pandas as pd

    t = pd.DataFrame({"Dice": [0.9, 0.8], "volume error (mL)": [0.4, 0.2]}, index=["a", "b"])
    assert choose_for_volumetry(t) == ("b", 0.2)


def test_plan_pools_thick_slices_less():
    iso = {"median_spacing": np.array([1.5, 1.5, 2.0]), "median_shape": np.array([48, 48, 32]), "anisotropy": 1.33,
           "fg_mean": 0, "fg_std": 1, "fg_p00_5": -800, "fg_p99_5": 100}
    thick = {**iso, "median_spacing": np.array([1.5, 1.5, 5.0]), "median_shape": np.array([48, 48, 13]),
             "anisotropy": 3.33}
    a, b = plan_from_fingerprint(iso), plan_from_fingerprint(thick)
    assert a["poolings_per_axis"][2] >= 2 and b["poolings_per_axis"][2] < b["poolings_per_axis"][0]
    assert b["target_spacing_mm"][2] < 5.0 and np.prod(a["patch_size"]) <= 32 ** 3
    cases = make_ct_dataset(2, seed=0)
    fp = fingerprint([c.ct for c in cases], [c.mask for c in cases], [c.spacing for c in cases])
    assert fp["fg_p00_5"] < fp["fg_p99_5"] and tuple(fp["median_shape"]) == (48, 48, 32)


def test_registration_recovers_a_rigid_misalignment():
    c = make_ct_case(seed=11, n_nodules=2)
    pet, truth = make_pet(c, seed=11, misalign=True)
    sp, origin = pet_geometry(c, pet)
    est = register_rigid(c.ct, c.spacing, pet, sp, origin)
    pts = np.array([[20.0, 30, 20], [50, 40, 40], [36, 36, 32]])
    before = target_registration_error(np.eye(4), truth, pts).mean()
    after = target_registration_error(est, truth, pts).mean()
    assert after < min(sp) and after < before
    feats = nodule_features(c.ct, c.mask, pet_on_ct_grid(pet, sp, origin, c.ct.shape, c.spacing, est), c.spacing,
                            c.nodules[["cx", "cy", "cz"]].to_numpy())
    assert list(feats.columns) == ["volume_ml", "diameter_mm", "mean_hu", "solid_fraction", "suv_max"]


def test_slices_and_neighbourhoods():
    v = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    s0, s1 = to_slices(v, 0), to_slices(v, 1)
    assert s0.shape == (10, 1, 3, 4) and s1.shape == (10, 3, 3, 4)
    assert np.array_equal(s0[7, 0], v[1, :, :, 2]) and np.array_equal(s1[7, 0], v[1, :, :, 1])
    n = neighbourhoods(v[0])
    assert n.shape == (3, 4, 5, 27) and n[1, 1, 1, 13] == v[0, 1, 1, 1]  # the centre of the 3x3x3


def test_unets_and_short_training():
    torch.set_num_threads(1)
    assert make_unet(3)(torch.zeros(1, 1, 16, 16, 16)).shape == (1, 2, 16, 16, 16)
    assert make_unet(2, 3)(torch.zeros(2, 3, 16, 16)).shape == (2, 2, 16, 16)
    cases = make_ct_dataset(2, seed=0)
    X, y = np.stack([scale_hu(c.ct) for c in cases]), np.stack([c.mask for c in cases])
    for mode in ("3d", "2.5d"):
        run = train_segmenter(X, y, mode=mode, steps=2, seed=0)
        assert run["model"] is not None and len(run["losses"]) == 2
        assert predict_probs(run["model"], X[:1], mode).shape == (1, 48, 48, 32)
    with pytest.raises(ValueError, match="mode"):
        train_segmenter(X, y, mode="4d")


def test_voxel_classifier_learns_a_threshold():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    net = train_voxel_classifier(x, y, n_classes=2, steps=100, batch=256, seed=0)
    assert (predict_voxels(net, x).argmax(1) == y).mean() > 0.95


def test_widget_logic():
    c = make_ct_case(seed=1, n_nodules=1)
    assert slice_view(c.ct, "coronal", 100).shape == (48, 32)  # index clipped to the volume
    fig = render_slice(c.ct, c.spacing, "sagittal", 10, "bone (400/1800)", {"nodule": c.mask})
    assert fig.axes[0].get_title().startswith("sagittal")
    plt.close(fig)
    with pytest.raises(ValueError, match="window"):
        render_slice(c.ct, c.spacing, window="brain")
    with pytest.raises(ValueError, match="axis"):
        slice_view(c.ct, "oblique", 1)


def test_figures_draw():
    from course_lib.viz.volume import plot_mip, plot_orthogonal, plot_predictions, plot_surface

    c = make_ct_case(seed=2, n_nodules=1)
    figs = [plot_orthogonal(c.ct, c.spacing, mask=c.mask, overlay=c.suv), plot_mip(c.ct, c.spacing, slab=(4, 12)),
            plot_surface({"nodules": c.mask > 0, "vessels": c.vessels}, c.spacing),
            plot_predictions(c.ct, c.mask, {"3D": c.mask}, 16, c.spacing)]
    assert [len(f.axes) for f in figs] == [3, 2, 1, 2]
    for f in figs:
        plt.close(f)
