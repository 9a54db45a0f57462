"""Classical volume processing: volumes in mL, Dice, MIP, nnU-Net's plan, rigid registration (notebook 09)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def volume_ml(mask: np.ndarray, spacing) -> float:
    """Volume of a binary mask in millilitres: voxel count x voxel volume (mm^3) / 1000 (notebook 09)."""
    return float(np.count_nonzero(mask) * np.prod(np.asarray(spacing, float)) / 1000.0)


def dice_3d(pred: np.ndarray, target: np.ndarray) -> float:
    """Dice = 2|P and T| / (|P| + |T|) of two binary volumes; 1.0 when both are empty (notebook 09)."""
    p, t = np.asarray(pred).astype(bool), np.asarray(target).astype(bool)
    total = p.sum() + t.sum()
    return 1.0 if total == 0 else float(2 * np.logical_and(p, t).sum() / total)


def choose_for_volumetry(table: pd.DataFrame) -> tuple[str, float]:
    """Judgement of notebook 09: the model to measure nodule volumes with, and the number behind it.

    For volumetry (Fleischner follow-up) what matters is the volume error, so pick the row with
    the smallest mean absolute volume error (column "volume error (mL)") and return (name, error).
    """
    errors = table["volume error (mL)"].astype(float)
    best = errors.idxmin()
    return str(best), float(errors[best])


def mip(volume: np.ndarray, axis: int = 2) -> np.ndarray:
    """Maximum-intensity projection along an axis (radiologists' MIP slabs for nodules vs vessels)."""
    return np.asarray(volume).max(axis=axis)


# --- nnU-Net's idea: a dataset fingerprint decides the plan -------------------------------

def fingerprint(images: list[np.ndarray], labels: list[np.ndarray], spacings: list) -> dict:
    """Spacing, shape and foreground-intensity statistics of a dataset (as nnU-Net collects)."""
    fg = np.concatenate([im[lb > 0].ravel() for im, lb in zip(images, labels, strict=True)])
    return {"median_spacing": np.median(np.asarray(spacings, float), axis=0),
            "median_shape": np.median([im.shape for im in images], axis=0),
            "n_cases": len(images),
            "fg_mean": float(fg.mean()), "fg_std": float(fg.std()),
            "fg_p00_5": float(np.percentile(fg, 0.5)), "fg_p99_5": float(np.percentile(fg, 99.5)),
            "anisotropy": float(np.max(np.median(spacings, 0)) / np.min(np.median(spacings, 0)))}


def plan_from_fingerprint(fp: dict, modality: str = "CT", max_patch_voxels: int = 32 ** 3,
                          min_feature_map: int = 4) -> dict:
    """nnU-Net-style rules: target spacing, normalisation, patch size and poolings per axis.

    - target spacing: the median spacing; if one axis is > 3x coarser (anisotropic), use the
      10th percentile there instead (nnU-Net uses the dataset's; one median here).
    - normalisation: CT clips to the foreground's 0.5-99.5 percentiles then z-scores with the
      foreground mean/std (HU are absolute); MRI z-scores each image (its units are arbitrary).
    - patch: start from the median shape in physical proportions, shrink the largest axis until
      it fits the memory budget; pool an axis while it stays >= min_feature_map voxels and its
      spacing is not > 2x the finest (no pooling across thick slices first).
    """
    spacing = np.asarray(fp["median_spacing"], float)
    shape = np.asarray(fp["median_shape"], float)
    target = spacing.copy()
    if fp["anisotropy"] > 3:
        coarse = int(np.argmax(spacing))
        target[coarse] = max(spacing[coarse] * 0.5, spacing.min() * 3)  # stand-in for the 10th percentile
    new_shape = np.round(shape * spacing / target)
    patch = new_shape.copy()
    while np.prod(patch) > max_patch_voxels:
        i = int(np.argmax(patch * target))  # shrink the physically longest side
        patch[i] -= 8 if patch[i] > 8 else 1
    patch = np.maximum(8, np.floor(patch / 8) * 8)  # divisible by 2^3
    pools, sp, size = np.zeros(3, int), target.copy(), patch.copy()
    for _ in range(6):
        can = (size / 2 >= min_feature_map) & (sp <= 2 * sp.min())
        if not can.any():
            break
        pools += can
        size = np.where(can, size / 2, size)
        sp = np.where(can, sp * 2, sp)
    norm = ("clip to foreground [0.5, 99.5] percentiles "
            f"[{fp['fg_p00_5']:.0f}, {fp['fg_p99_5']:.0f}], z-score with mean {fp['fg_mean']:.0f}, "
            f"std {fp['fg_std']:.0f}") if modality == "CT" else "z-score per image"
    return {"target_spacing_mm": tuple(np.round(target, 2)), "resampled_shape": tuple(int(v) for v in new_shape),
            "patch_size": tuple(int(v) for v in patch), "poolings_per_axis": tuple(int(v) for v in pools),
            "network_depth": int(pools.max()) + 1, "normalisation": norm}


# --- CT + PET: rigid registration with SimpleITK ------------------------------------------

def _sitk_image(array: np.ndarray, spacing, origin=(0.0, 0.0, 0.0)):
    import SimpleITK as sitk

    img = sitk.GetImageFromArray(np.ascontiguousarray(np.asarray(array, np.float32).transpose(2, 1, 0)))
    img.SetSpacing(tuple(float(s) for s in spacing))  # SimpleITK arrays are (z, y, x): transposed above
    img.SetOrigin(tuple(float(o) for o in origin))
    return img


def register_rigid(ct: np.ndarray, ct_spacing, pet: np.ndarray, pet_spacing, pet_origin,
                   iterations: int = 150) -> np.ndarray:
    """Rigid (6 parameters) PET-to-CT registration by Mattes mutual information (notebook 09).

    Returns the 4x4 matrix that maps a CT point (mm) to the PET point showing the same anatomy.
    Mutual information suits two modalities whose intensities differ but co-vary (HU vs SUV).
    """
    import SimpleITK as sitk

    fixed = _sitk_image(np.clip(ct, -1000, 400), ct_spacing)
    moving = _sitk_image(pet, pet_spacing, pet_origin)
    reg = sitk.ImageRegistrationMethod()
    reg.SetMetricAsMattesMutualInformation(numberOfHistogramBins=32)
    reg.SetMetricSamplingStrategy(reg.NONE)  # every voxel: deterministic
    reg.SetInterpolator(sitk.sitkLinear)
    reg.SetOptimizerAsRegularStepGradientDescent(learningRate=0.5, minStep=1e-3,
                                                 numberOfIterations=iterations, relaxationFactor=0.6)
    reg.SetOptimizerScalesFromPhysicalShift()  # steps in mm for shifts and rotations alike
    reg.SetShrinkFactorsPerLevel([4, 2, 1])  # coarse to fine: avoids local optima, saves time
    reg.SetSmoothingSigmasPerLevel([4.0, 2.0, 0.0])
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    init = sitk.CenteredTransformInitializer(fixed, moving, sitk.Euler3DTransform(),
                                             sitk.CenteredTransformInitializerFilter.GEOMETRY)
    reg.SetInitialTransform(init, inPlace=False)
    out = reg.Execute(fixed, moving)
    if out.GetName() == "CompositeTransform":
        out = sitk.CompositeTransform(out).GetNthTransform(0)
    euler = sitk.Euler3DTransform(out)
    m = np.eye(4)
    rot = np.asarray(euler.GetMatrix()).reshape(3, 3)
    c, t = np.asarray(euler.GetCenter()), np.asarray(euler.GetTranslation())
    m[:3, :3], m[:3, 3] = rot, c + t - rot @ c  # p' = R (p - c) + c + t
    return m


def target_registration_error(transform: np.ndarray, truth: np.ndarray, points_mm: np.ndarray) -> np.ndarray:
    """Distance (mm) between where two 4x4 transforms send each point (n, 3)."""
    p = np.c_[points_mm, np.ones(len(points_mm))]
    return np.linalg.norm((p @ transform.T - p @ truth.T)[:, :3], axis=1)


def pet_on_ct_grid(pet: np.ndarray, pet_spacing, pet_origin, ct_shape, ct_spacing,
                   transform: np.ndarray | None = None) -> np.ndarray:
    """Resample a PET onto the CT grid through a CT->PET 4x4 transform (identity: as acquired)."""
    from scipy import ndimage

    m = np.eye(4) if transform is None else transform
    pet_sp, ct_sp = np.asarray(pet_spacing, float), np.asarray(ct_spacing, float)
    # CT voxel v -> CT mm (v * ct_sp) -> PET mm (m) -> PET voxel ((p - origin) / pet_sp)
    matrix = np.diag(1 / pet_sp) @ m[:3, :3] @ np.diag(ct_sp)
    offset = (m[:3, 3] - np.asarray(pet_origin, float)) / pet_sp
    return ndimage.affine_transform(np.asarray(pet, np.float32), matrix, offset=offset,
                                    output_shape=tuple(ct_shape), order=1, mode="nearest")


def neighbourhoods(volume: np.ndarray) -> np.ndarray:
    """(..., x, y, z) -> (x, y, z, 27 * channels): each voxel's 3x3x3 neighbourhood, what one 3D
    convolution kernel sees (edges repeat the border)."""
    from numpy.lib.stride_tricks import sliding_window_view

    v = np.asarray(volume, np.float32)
    v = v[None] if v.ndim == 3 else v  # (C, x, y, z)
    padded = np.pad(v, ((0, 0), (1, 1), (1, 1), (1, 1)), mode="edge")
    win = sliding_window_view(padded, (3, 3, 3), axis=(1, 2, 3))  # (C, x, y, z, 3, 3, 3)
    return np.ascontiguousarray(np.moveaxis(win, 0, 3).reshape(*v.shape[1:], -1))


def sample_voxels(features: np.ndarray, labels: np.ndarray, where: np.ndarray, n: int,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Up to n random voxels (features (x, y, z, f), labels) from inside a boolean region."""
    idx = np.flatnonzero(np.broadcast_to(where, labels.shape))
    idx = np.random.default_rng(seed).choice(idx, size=min(n, len(idx)), replace=False)
    return features.reshape(-1, features.shape[-1])[idx], labels.reshape(-1)[idx]


def nodule_features(ct: np.ndarray, mask: np.ndarray, pet_on_ct: np.ndarray, spacing,
                    centres_mm: np.ndarray) -> pd.DataFrame:
    """Per nodule (the mask component at each centre): CT size and density, PET uptake (notebook 09)."""
    from scipy import ndimage

    components, _ = ndimage.label(mask > 0)
    rows = []
    for c in np.asarray(centres_mm, float):
        v = tuple(np.clip(np.round(c / np.asarray(spacing)).astype(int), 0, np.array(mask.shape) - 1))
        region = components == components[v] if components[v] else np.zeros(mask.shape, bool)
        if not region.any():  # centre outside the lung: take a 1-voxel ball
            region = np.zeros(mask.shape, bool)
            region[v] = True
        hu = ct[region]
        vol = volume_ml(region, spacing)
        rows.append({"volume_ml": vol, "diameter_mm": (6 * vol * 1000 / np.pi) ** (1 / 3),
                     "mean_hu": float(hu.mean()), "solid_fraction": float((hu > -300).mean()),
                     "suv_max": float(pet_on_ct[ndimage.binary_dilation(region)].max())})
    return pd.DataFrame(rows)
