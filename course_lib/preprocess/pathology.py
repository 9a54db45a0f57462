"""Whole-slide preprocessing: tissue detection, patch grids, stain separation and normalisation (notebook 04)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import ndimage
from skimage import color, filters, measure, morphology, segmentation

from course_lib.datasets.pathology import open_slide

# --- Tissue detection and patch grids ----------------------------------------------------------


def tissue_mask(rgb: np.ndarray, min_size: int = 64) -> np.ndarray:
    """Tissue vs glass on a thumbnail: Otsu on HSV saturation, then morphology (notebook 04).

    Glass is bright and grey (low saturation); stained tissue is coloured, whatever the stain.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        raise ValueError(f"tissue_mask needs an RGB image (H, W, 3), got shape {rgb.shape}")
    sat = color.rgb2hsv(rgb[..., :3])[..., 1]
    mask = sat > filters.threshold_otsu(sat)
    mask = ndimage.binary_closing(mask, morphology.disk(2))  # close small gaps between nuclei
    mask = morphology.remove_small_objects(mask, max_size=min_size)  # dust, pen specks
    return ndimage.binary_fill_holes(mask)


def level_to_level0(xy: np.ndarray, downsample: float) -> np.ndarray:
    """Pixel coordinates at a pyramid level -> level-0 coordinates (int), as read_region wants (notebook 04)."""
    return np.round(np.asarray(xy, dtype=float) * downsample).astype(np.int64)


def patch_grid(mask: np.ndarray, mask_downsample: float, patch_px: int, stride_px: int,
               level_downsample: float = 1.0, min_tissue: float = 0.5) -> pd.DataFrame:
    """Patches on a grid with stride, kept where the tissue mask covers >= min_tissue (notebook 04).

    The patch is `patch_px` pixels at the level whose downsample is `level_downsample`; the mask is a
    thumbnail with downsample `mask_downsample`. Returns level-0 top-left corners (x, y) and tissue
    fractions, so patch results can be put back on the slide (heatmaps).
    """
    if stride_px <= 0 or patch_px <= 0:
        raise ValueError("patch_px and stride_px must be positive (stride < patch gives overlap)")
    size0 = patch_px * level_downsample  # patch side in level-0 pixels
    step0 = stride_px * level_downsample
    h0, w0 = mask.shape[0] * mask_downsample, mask.shape[1] * mask_downsample
    ys, xs = np.arange(0, h0 - size0 + 1, step0), np.arange(0, w0 - size0 + 1, step0)
    integral = np.pad(mask.astype(np.float64), ((1, 0), (1, 0))).cumsum(0).cumsum(1)  # box sums in O(1)
    rows = []
    for y in ys:
        y1, y2 = int(y / mask_downsample), max(int((y + size0) / mask_downsample), int(y / mask_downsample) + 1)
        for x in xs:
            x1, x2 = int(x / mask_downsample), max(int((x + size0) / mask_downsample), int(x / mask_downsample) + 1)
            frac = (integral[y2, x2] - integral[y1, x2] - integral[y2, x1] + integral[y1, x1]) / ((y2 - y1) * (x2 - x1))
            if frac >= min_tissue:
                rows.append((int(x), int(y), frac))
    return pd.DataFrame(rows, columns=["x", "y", "tissue"])


def patches_per_slide(tissue_mm2: float, mpp: float, patch_px: int, stride_px: int | None = None) -> int:
    """How many patches tile `tissue_mm2` of tissue at `mpp` um/px with this patch and stride (notebook 04)."""
    stride_px = stride_px or patch_px
    step_mm = stride_px * mpp / 1000
    return int(np.ceil(tissue_mm2 / step_mm ** 2))


def patch_setup_table(tissue_mm2: float = 100.0, lesion_um: float = 200.0, nucleus_um: float = 7.0) -> pd.DataFrame:
    """Patch size x magnification: field of view, nucleus size in px, lesion share, patch count (notebook 04)."""
    rows = []
    for mag, mpp in [("40x", 0.25), ("20x", 0.5), ("10x", 1.0), ("5x", 2.0), ("2.5x", 4.0)]:
        for patch in (128, 256, 512):
            fov = patch * mpp
            rows.append({"magnification": mag, "mpp": mpp, "patch_px": patch, "field_um": fov,
                         "nucleus_px": nucleus_um / mpp,
                         "lesion_share": min(1.0, (lesion_um / fov) ** 2),
                         "patches": patches_per_slide(tissue_mm2, mpp, patch)})
    return pd.DataFrame(rows)


