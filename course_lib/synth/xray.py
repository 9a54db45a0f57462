"""Frontal chest X-rays drawn from the patient state, with a mask per finding (notebooks 01-03).

plan_xrays decides what each film shows (acquisition, each finding's place and visibility);
render_xrays draws it: anatomy from xray_anatomy, findings as signs from xray_signs, then the
site's scanner and protocol (course_lib.synth.sites.ImagingShift) and a burned-in marker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import course_lib.synth.xray_anatomy as anat
import course_lib.synth.xray_signs as signs
from course_lib.synth.config import CohortConfig

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
_F = np.float32
_GEOMETRY = ("hyperinflation_visibility", "inspiration", "dome_elevation_right",
             "dome_elevation_left", "ctr", "obliquity", "mediastinal_shift", "bmi", "female")


def _pneumonia_visibility(state, rng, config, n):
    """(visible, conspicuity scale, extent shift) of each pneumonia, from time since onset.

    Radiographic lag: an opacity needs hours to days to form, so early presenters are often
    occult and faint (21% of admitted CAP had a clear first film, over half of those an
    infiltrate within 48 h: Hagaman et al., Am J Med Sci 2009;337:236). Here P(occult) falls
    from 0.43 at onset to 0.08 after 2 days (retrocardiac, dehydrated: occult at any time).
    """
    occult_draw = rng.random(n)
    if "onset_hours" not in state:  # no clock: the config's single occult fraction
        return occult_draw >= config.occult_pneumonia_fraction, 1.0, 0.0
    hours = np.nan_to_num(state["onset_hours"].to_numpy(float), nan=48.0)
    maturity = 1 - np.exp(-np.clip(hours, 0, None) / 36)  # most of the opacity within 1-3 days
    p_occult = 0.08 + 0.35 * np.exp(-np.clip(hours, 0, None) / 12)
    return occult_draw >= p_occult, 0.75 + 0.25 * maturity, 0.2 * (maturity - 0.7)


def plan_xrays(state: pd.DataFrame, rng: np.random.Generator, config: CohortConfig,
               site=None) -> pd.DataFrame:
    """What each film will show: acquisition, each finding's place and visibility (notebook 01)."""
    n = len(state)
    imaging = site.imaging if site is not None else None
    sev = state["severity"].to_numpy()
    s_pn = state["pneumonia_severity"].to_numpy()
    s_hf = state["heart_failure_severity"].to_numpy()
    pneumonia = state["pneumonia"].to_numpy()
    hf = state["heart_failure"].to_numpy()

    # Sick patients get a portable AP film in the resuscitation bay: magnified heart, worse image.
    base = config.portable_ap_base
    if imaging is not None and imaging.portable_ap_base is not None:
        base = imaging.portable_ap_base
    ap = rng.random(n) < np.clip(base + 0.5 * sev**2, 0, 0.9)

    # Pneumonia: occult (nothing on the film) or visible with a conspicuity that grows with
    # severity and with time since onset. Early, dehydrated or retrocardiac cases stay subtle.
    visible, lag_scale, lag_extent = _pneumonia_visibility(state, rng, config, n)
    conspicuity = rng.beta(*config.consolidation_visibility, n)
    vis_c = np.clip((0.15 + 0.85 * conspicuity * (0.75 + 0.3 * s_pn)) * lag_scale, 0.05, 1)
    vis_c = np.where(pneumonia & visible, vis_c, 0.0)
    extent_c = np.clip(0.45 + 0.5 * s_pn + lag_extent + rng.normal(0, 0.1, n), 0.25, 1.0)

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

    # Acquisition after the findings (so the findings' draws do not move): depth of
    # inspiration (poorer on AP and in obesity), axial rotation, supine portable films.
    bmi = state["bmi"].to_numpy()
    inspiration = rng.normal(0, 0.035, n) - 0.05 * ap - 0.02 * (bmi > 35)
    obliquity = rng.normal(0, np.where(ap, 0.025, 0.012))
    supine = ap & (rng.random(n) < 0.5)
    # Volume loss: a collapsed lobe pulls its dome up and the mediastinum across.
    atel_right = np.char.startswith(atel_lobe.astype(str), "R")
    lower = np.isin(atel_lobe, ["RLL", "LLL"]) & ~atel_plate
    pull = np.where(atel & ~atel_plate, vis_a, 0.0)
    eff_vis = np.clip(np.maximum(eff_r, eff_l) / 0.3, 0, 1) * np.where(supine, 0.7, 1.0)

    return pd.DataFrame(
        {
            "view": np.where(ap, "AP", "PA"),
            "supine": supine,
            "rotation_deg": rng.normal(0, np.where(ap, 4.0, 2.0)),
            "shift_x": rng.normal(0, 0.03, n),
            "shift_y": rng.normal(0, 0.03, n),
            "scale": rng.normal(1.0, 0.03, n),
            "exposure": rng.normal(1.0, 0.08, n) * np.where(ap, 0.85, 1.0),
            "brightness": rng.normal(0, 0.03, n),
            "gamma": np.exp(rng.normal(0, 0.1, n)),
            "inspiration": inspiration,
            "obliquity": obliquity,
            "dome_elevation_right": np.where(atel_right, 0.06 * pull * (1 + lower), 0.0),
            "dome_elevation_left": np.where(~atel_right, 0.06 * pull * (1 + lower), 0.0),
            "mediastinal_shift": np.where(atel_right, -0.03, 0.03) * pull,
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
            "effusion_visibility": eff_vis,
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


def _scatter(values, idx: np.ndarray, c: int) -> np.ndarray:
    """Put the rows computed for patients `idx` back into a zero (c, H, W) array."""
    out = np.zeros((c,) + values.shape[1:], _F)
    out[idx] = values
    return out


def _core(region: np.ndarray, lungs: np.ndarray) -> np.ndarray:
    """(c, H, W) bool: where a process is, >= 40% of its own peak (never empty if present)."""
    region = region * lungs
    peak = region.max(axis=(1, 2), keepdims=True)
    return (region >= 0.4 * peak) & (peak > 0.01)


def _render_chunk(plan: pd.DataFrame, size: int, rng, config: CohortConfig, imaging):
    """Render one chunk of films: (c, H, W) float32 image and the finding masks."""
    c = len(plan)
    col = lambda name: plan[name].to_numpy(_F)[:, None, None]  # noqa: E731
    p = {name: col(name) for name in _GEOMETRY}
    ap = (plan["view"].to_numpy() == "AP")[:, None, None]
    p["ap"] = ap.astype(_F)
    g = anat.geometry(p)
    grid = np.linspace(-1, 1, size, dtype=_F)
    y0, x0 = grid[None, :, None], grid[None, None, :]
    th = np.deg2rad(col("rotation_deg"))
    cos, sin, scale = np.cos(th), np.sin(th), col("scale")
    x = (cos * x0 - sin * y0) / scale + col("shift_x")  # (c, H, W) patient coordinates
    y = (sin * x0 + cos * y0) / scale + col("shift_y")
    u, right = np.abs(x), x < 0  # distance from the midline; the patient's right lung
    hyper = p["hyperinflation_visibility"]

    post, ant, dome, ell = anat.lungs(g, x, y, u, right)
    heart, heart_core = anat.heart(g, x, y)
    vessels_t, bronchi_t = anat.vessel_templates(size)
    hx = x - g["cx"]
    blobs = _smooth_field(rng, c, 7, size)  # (c, H, W) patchiness of airspace disease
    fine = _smooth_field(rng, c, 26, size)  # (c, H, W) interstitial texture
    y_hf = -0.02 + 0.06 * hyper
    y_obl = -0.12 + 0.06 * hyper
    fill_ant, fill_post = np.zeros_like(x), np.zeros_like(x)
    regions = {name: np.zeros_like(x) for name in ("consolidation", "atelectasis", "oedema")}

    def add(name, i, f_ant, f_post, region):
        np.maximum(fill_ant, _scatter(f_ant, i, c), out=fill_ant)
        np.maximum(fill_post, _scatter(f_post, i, c), out=fill_post)
        if name:
            regions[name] = _scatter(region, i, c)

    i = np.flatnonzero(plan["consolidation_visibility"].to_numpy() > 0)
    if len(i):
        lobes = [signs.lobe_index(plan[k].iloc[i]) for k in ("consolidation_lobe", "consolidation_lobe2")]
        bronchi = anat.sample_template(bronchi_t, hx[i], y[i])  # (k, H, W)
        add("consolidation", i, *signs.consolidation(
            lobes, col("consolidation_visibility")[i], col("consolidation_extent")[i], blobs[i],
            bronchi, post[i], (right[i], y[i], y_hf[i], y_obl[i]), u[i]))
    i = np.flatnonzero(plan["atelectasis_visibility"].to_numpy() > 0)
    if len(i):
        add("atelectasis", i, *signs.atelectasis(
            signs.lobe_index(plan["atelectasis_lobe"].iloc[i]), col("atelectasis_visibility")[i],
            plan["atelectasis_plate"].to_numpy()[i, None, None], blobs[i], post[i],
            (right[i], y[i], y_hf[i], y_obl[i]), u[i]))
    kerley = np.zeros_like(x)
    vis_o = col("oedema_visibility")
    i = np.flatnonzero(vis_o[:, 0, 0] > 0)
    if len(i):
        f, lines, region = signs.oedema(vis_o[i], u[i], y[i], g["W"][i], fine[i], post[i])
        add("oedema", i, f, f, region)
        kerley = _scatter(lines, i, c)
    vol = np.where(right, col("effusion_right"), col("effusion_left"))  # (c, H, W)
    lung_space = (ell < 1) & (u > 0.075)  # where air would be, before any fluid
    effusion = np.zeros_like(x)
    i = np.flatnonzero(plan["effusion_visibility"].to_numpy() > 0)
    if len(i):
        top = np.where(right[i], g["d_right"][i], g["d_left"][i])
        f_ant, f_post, effusion_i = signs.effusion(
            vol[i], plan["supine"].to_numpy()[i, None, None], top, u[i], y[i], lung_space[i])
        add("", i, f_ant, f_post, None)
        effusion = _scatter(effusion_i, i, c)

    # Air darkens the lungs. The heart replaces the anterior lung, so the heart border is
    # outlined by anterior air alone; deep to the border it also thins the posterior lung.
    fill_ant, fill_post = np.minimum(fill_ant, 1), np.minimum(fill_post, 1)
    medi = anat.mediastinum(g, x, y)
    air_ant = ant * (1 - fill_ant) * (1 - np.maximum(heart, medi))
    air_post = post * (1 - fill_post) * (1 - 0.85 * np.maximum(heart_core, medi))
    air = (0.36 + 0.07 * hyper) * (0.4 * air_ant + 0.6 * air_post)
    # Vessels taper from the hila; in heart failure the upper-zone vessels enlarge (diversion).
    upper_v, lower_v = anat.sample_template(vessels_t, hx, y)
    vessels = (lower_v + (0.6 + 0.9 * vis_o) * upper_v) * post
    vessels *= (1 - np.maximum(fill_ant, fill_post)) * (1 - 0.6 * heart)
    bmi_z = np.clip((p["bmi"] - 27) / 5, -1.5, 3)
    # Water where air was: the heart, and consolidated anterior lung beside it alike.
    density = (0.07 + (0.50 + 0.015 * bmi_z) * anat.body(p, y, u) + 0.03 * np.maximum(heart, fill_ant) - air
               + 0.05 * vessels + 0.06 * anat.fine_detail(0.05, size) * kerley * post)  # (c, H, W) bright = dense
    detail = anat.fine_detail(anat.RIB_SPACING, size)  # ribs, vertebrae: gone at 32 px, not aliased
    density += anat.ribs(g, y, u) * (0.2 + 0.8 * post) * detail  # ribs fade over the abdomen
    # Local structures, drawn only in the rows and columns that can hold them.
    sn = np.abs(np.sin(th))
    frame = {"grid": grid, "margin": float(sn.max() + np.abs(col("shift_x")).max()
                                              + np.abs(col("shift_y")).max() + 0.02),
             "s_lo": float(1 / scale.max()), "s_hi": float(1 / scale.min())}

    def local(box, fn, *arrays):
        r, k = anat.box(frame, *box)
        density[:, r, k] += fn(*(a[:, r, k] for a in arrays))

    local((-1, 1, -0.14, 0.14), lambda x_, y_: anat.spine(g, x_, y_, detail), x, y)
    local((-1, -0.3, -0.7, 0.7), lambda x_, y_: anat.clavicles(g, x_, y_, p["ap"]), x, y)
    local((-0.8, -0.05, -1, 1), lambda y_, u_: anat.scapulae(g, y_, u_, p["ap"]), y, u)
    local((-1, -0.05, -0.3, 0.3), lambda x_, y_: -0.05 * anat.airways(g, x_, y_), x, y)
    local((-0.3, 0.2, -0.35, 0.35), lambda x_, y_: 0.07 * anat.hila(g, x_, y_), x, y)
    local((0.0, 0.9, -0.8, 0.8), lambda y_, u_: 0.05 * anat.breasts(p, y_, u_), y, u)
    local((0.2, 0.9, 0.1, 0.6), lambda x_, y_: -0.22 * anat.gastric_bubble(g, x_, y_), x, y)
    shift_exp, shift_gamma, noise_factor = 1.0, 1.0, 1.0
    if imaging is not None:
        shift_exp, shift_gamma, noise_factor = imaging.exposure, imaging.gamma, imaging.noise_factor
    img = col("exposure") * (density - 0.45) + 0.45 + col("brightness")
    img = np.clip(img * _F(shift_exp), 0, 1) ** (col("gamma") * _F(shift_gamma))
    noise_sd = _F(config.image_noise * noise_factor) * (1 + _F(0.6) * ap) * (1 + 0.08 * bmi_z)
    img = img + noise_sd * rng.standard_normal(img.shape, dtype=np.float32)
    img = img + 0.012 * _smooth_field(rng, c, 12, size)  # film mottle
    img = np.clip(img, 0, 1).astype(np.float32)

    lungs = post > 0.5
    heart_mask = heart > 0.5
    masks = {
        "lungs": lungs,
        "heart": heart_mask,
        "consolidation": _core(regions["consolidation"], lungs),
        "atelectasis": _core(regions["atelectasis"], lungs),
        "oedema": (regions["oedema"] > 0.35) & lungs,
        "effusion": (effusion > 0.5) & lung_space & (y < dome + 0.02),
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
    site=None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Images (n, H, W) float32 in [0, 1] and masks {finding: (n, H, W) bool} (notebook 01)."""
    from course_lib.synth.xray_marker import burn_marker

    n = len(plan)
    female = (state["sex"].to_numpy() == "F") if "sex" in state else np.zeros(n, bool)
    plan = plan.assign(bmi=state["bmi"].to_numpy(), female=female)
    imaging = site.imaging if site is not None else None
    images = np.empty((n, size, size), np.float32)
    masks = {name: np.empty((n, size, size), bool) for name in MASK_NAMES}
    chunk = int(np.clip(32 * (128 / size) ** 2, 8, 512))  # ~0.5 M pixels per chunk
    for start in range(0, n, chunk):
        part = slice(start, min(n, start + chunk))
        img, m = _render_chunk(plan.iloc[part], size, rng, config, imaging)
        images[part] = img
        for name in MASK_NAMES:
            masks[name][part] = m[name]
    marker = imaging.marker if imaging is not None else "top_left"
    text = imaging.marker_text if imaging is not None else "R"
    burn_marker(images, text, marker)
    return images, masks
