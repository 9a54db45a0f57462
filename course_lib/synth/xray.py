"""Frontal chest X-rays drawn from the patient state, with a mask per finding (notebooks 01-03)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import CohortConfig
from course_lib.synth.patients import LOBES

# Masks returned for every image, each (n, H, W) bool.
MASK_NAMES = (
    "lungs",
    "heart",
    "consolidation",
    "atelectasis",
    "oedema",
    "effusion",
    "cardiomegaly",
    "hyperinflation",
)
# Findings the radiologist reads (and the report mentions), in report order.
FINDINGS = ("consolidation", "atelectasis", "oedema", "effusion", "cardiomegaly", "hyperinflation")
_CHUNK = 96
_F = np.float32  # patients rendered at once: big enough to vectorise, small enough for cache


def _sig(z):
    """Logistic function, float32 in, float32 out (soft edges of anatomy)."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def plan_xrays(state: pd.DataFrame, rng: np.random.Generator, config: CohortConfig) -> pd.DataFrame:
    """What each film will show: acquisition, each finding's place and visibility (notebook 01)."""
    n = len(state)
    sev = state["severity"].to_numpy()
    s_pn = state["pneumonia_severity"].to_numpy()
    s_hf = state["heart_failure_severity"].to_numpy()
    pneumonia = state["pneumonia"].to_numpy()
    hf = state["heart_failure"].to_numpy()

    # Sick patients get a portable AP film in the resuscitation bay: magnified heart, worse image.
    ap = rng.random(n) < np.clip(config.portable_ap_base + 0.5 * sev**2, 0, 0.9)

    # Pneumonia: occult (nothing on the film) or visible with a conspicuity that grows
    # with severity. Early, dehydrated or retrocardiac cases stay subtle.
    occult = rng.random(n) < config.occult_pneumonia_fraction
    conspicuity = rng.beta(*config.consolidation_visibility, n)
    vis_c = np.clip(0.15 + 0.85 * conspicuity * (0.75 + 0.3 * s_pn), 0.05, 1)
    vis_c = np.where(pneumonia & ~occult, vis_c, 0.0)
    extent_c = np.clip(0.45 + 0.5 * s_pn + rng.normal(0, 0.1, n), 0.25, 1.0)

    # Basal atelectasis (post-operative, obesity, splinting, HF): the great mimic.
    p_atel = config.atelectasis_rate * (1 + 0.7 * hf + 0.5 * (state["bmi"].to_numpy() > 32))
    atel = ~pneumonia & (rng.random(n) < p_atel)
    atel_lobe = rng.choice(["RLL", "LLL", "RML", "LUL"], n, p=[0.42, 0.38, 0.12, 0.08])
    vis_a = np.where(atel, np.clip(rng.beta(2.0, 2.0, n), 0.1, 1), 0.0)
    atel_plate = rng.random(n) < 0.5  # plate-like band vs patchy segmental

    # Heart: cardiothoracic ratio; heart failure enlarges it, hyperinflation narrows it.
    copd_hist = state["copd_history"].to_numpy()
    hyper = (copd_hist & (rng.random(n) < 0.75)) | (
        state["copd_asthma"].to_numpy() & ~copd_hist & (rng.random(n) < 0.3)
    )
    vis_h = np.where(hyper, np.clip(rng.beta(3, 2, n), 0.2, 1), 0.0)
    ctr = rng.normal(0.445, 0.03, n) + 0.02 * state["prior_mi"].to_numpy()
    ctr = ctr + hf * (0.07 + 0.08 * s_hf + rng.normal(0, 0.02, n)) - 0.05 * vis_h
    ctr = np.clip(ctr, 0.36, 0.72)

    oedema = hf & (rng.random(n) < 0.45 + 0.5 * s_hf)
    vis_o = np.where(oedema, np.clip(0.2 + 0.8 * s_hf * rng.uniform(0.6, 1.2, n), 0.1, 1), 0.0)

    # Effusions: bilateral in HF, ipsilateral (parapneumonic) in some pneumonias.
    eff_hf = hf & (rng.random(n) < 0.25 + 0.5 * s_hf)
    bilateral = rng.random(n) < 0.6
    right_lobe = np.isin(state["pneumonia_lobe"].to_numpy(), ["RUL", "RML", "RLL"])
    parapneumonic = (vis_c > 0) & (rng.random(n) < 0.12)
    vol = lambda: rng.uniform(0.06, 0.14, n) + 0.4 * s_hf * rng.random(n)  # noqa: E731
    eff_r = np.where(eff_hf & (bilateral | (rng.random(n) < 0.7)), vol(), 0.0)
    eff_l = np.where(eff_hf & (bilateral | (eff_r == 0)), vol(), 0.0)
    para_vol = rng.uniform(0.05, 0.2, n)
    eff_r = np.where(parapneumonic & right_lobe, np.maximum(eff_r, para_vol), eff_r)
    eff_l = np.where(parapneumonic & ~right_lobe, np.maximum(eff_l, para_vol), eff_l)

    return pd.DataFrame(
        {
            "view": np.where(ap, "AP", "PA"),
            "rotation_deg": rng.normal(0, np.where(ap, 4.0, 2.0)),
            "shift_x": rng.normal(0, 0.03, n),
            "shift_y": rng.normal(0, 0.03, n),
            "scale": rng.normal(1.0, 0.03, n),
            "exposure": rng.normal(1.0, 0.08, n) * np.where(ap, 0.85, 1.0),
            "brightness": rng.normal(0, 0.03, n),
            "gamma": np.exp(rng.normal(0, 0.1, n)),
            "consolidation_visibility": vis_c,
            "consolidation_lobe": np.where(vis_c > 0, state["pneumonia_lobe"], ""),
            "consolidation_lobe2": np.where(vis_c > 0, state["pneumonia_lobe2"], ""),
            "consolidation_extent": extent_c,
            "atelectasis_visibility": vis_a,
            "atelectasis_lobe": np.where(atel, atel_lobe, ""),
            "atelectasis_plate": atel & atel_plate,
            "ctr": ctr,
            "cardiomegaly_visibility": np.clip((ctr - 0.5) / 0.08, 0, 1),
            "oedema_visibility": vis_o,
            "effusion_right": eff_r,
            "effusion_left": eff_l,
            "effusion_visibility": np.clip(np.maximum(eff_r, eff_l) / 0.3, 0, 1),
            "hyperinflation_visibility": vis_h,
        }
    )


