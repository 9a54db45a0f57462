"""Single films with chosen findings, and the measurements that check them (notebook 00).

`example_film` renders one film from a plan whose every finding is set by hand, so a figure or
a test can show a sign at a chosen severity. The measurements read the rendered film the way
a radiologist does: cardiothoracic ratio from the outlines, edge contrast of a border (the
silhouette sign), posterior ribs counted above the right dome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from course_lib.synth.config import CohortConfig
from course_lib.synth.xray import render_xrays
from course_lib.synth.xray_anatomy import MIDCLAVICULAR_U, geometry

NORMAL = {
    "view": "PA", "supine": False, "rotation_deg": 0.0, "shift_x": 0.0, "shift_y": 0.0,
    "scale": 1.0, "exposure": 1.0, "brightness": 0.0, "gamma": 1.0, "inspiration": 0.0,
    "obliquity": 0.0, "dome_elevation_right": 0.0, "dome_elevation_left": 0.0,
    "mediastinal_shift": 0.0, "consolidation_visibility": 0.0, "consolidation_lobe": "",
    "consolidation_lobe2": "", "consolidation_extent": 0.5, "atelectasis_visibility": 0.0,
    "atelectasis_lobe": "", "atelectasis_plate": False, "ctr": 0.45,
    "cardiomegaly_visibility": 0.0, "oedema_visibility": 0.0, "effusion_right": 0.0,
    "effusion_left": 0.0, "effusion_visibility": 0.0, "hyperinflation_visibility": 0.0,
}


def example_plan(**findings) -> pd.DataFrame:
    """A one-film plan: a normal PA film with the given columns overridden (notebook 00)."""
    unknown = sorted(set(findings) - set(NORMAL))
    if unknown:
        raise ValueError(f"unknown plan columns {unknown}: choose among {sorted(NORMAL)}")
    row = {**NORMAL, **findings}
    if "cardiomegaly_visibility" not in findings:
        row["cardiomegaly_visibility"] = float(np.clip((row["ctr"] - 0.5) / 0.08, 0, 1))
    if "effusion_visibility" not in findings:
        row["effusion_visibility"] = float(np.clip(max(row["effusion_right"], row["effusion_left"]) / 0.3, 0, 1))
    return pd.DataFrame([row])


def example_film(size: int = 128, seed: int = 0, sex: str = "M", bmi: float = 25.0,
                 noise: float | None = None, site=None, **findings):
    """(image (H, W), masks {name: (H, W)}, plan) of one film with chosen findings (notebook 00)."""
    plan = example_plan(**findings)
    state = pd.DataFrame({"bmi": [bmi], "sex": [sex]})
    config = CohortConfig() if noise is None else CohortConfig(image_noise=noise)
    images, masks = render_xrays(plan, state, size, np.random.default_rng(seed), config, site=site)
    return images[0], {k: v[0] for k, v in masks.items()}, plan


def measured_ctr(masks: dict) -> float:
    """Cardiothoracic ratio read off the outlines: heart width / internal thoracic width."""
    heart_cols = np.flatnonzero(masks["heart"].any(axis=0))
    lung_cols = np.flatnonzero(masks["lungs"].any(axis=0))
    if len(heart_cols) == 0 or len(lung_cols) == 0:
        return float("nan")
    return (heart_cols[-1] - heart_cols[0] + 1) / (lung_cols[-1] - lung_cols[0] + 1)


def right_heart_border_contrast(image: np.ndarray, masks: dict, depth: float = 0.04) -> float:
    """Mean step in brightness across the right heart border (heart minus lung beside it).

    Taken on the rows of the lower half of the heart, `depth` (image units) either side of the
    border; the silhouette sign is this step vanishing.
    """
    size = image.shape[0]
    d = max(1, round(depth * size / 2))
    heart = masks["heart"]
    rows = np.flatnonzero(heart.any(axis=1))
    rows = rows[len(rows) // 2: len(rows) * 5 // 6]
    steps = []
    for r in rows:
        first = np.flatnonzero(heart[r])[0]  # image left = the patient's right
        if first - d >= 0 and masks["lungs"][r, first - d]:
            steps.append(image[r, first + 1: first + 1 + d].mean() - image[r, first - d: first].mean())
    return float(np.mean(steps)) if steps else float("nan")


def right_dome_contrast(image: np.ndarray, masks: dict, depth: float = 0.04) -> float:
    """Mean step in brightness across the right hemidiaphragm (abdomen minus lung above)."""
    size = image.shape[0]
    d = max(1, round(depth * size / 2))
    cols = np.arange(round((1 - 0.55) * size / 2), round((1 - 0.3) * size / 2))  # patient right
    steps = []
    for k in cols:
        rows = np.flatnonzero(masks["lungs"][:, k])
        if len(rows):
            last = rows[-1]
            steps.append(image[last + 1: last + 1 + d, k].mean() - image[last - d + 1: last + 1, k].mean())
    return float(np.mean(steps)) if steps else float("nan")


def count_posterior_ribs(image: np.ndarray, masks: dict, prominence: float = 0.015) -> int:
    """Posterior ribs crossing the right mid-clavicular line above the dome (peaks of brightness)."""
    size = image.shape[0]
    k = round((1 - MIDCLAVICULAR_U) * (size - 1) / 2)
    column = image[:, max(0, k - 1): k + 2].mean(axis=1)
    rows = np.flatnonzero(masks["lungs"][:, k])
    if len(rows) == 0:
        return 0
    spacing = 0.116 * size / 2  # rib period in pixels
    column = gaussian_filter1d(column, sigma=max(0.5, spacing / 8))  # quantum noise is finer
    segment = column[rows[0]: rows[-1] + 1]
    peaks, _ = find_peaks(segment, distance=max(1, int(0.6 * spacing)), prominence=prominence)
    return len(peaks)


def expected_ribs(plan: pd.DataFrame) -> np.ndarray:
    """(n,) posterior ribs above the right dome by the geometry (what count_posterior_ribs reads)."""
    from course_lib.synth.xray_anatomy import visible_ribs

    cols = ("hyperinflation_visibility", "inspiration", "dome_elevation_right", "dome_elevation_left",
            "ctr", "obliquity", "mediastinal_shift")
    p = {c: plan[c].to_numpy(np.float32)[:, None, None] for c in cols}
    p["ap"] = (plan["view"].to_numpy() == "AP").astype(np.float32)[:, None, None]
    return visible_ribs(geometry(p))


__all__ = ["example_film", "example_plan", "measured_ctr", "right_heart_border_contrast",
           "right_dome_contrast", "count_posterior_ribs", "expected_ribs"]
