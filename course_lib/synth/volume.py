"""Chest CT + PET and brain MRI phantoms with their ground truth (notebook 09).

A CT case is a crop of the lung (48 x 48 x 32 voxels, 1.5 x 1.5 x 2.0 mm, arrays in NIfTI
voxel order (x, y, z) with z the axial slice axis) in Hounsfield units: lung parenchyma,
chest wall (fat, muscle, ribs), an air-filled bronchus, pulmonary vessels running mostly
along z, and 0-3 nodules (solid, part-solid, ground-glass). Vessels are as wide as small
nodules, so on ONE axial slice a vessel and a nodule look alike; only the neighbouring
slices tell them apart (a tube goes on, a sphere ends) -- the z-context that 3D models use.
The PET is the same anatomy as standardised uptake values (SUV) on a coarser 4 mm grid,
blurred by the scanner's resolution and, when asked, rigidly misaligned (different session).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import ndimage

CT_SHAPE = (48, 48, 32)  # (x, y, z) voxels
CT_SPACING = (1.5, 1.5, 2.0)  # mm
PET_SPACING = (4.0, 4.0, 4.0)  # mm: clinical PET voxels are 2-4 mm, its resolution ~5-7 mm FWHM
PET_FWHM_MM = 6.0
# Hounsfield units of the tissues (water 0, air -1000 by definition of the scale)
HU = {"air": -1000.0, "lung": -850.0, "fat": -100.0, "muscle": 45.0, "blood": 40.0,
      "bone": 700.0, "solid": 35.0, "ground_glass": -550.0}
NODULE_TYPES = ("solid", "part-solid", "ground-glass")
# SUV of the background tissues (blood pool ~1.5-2, muscle ~0.7-1, lung ~0.5)
SUV = {"lung": 0.5, "fat": 0.3, "muscle": 0.9, "blood": 1.8, "bone": 1.0, "air": 0.0}


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator per (seed, generator name)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


@dataclass
class CTCase:
    """One chest CT crop, its nodule mask, and the nodules' truth (notebook 09)."""

    ct: np.ndarray  # (x, y, z) float32 HU
    mask: np.ndarray  # (x, y, z) uint8: 1 inside a nodule
    vessels: np.ndarray  # (x, y, z) bool: vessel voxels (the nodules' look-alikes)
    nodules: pd.DataFrame  # one row per nodule: centre_mm, diameter_mm, type, volume_ml, malignant, suv_max
    spacing: tuple = CT_SPACING
    suv: np.ndarray | None = field(default=None, repr=False)  # (x, y, z) SUV on the CT grid (aligned)


def _grid(shape, spacing):
    """Voxel-centre coordinates in mm, each (x, y, z)."""
    return np.meshgrid(*[np.arange(n) * s for n, s in zip(shape, spacing, strict=True)], indexing="ij")


def _nodule_table(rng: np.random.Generator, n: int, extent_mm: np.ndarray) -> pd.DataFrame:
    """Nodules with size, type and malignancy; PET uptake follows malignancy and type."""
    kind = rng.choice(NODULE_TYPES, size=n, p=[0.5, 0.25, 0.25])
    diameter = rng.uniform(8.0, 20.0, n)  # mm
    # Malignancy risk rises with size and with a solid component inside ground glass (part-solid)
    logit = -1.0 + 0.3 * (diameter - 12) + np.select([kind == "part-solid", kind == "ground-glass"],
                                                     [2.0, 0.5], 0.0)
    malignant = rng.random(n) < 1 / (1 + np.exp(-logit))
    # FDG: malignant solid nodules are avid; ground-glass cancers often are not; inflammatory
    # benign nodules can be -- why PET alone is not the whole answer
    suv = np.where(malignant, rng.lognormal(np.log(3.5), 0.5, n), rng.lognormal(np.log(1.4), 0.6, n))
    suv = np.where(malignant & (kind == "ground-glass"), rng.uniform(0.8, 2.0, n), suv)
    centre = rng.uniform(0.22, 0.82, (n, 3)) * extent_mm
    for i in range(1, n):  # keep nodules apart: resample a centre that overlaps an earlier nodule
        for _ in range(50):
            gap = np.linalg.norm(centre[:i] - centre[i], axis=1) - 0.6 * (diameter[:i] + diameter[i])
            if (gap > 1.0).all():
                break
            centre[i] = rng.uniform(0.22, 0.82, 3) * extent_mm
    return pd.DataFrame({"cx": centre[:, 0], "cy": centre[:, 1], "cz": centre[:, 2],
                         "diameter_mm": diameter, "type": kind, "malignant": malignant.astype(int),
                         "suv_max": suv})