def split_patches(image: np.ndarray, patch_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut an (H, W, 3) region into non-overlapping patches (N, p, p, 3) and their (x, y) corners."""
    h, w = image.shape[0] // patch_px, image.shape[1] // patch_px
    p = image[:h * patch_px, :w * patch_px].reshape(h, patch_px, w, patch_px, -1).swapaxes(1, 2)
    yy, xx = np.mgrid[0:h, 0:w] * patch_px
    return p.reshape(h * w, patch_px, patch_px, -1), np.c_[xx.ravel(), yy.ravel()]


# --- Stain: colour deconvolution and normalisation -------------------------------------------


def separate_stains(rgb: np.ndarray) -> np.ndarray:
    """Haematoxylin, eosin, DAB concentrations (H, W, 3) by colour deconvolution (skimage.color.rgb2hed)."""
    return color.rgb2hed(np.asarray(rgb)[..., :3])


def optical_density(rgb: np.ndarray, background: float = 255.0) -> np.ndarray:
    """Beer-Lambert optical density OD = -log10(I / I0) per channel (notebook 04)."""
    return -np.log10(np.clip(np.asarray(rgb, float), 1, background) / background)


def macenko_stain_matrix(rgb: np.ndarray, beta: float = 0.15, alpha: float = 1.0,
                         background: float | None = None) -> np.ndarray:
    """The two stain OD vectors (2, 3) of an H&E image, rows H then E, by Macenko et al. 2009 (notebook 04).

    1. OD of every pixel; drop near-transparent pixels (OD < beta). 2. The plane of the two largest
    principal directions of OD. 3. The angle of each pixel in that plane; the stains are the robust
    extremes (alpha-th and (100-alpha)-th percentiles). Haematoxylin is the bluer one.
    """
    px = np.asarray(rgb, float)[..., :3].reshape(-1, 3)
    background = background or float(np.percentile(px.max(1), 99))
    od = optical_density(px, background)
    od = od[np.all(od > beta, axis=1)]
    if len(od) < 50:
        raise ValueError("too few stained pixels for Macenko: is this an H&E image with tissue?")
    _, vecs = np.linalg.eigh(np.cov(od.T))
    plane = vecs[:, [1, 2]]  # the two largest eigenvectors (eigh sorts ascending)
    proj = od @ plane
    phi = np.arctan2(proj[:, 1], proj[:, 0])
    lo, hi = np.percentile(phi, [alpha, 100 - alpha])
    v1 = plane @ np.array([np.cos(lo), np.sin(lo)])
    v2 = plane @ np.array([np.cos(hi), np.sin(hi)])
    v1, v2 = v1 * np.sign(v1.sum()), v2 * np.sign(v2.sum())  # OD vectors are positive
    stains = np.array([v1, v2]) if v1[0] > v2[0] else np.array([v2, v1])  # H absorbs more red
    return stains / np.linalg.norm(stains, axis=1, keepdims=True)


def stain_concentrations(rgb: np.ndarray, stains: np.ndarray, background: float = 255.0) -> np.ndarray:
    """Least-squares stain concentrations (H, W, 2) of an image given its stain matrix (2, 3)."""
    od = optical_density(rgb, background)
    conc, *_ = np.linalg.lstsq(stains.T, od.reshape(-1, 3).T, rcond=None)
    return conc.T.reshape(*od.shape[:2], 2)


class MacenkoNormalizer:
    """Stain normalisation to a target image (Macenko et al. 2009); fit once, transform many (notebook 04).

    Estimate each image's stain vectors and 99th-percentile concentrations, rescale the source
    concentrations to the target's, and recompose with the target's vectors.
    """

    def __init__(self, target: np.ndarray):
        self.background = float(np.percentile(np.asarray(target)[..., :3].max(-1), 99))
        self.stains = macenko_stain_matrix(target, background=self.background)
        conc = stain_concentrations(target, self.stains, self.background)
        self.max_conc = np.percentile(conc.reshape(-1, 2), 99, axis=0)

    def transform(self, rgb: np.ndarray) -> np.ndarray:
        """The image (H, W, 3) recoloured as if stained like the target."""
        bg = float(np.percentile(np.asarray(rgb)[..., :3].max(-1), 99))
        stains = macenko_stain_matrix(rgb, background=bg)
        conc = stain_concentrations(rgb, stains, bg)
        conc = conc * self.max_conc / np.maximum(np.percentile(conc.reshape(-1, 2), 99, axis=0), 1e-6)
        return np.clip(self.background * 10 ** (-(conc @ self.stains)), 0, 255).astype(np.uint8)


def macenko_normalize(rgb: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Recolour an H&E image to look stained like `target` (Macenko stain normalisation, notebook 04)."""
    return MacenkoNormalizer(target).transform(rgb)


def hed_jitter(rgb: np.ndarray, rng: np.random.Generator, sigma: float = 0.05) -> np.ndarray:
    """Colour augmentation in stain space (Tellez et al. 2019): scale and shift H, E, DAB per image.

    rgb: one image (H, W, 3) or a batch (N, H, W, 3) uint8; each image gets its own random factors.
    """
    rgb = np.asarray(rgb)
    batch = rgb if rgb.ndim == 4 else rgb[None]
    hed = separate_stains(batch)  # (N, H, W, 3)
    n = len(batch)
    scale = rng.uniform(1 - sigma, 1 + sigma, (n, 1, 1, 3))
    shift = rng.uniform(-sigma, sigma, (n, 1, 1, 3)) * hed.std(axis=(1, 2), keepdims=True)
    out = np.clip(color.hed2rgb(hed * scale + shift) * 255, 0, 255).astype(np.uint8)
    return out if rgb.ndim == 4 else out[0]


# --- Ki-67-style index: DAB-positive nuclei among all nuclei ----------------------------------


def count_positive_nuclei(rgb: np.ndarray, dab_threshold: float | None = None, min_area: int = 30) -> dict:
    """Nuclei by colour deconvolution + watershed, each called DAB-positive or negative (notebook 04).

    Nuclei are where haematoxylin OR DAB is strong (a positive nucleus is brown, a negative one blue);
    touching nuclei are split by a distance-transform watershed. A nucleus is positive when its mean
    DAB exceeds `dab_threshold` (default: Otsu over the nuclei's mean DAB).
    """
    hed = separate_stains(rgb)
    if hed[..., 0].max() <= 0 or hed[..., 2].max() <= 0:
        raise ValueError("no nuclei found: the image has no haematoxylin or DAB (is it a stained RGB image?)")
    signal = hed[..., 0] / hed[..., 0].max() + hed[..., 2] / hed[..., 2].max()
    signal = filters.gaussian(signal, 1.0)
    fg = morphology.remove_small_objects(signal > filters.threshold_otsu(signal), max_size=min_area)
    dist = ndimage.distance_transform_edt(fg)
    peaks = measure.label(morphology.h_maxima(filters.gaussian(dist, 1.0), 1.0) & fg)
    labels = segmentation.watershed(-dist, peaks, mask=fg)
    props = measure.regionprops_table(labels, intensity_image=hed[..., 2], properties=("label", "area", "intensity_mean"))
    nuclei = pd.DataFrame(props).query("area >= @min_area").reset_index(drop=True)
    if len(nuclei) == 0:
        raise ValueError("no nuclei found: is this a stained tissue image (RGB, uint8)?")
    thr = dab_threshold if dab_threshold is not None else float(filters.threshold_otsu(nuclei["intensity_mean"].to_numpy()))
    nuclei["positive"] = nuclei["intensity_mean"] > thr
    return {"labels": labels, "nuclei": nuclei, "threshold": thr, "n": len(nuclei),
            "positive": int(nuclei["positive"].sum()), "index": 100 * float(nuclei["positive"].mean())}


def slide_bag(path: str | Path, patch_px: int = 32, level: int = 0, min_tissue: float = 0.5,
              mask_level: int | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """All tissue patches of one slide: tissue mask on a low level, grid, then ONE read of the level (notebook 04).

    For small slides (a few thousand pixels a side at `level`): reading the level once and cutting it
    is much faster than one read_region per patch. Returns patches (N, p, p, 3) and their level-0 corners.
    """
    slide = open_slide(path)
    mask_level = slide.level_count - 1 if mask_level is None else mask_level
    thumb = np.asarray(slide.read_region((0, 0), mask_level, slide.level_dimensions[mask_level]))[..., :3]
    mask = tissue_mask(thumb, min_size=4)
    ds = slide.level_downsamples[level]
    grid = patch_grid(mask, slide.level_downsamples[mask_level], patch_px, patch_px, ds, min_tissue)
    image = np.asarray(slide.read_region((0, 0), level, slide.level_dimensions[level]))[..., :3]
    lx, ly = (grid["x"] / ds).astype(int).to_numpy(), (grid["y"] / ds).astype(int).to_numpy()
    idx_y = ly[:, None, None] + np.arange(patch_px)[None, :, None]
    idx_x = lx[:, None, None] + np.arange(patch_px)[None, None, :]
    slide.close()
    return image[idx_y, idx_x], grid