def _interp_matrix(k: int, size: int) -> np.ndarray:
    """(size, k) Gaussian interpolation from a k-point control grid, unit-variance output."""
    centres = np.linspace(-1, 1, k)
    pix = np.linspace(-1, 1, size)
    spacing = 2.0 / (k - 1)
    w = np.exp(-0.5 * ((pix[:, None] - centres[None, :]) / (0.7 * spacing)) ** 2)
    w /= np.sqrt((w**2).sum(axis=1, keepdims=True))  # each output pixel has variance 1
    return w.astype(np.float32)


def _smooth_field(rng, c: int, k: int, size: int) -> np.ndarray:
    """(c, size, size) smooth Gaussian random field with unit variance and scale ~2/k."""
    a = _interp_matrix(k, size)
    z = rng.standard_normal((c, k, k), dtype=np.float32)
    return a @ z @ a.T


def _lobe_membership(lobe_idx, right, u, y, y_hf):
    """(c, H, W) soft membership of each pixel in the lobe of each patient (-1: none)."""
    below_hf = _sig((y - y_hf) / 0.008)  # horizontal fissure: a sharp edge on a frontal film
    near_heart = _sig((0.36 - u) / 0.05) * _sig((y_hf + 0.42 - y) / 0.05)
    lower_left = _sig((y - 0.06) / 0.06)  # oblique fissures project as fuzzy transitions
    rul, rml, rll = (1 - below_hf), below_hf * near_heart, below_hf * (1 - near_heart)
    lul, lll = 1 - lower_left, lower_left
    k = lobe_idx[:, None, None]
    m = np.where(k == 0, rul, np.where(k == 1, rml, np.where(k == 2, rll, 0.0)))
    m = np.where(right, m, np.where(k == 3, lul, np.where(k == 4, lll, 0.0)))
    return m.astype(np.float32)