def make_ct_case(seed: int, n_nodules: int | None = None, shape=CT_SHAPE, spacing=CT_SPACING,
                 noise_hu: float = 20.0) -> CTCase:
    """A chest CT crop in HU with vessels, a bronchus, chest wall and nodules (notebook 09)."""
    rng = stream(seed, "volume.ct")
    X, Y, Z = _grid(shape, spacing)
    extent = np.array(shape) * np.array(spacing)
    ct = np.full(shape, HU["lung"], np.float32)
    suv = np.full(shape, SUV["lung"], np.float32)
    # Chest wall on the low-x side: skin-side fat, then muscle with ribs running along y
    wall = 10 + 3 * np.sin(Y / extent[1] * np.pi + rng.uniform(0, 6)) + rng.uniform(-2, 2)
    for tissue, depth in [("muscle", wall), ("fat", wall - 7)]:
        inside = X < depth
        ct[inside], suv[inside] = HU[tissue], SUV[tissue]
    for zr in rng.uniform(0.15, 0.85, 2) * extent[2]:
        rib = ((X - (wall - 4)) / 3.0) ** 2 + ((Z - zr) / 4.0) ** 2 < 1
        ct[rib], suv[rib] = HU["bone"], SUV["bone"]
    lung = X >= wall
    # Vessels: tubes mostly along z, centre drifting with z, radii overlapping the nodules'
    vessels = np.zeros(shape, bool)
    for _ in range(rng.integers(4, 7)):
        c0 = rng.uniform(0.3, 0.9, 2) * extent[:2]
        slope = rng.uniform(-0.35, 0.35, 2)
        amp, phase = rng.uniform(0, 3, 2), rng.uniform(0, 2 * np.pi, 2)
        cx = c0[0] + slope[0] * (Z - extent[2] / 2) + amp[0] * np.sin(Z / 12 + phase[0])
        cy = c0[1] + slope[1] * (Z - extent[2] / 2) + amp[1] * np.sin(Z / 15 + phase[1])
        r = rng.uniform(2.5, 6.0)
        vessels |= (X - cx) ** 2 + (Y - cy) ** 2 < r ** 2
    vessels &= lung
    ct[vessels], suv[vessels] = HU["blood"], SUV["blood"]
    # A bronchus: air lumen inside a soft-tissue wall, beside a vessel (broncho-vascular bundle)
    b0 = rng.uniform(0.35, 0.85, 2) * extent[:2]
    dist = np.sqrt((X - b0[0]) ** 2 + (Y - b0[1]) ** 2)
    ct[(dist < 4.0) & lung], suv[(dist < 4.0) & lung] = HU["muscle"], SUV["muscle"]
    ct[(dist < 2.8) & lung], suv[(dist < 2.8) & lung] = HU["air"], SUV["air"]
    # Nodules: ellipsoids; ground glass is hazy (-550 HU), part-solid has a solid core
    n = int(rng.integers(0, 4)) if n_nodules is None else n_nodules
    table = _nodule_table(rng, n, extent)
    mask = np.zeros(shape, np.uint8)
    volumes = []
    for row in table.itertuples():
        axes = row.diameter_mm / 2 * rng.uniform(0.85, 1.15, 3)
        d2 = ((X - row.cx) / axes[0]) ** 2 + ((Y - row.cy) / axes[1]) ** 2 + ((Z - row.cz) / axes[2]) ** 2
        inside = (d2 < 1) & lung
        solid = HU["solid"] if row.type == "solid" else HU["ground_glass"]
        ct[inside] = solid
        if row.type == "part-solid":
            ct[inside & (d2 < 0.3)] = HU["solid"]
        suv[inside] = row.suv_max * np.exp(-1.5 * d2[inside])  # hottest in the centre
        mask[inside] = 1
        volumes.append(np.count_nonzero(inside) * np.prod(spacing) / 1000)  # mL, inside the lung
    table["volume_ml"] = volumes
    # Scanner blur (partial volume) and quantum noise, then HU stored as integers like DICOM
    ct = ndimage.gaussian_filter(ct, sigma=0.6) + rng.normal(0, noise_hu, shape)
    ct = np.clip(np.round(ct), -1024, 3071)  # the 12-bit range scanners store
    return CTCase(ct=ct.astype(np.float32), mask=mask, vessels=vessels, nodules=table,
                  spacing=tuple(spacing), suv=suv)


def rigid_matrix(angles_deg, translation_mm) -> np.ndarray:
    """4x4 rigid transform (rotations about x, y, z in degrees, then a translation in mm)."""
    ax, ay, az = np.deg2rad(angles_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    m = np.eye(4)
    m[:3, :3] = rz @ ry @ rx
    m[:3, 3] = translation_mm
    return m


def make_pet(case: CTCase, seed: int, misalign: bool = False, max_shift_mm: float = 6.0,
             max_angle_deg: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """PET (SUV) of a CT case on a 4 mm grid; returns (pet, true 4x4 transform) (notebook 09).

    The 4x4 transform maps a point of the CT frame (mm) to where that anatomy lies in the PET
    frame (a rotation about the field's centre, then a shift); identity when misalign is False
    (a hybrid PET/CT scanner, both acquired in one session).
    """
    rng = stream(seed, "volume.pet")
    if misalign:
        truth = rigid_matrix(rng.uniform(-max_angle_deg, max_angle_deg, 3),
                             rng.uniform(-max_shift_mm, max_shift_mm, 3))
    else:
        truth = np.eye(4)
    spacing = np.asarray(case.spacing)
    centre = (np.array(case.ct.shape) - 1) * spacing / 2  # rotate about the centre of the field
    about = np.eye(4)
    about[:3, 3] = centre
    moved = about @ truth @ np.linalg.inv(about)  # CT-frame point -> PET-frame point (mm)
    # Resample the high-resolution SUV map: PET-frame point p shows anatomy at moved^-1 p
    inv = np.linalg.inv(moved)
    vox = np.diag(1 / spacing) @ inv[:3, :3] @ np.diag(spacing)
    offset = (inv[:3, 3]) / spacing
    activity = ndimage.affine_transform(case.suv, vox, offset=offset, order=1, mode="nearest")
    sigma_mm = PET_FWHM_MM / 2.355
    activity = ndimage.gaussian_filter(activity, sigma=sigma_mm / spacing)
    factor = np.round(np.array(PET_SPACING) / spacing).astype(int)  # 4 mm voxels (approximately)
    pet = ndimage.zoom(activity, 1 / factor, order=1, grid_mode=True, mode="nearest")
    pet = pet * rng.lognormal(0, 0.08, pet.shape)  # counting noise
    return np.clip(pet, 0, None).astype(np.float32), moved


def pet_geometry(case: CTCase, pet: np.ndarray) -> tuple[tuple, tuple]:
    """(voxel size, centre of the first voxel) of the PET grid, in mm of the CT frame."""
    factor = np.array(case.ct.shape) / np.array(pet.shape)
    spacing = factor * np.array(case.spacing)
    origin = (factor - 1) / 2 * np.array(case.spacing)  # block-averaged: centre of each block
    return tuple(spacing.tolist()), tuple(origin.tolist())


def make_ct_dataset(n: int, seed: int) -> list[CTCase]:
    """n CT cases, each with 1-3 nodules (notebook 09)."""
    rng = stream(seed, "volume.dataset")
    return [make_ct_case(int(s), n_nodules=int(k))
            for s, k in zip(rng.integers(0, 2**31, n), rng.integers(1, 4, n), strict=True)]


# --- Brain MRI: T1, T2, FLAIR and a tumour with oedema ------------------------------------
MRI_SHAPE = (40, 48, 40)
MRI_SPACING = (4.0, 4.0, 4.0)
# Relative signal per tissue: T1 (WM > GM > CSF), T2 (CSF brightest, oedema bright),
# FLAIR = T2 with the free-water signal nulled (CSF dark, oedema stays bright); the tumour
# core is dark on T1 and less bright than oedema on T2: only T1 + FLAIR together separate all
MRI_SIGNAL = {  # tissue: (T1, T2, FLAIR)
    "background": (0.0, 0.0, 0.0), "csf": (0.2, 1.0, 0.1), "gm": (0.55, 0.6, 0.55),
    "wm": (0.8, 0.4, 0.4), "oedema": (0.55, 0.9, 0.85), "tumour": (0.3, 0.7, 0.8),
}
SEQUENCES = ("T1", "T2", "FLAIR")


def make_brain_case(seed: int, shape=MRI_SHAPE, spacing=MRI_SPACING, noise: float = 0.06) -> dict:
    """Brain MRI phantom: (3, x, y, z) T1/T2/FLAIR, tissue labels, oedema/core target (notebook 09)."""
    rng = stream(seed, "volume.brain")
    X, Y, Z = _grid(shape, spacing)
    c = (np.array(shape) - 1) * np.array(spacing) / 2
    radii = np.array([64.0, 78.0, 62.0]) * rng.uniform(0.95, 1.05, 3)
    r = np.sqrt(((X - c[0]) / radii[0]) ** 2 + ((Y - c[1]) / radii[1]) ** 2 + ((Z - c[2]) / radii[2]) ** 2)
    folds = 0.04 * np.sin(X / 5 + rng.uniform(0, 6)) * np.sin(Y / 6) * np.sin(Z / 5)  # gyri
    label = np.zeros(shape, np.int8)  # 0 background, 1 CSF, 2 GM, 3 WM, 4 oedema, 5 tumour
    label[r < 1.0] = 1
    label[r < 0.93 + folds] = 2
    label[r < 0.78 + folds] = 3
    for side in (-1, 1):  # lateral ventricles
        v = (((X - c[0] - side * 9) / 6) ** 2 + ((Y - c[1]) / 22) ** 2 + ((Z - c[2] - 4) / 9) ** 2) < 1
        label[v] = 1
    t_c = c + rng.uniform(-1, 1, 3) * np.array([30, 35, 20])
    t_r = rng.uniform(8, 14)
    lobes = sum(np.exp(-(((X - t_c[0] - o[0]) ** 2 + (Y - t_c[1] - o[1]) ** 2 + (Z - t_c[2] - o[2]) ** 2)
                         / (2 * (1.6 * t_r) ** 2))) for o in rng.normal(0, 8, (3, 3)))
    oedema = (lobes > 0.6) & (label >= 2)
    label[oedema] = 4
    label[(((X - t_c[0]) ** 2 + (Y - t_c[1]) ** 2 + (Z - t_c[2]) ** 2) < t_r ** 2) & (label >= 2)] = 5
    names = list(MRI_SIGNAL)
    table = np.array([MRI_SIGNAL[k] for k in names], np.float32)  # (6, 3)
    images = np.moveaxis(table[label], -1, 0)  # (3, x, y, z)
    images = ndimage.gaussian_filter(images, sigma=(0, 0.7, 0.7, 0.7))
    bias = 1 + 0.1 * (X - c[0]) / radii[0]  # a smooth coil-sensitivity bias field
    images = images * bias + rng.normal(0, noise, images.shape)
    # BraTS-style targets: 0 none, 1 oedema, 2 tumour core (whole tumour = 1 + 2)
    target = np.select([label == 5, label == 4], [2, 1], 0).astype(np.uint8)
    return {"image": images.astype(np.float32), "target": target, "label": label,
            "spacing": tuple(spacing)}