def _lobe_index(names: pd.Series) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(LOBES)}
    return np.array([lookup.get(x, -1) for x in names], dtype=np.int8)


def _scatter(values: np.ndarray, idx: np.ndarray, c: int) -> np.ndarray:
    """Put the rows computed for patients `idx` back into a zero (c, H, W) array."""
    out = np.zeros((c,) + values.shape[1:], values.dtype)
    out[idx] = values
    return out


def _peak_one(region: np.ndarray) -> np.ndarray:
    """Scale each patient's (H, W) region so its densest point is 1 (visibility sets density)."""
    return region / np.maximum(region.max(axis=(1, 2), keepdims=True), 1e-6)


def _core(region: np.ndarray, lungs: np.ndarray) -> np.ndarray:
    """(c, H, W) bool: where a process is, >= 40% of its own peak (never empty if present)."""
    region = region * lungs
    peak = region.max(axis=(1, 2), keepdims=True)
    return (region >= 0.4 * peak) & (peak > 0.01)


def _render_chunk(plan: pd.DataFrame, size: int, rng, config: CohortConfig):
    """Render one chunk of films: (c, H, W) float32 image and the finding masks."""
    c = len(plan)
    col = lambda name: plan[name].to_numpy(np.float32)[:, None, None]  # noqa: E731
    grid = np.linspace(-1, 1, size, dtype=np.float32)
    y0, x0 = grid[None, :, None], grid[None, None, :]
    th = np.deg2rad(col("rotation_deg"))
    cos, sin, scale = np.cos(th), np.sin(th), col("scale")
    # Patient coordinates: x left-right on the image (patient's right on image left).
    x = (cos * x0 - sin * y0) / scale + col("shift_x")  # (c, H, W)
    y = (sin * x0 + cos * y0) / scale + col("shift_y")  # (c, H, W)
    u = np.abs(x)  # distance from the midline
    right = x < 0  # patient's right lung (image left)
    ap = (plan["view"].to_numpy() == "AP")[:, None, None]
    hyper = col("hyperinflation_visibility")

    # Lungs: an ellipse cut from below by the diaphragm dome; COPD: taller, flatter dome.
    uc, a = _F(0.40), 0.33 + 0.02 * hyper
    yc, b = 0.12 + 0.07 * hyper, 0.82 + 0.09 * hyper
    d_top = np.where(right, _F(0.36), _F(0.42)) + 0.17 * hyper - _F(0.04) * ap
    dome_y = d_top + 0.22 * (1 - 0.8 * hyper) * ((u - 0.38) / 0.33) ** 2  # (c, H, W)
    ell = ((u - uc) / a) ** 2 + ((y - yc) / b) ** 2
    aortic_knob = ~right * (0.05 * np.exp(-(((y + 0.32) / 0.08) ** 2)))
    mw = 0.10 + aortic_knob
    lung = _sig((1 - ell) / 0.03) * _sig((dome_y - y) / 0.012) * _sig((u - mw) / 0.015)

    # Heart: an ellipse tilted with its apex down and to the patient's left, its width
    # set by the cardiothoracic ratio (an AP film magnifies it by ~10%).
    ctr_img = col("ctr") * (1 + _F(0.1) * ap)
    rx = ctr_img * (uc + 0.33)  # half the horizontal width of the heart shadow
    ra = rx / _F(0.944)  # long axis; 0.944 = width factor of a 30-degree tilt, axes 1:0.75
    rb = 0.75 * ra
    hx, hy = 0.3 * rx, 0.27 + 0.1 * hyper
    p_ax = _F(0.866) * (x - hx) + _F(0.5) * (y - hy)
    q_ax = _F(-0.5) * (x - hx) + _F(0.866) * (y - hy)
    heart = _sig((1 - (p_ax / ra) ** 2 - (q_ax / rb) ** 2) / 0.04)

    # Body outline with the neck at the top; soft tissue thickens with BMI.
    bw = 0.92 + 0.025 * (col("bmi") - 27) / 5
    body_w = 0.30 + (bw - 0.30) * _sig((y + 0.84) / 0.04)
    body = _sig((body_w - u) / 0.02)

    # Bones: posterior ribs (flatter and wider-spaced when hyperinflated), clavicles, spine.
    period = 0.135 + 0.03 * hyper
    phase = (y + 0.9) - (0.45 - 0.25 * hyper) * u**2 - 0.05 * u
    ribs = _sig((np.cos(2 * np.pi * phase / period) - 0.3) / 0.2)
    ribs *= _sig((uc + a + 0.06 - u) / 0.02) * _sig((dome_y + 0.12 - y) / 0.03)
    ribs *= _sig((y + 0.8) / 0.03)
    clavicle = _sig((0.03 - np.abs(y + 0.68 + 0.12 * u)) / 0.008) * _sig((0.62 - u) / 0.02)
    clavicle *= _sig((u - 0.06) / 0.02)
    spine = _sig((0.065 - u) / 0.01) * (0.7 + 0.3 * np.cos(2 * np.pi * y / 0.11))
    scapula = ap * _sig((u - 0.64) / 0.03) * _sig((-0.15 - y) / 0.05) * _sig((y + 0.72) / 0.05)

    # Findings: each "fills" the air of the lung (0: air, 1: water density). Each is
    # computed only on the patients who have it (index arrays), then scattered back.
    blobs = _smooth_field(rng, c, 7, size)  # (c, H, W) patchiness of airspace disease
    fine = _smooth_field(rng, c, 26, size)  # (c, H, W) bronchi, vessels, interstitium
    y_hf = -0.02 + 0.06 * hyper
    zeros = np.zeros_like(x)

    vis_c = plan["consolidation_visibility"].to_numpy()
    i = np.flatnonzero(vis_c > 0)
    consol_region, consol = zeros, zeros
    if len(i):
        args = (right[i], u[i], y[i], y_hf[i])
        member = np.maximum(
            _lobe_membership(_lobe_index(plan["consolidation_lobe"].iloc[i]), *args),
            _lobe_membership(_lobe_index(plan["consolidation_lobe2"].iloc[i]), *args),
        )
        patch = _sig((blobs[i] + 3.0 * (col("consolidation_extent")[i] - 0.45)) / 0.35)
        region = _peak_one(member * patch * lung[i])  # where the pneumonia is
        bronchogram = np.exp(-((fine[i] / 0.12) ** 2))  # dark branching lines (air bronchograms)
        consol_region = _scatter(region, i, c)
        consol = _scatter(
            col("consolidation_visibility")[i] * region * (1 - 0.35 * bronchogram), i, c
        )

    vis_a = plan["atelectasis_visibility"].to_numpy()
    i = np.flatnonzero(vis_a > 0)
    atel_region, atel = zeros, zeros
    if len(i):
        member = _lobe_membership(
            _lobe_index(plan["atelectasis_lobe"].iloc[i]), right[i], u[i], y[i], y_hf[i]
        )
        plate = plan["atelectasis_plate"].to_numpy()[i, None, None]
        band_y = 0.3 + 0.12 * np.tanh(blobs[i, :1, :1])  # plate height varies per patient
        band = _sig((0.045 - np.abs(y[i] - band_y - 0.15 * (u[i] - 0.4))) / 0.012)
        region = _peak_one(member * np.where(plate, band, _sig((blobs[i] - 0.6) / 0.3)) * lung[i])
        atel_region = _scatter(region, i, c)
        atel = _scatter(col("atelectasis_visibility")[i] * 0.8 * region, i, c)

    # Oedema: perihilar "bat-wing" haze plus Kerley B lines at the lateral bases.
    vis_o = plan["oedema_visibility"].to_numpy()
    i = np.flatnonzero(vis_o > 0)
    oedema_region, oedema = zeros, zeros
    if len(i):
        ui, yi = u[i], y[i]
        perihilar = np.exp(-((ui - 0.12) ** 2) / 0.10 - ((yi - 0.08) ** 2) / 0.22)
        kerley = _sig((np.cos(2 * np.pi * yi / 0.04) - 0.8) / 0.05)
        kerley *= _sig((ui - (uc + a[i] - 0.12)) / 0.02) * _sig((yi - 0.25) / 0.04)
        region = perihilar * (0.8 + 0.2 * fine[i]) + 0.5 * kerley
        oedema_region = _scatter(region, i, c)
        oedema = _scatter(col("oedema_visibility")[i] * 0.6 * region, i, c)

    # Effusion: fluid level highest laterally (meniscus), blunting the costophrenic angle.
    vol = np.where(right, col("effusion_right"), col("effusion_left"))  # (c, H, W)
    i = np.flatnonzero(plan["effusion_visibility"].to_numpy() > 0)
    effusion = zeros
    if len(i):
        level = d_top[i] + 0.2 - 1.1 * vol[i] - 0.12 * ((u[i] - 0.15) / 0.55) ** 2
        effusion = _scatter((vol[i] > 0) * _sig((y[i] - level) / 0.015), i, c)

    fill = np.minimum(np.maximum(np.maximum(consol, atel), np.maximum(oedema, effusion)), 1.0)
    # Air darkens the lungs; the heart (anterior) hides most of the lung behind it.
    air = (0.36 + 0.07 * hyper) * lung * (1 - fill) * (1 - 0.92 * heart)
    hilum = np.exp(-((u - 0.16) ** 2) / 0.004 - (y**2) / 0.015)
    vessels = lung * np.exp(-np.hypot(u - 0.14, y - 0.02) / 0.3) * (0.6 + 0.4 * fine)
    bubble = ~right * _sig((1 - ((x - 0.36) / 0.1) ** 2 - ((y - d_top - 0.12) / 0.06) ** 2) / 0.2)

    density = (
        0.07
        + 0.50 * body
        + 0.02 * heart
        - air
        + 0.12 * vessels
        + 0.08 * hilum
        + 0.06 * ribs
        + 0.12 * clavicle
        + 0.08 * spine
        + 0.07 * scapula
        - 0.22 * bubble * body
    )  # (c, H, W) attenuation: bright = dense
    img = col("exposure") * (density - 0.45) + 0.45 + col("brightness")
    img = np.clip(img, 0, 1) ** col("gamma")
    noise_sd = _F(config.image_noise) * (1 + _F(0.6) * ap)
    img = img + noise_sd * rng.standard_normal(img.shape, dtype=np.float32)
    img = img + 0.012 * _smooth_field(rng, c, 12, size)  # film mottle
    img = np.clip(img, 0, 1).astype(np.float32)

    lungs = lung > 0.5
    lung_space = (ell < 1) & (u > mw)  # where air would be, before any fluid
    heart_mask = heart > 0.5
    masks = {
        "lungs": lungs,
        "heart": heart_mask,
        "consolidation": _core(consol_region, lungs),
        "atelectasis": _core(atel_region, lungs),
        "oedema": (oedema_region > 0.35) & lungs,
        "effusion": (effusion > 0.5) & lung_space & (y < dome_y + 0.02),
        "cardiomegaly": heart_mask & (col("ctr") > 0.5),
        "hyperinflation": lungs & (hyper > 0),
    }
    return img, masks


def render_xrays(
    plan: pd.DataFrame,
    state: pd.DataFrame,
    size: int,
    rng: np.random.Generator,
    config: CohortConfig,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Images (n, H, W) float32 in [0, 1] and masks {finding: (n, H, W) bool} (notebook 01)."""
    n = len(plan)
    plan = plan.assign(bmi=state["bmi"].to_numpy())
    images = np.empty((n, size, size), np.float32)
    masks = {name: np.empty((n, size, size), bool) for name in MASK_NAMES}
    for start in range(0, n, _CHUNK):
        part = slice(start, min(n, start + _CHUNK))
        img, m = _render_chunk(plan.iloc[part], size, rng, config)
        images[part] = img
        for name in MASK_NAMES:
            masks[name][part] = m[name]
    return images, masks
