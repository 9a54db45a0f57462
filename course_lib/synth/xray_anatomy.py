"""Normal anatomy of a frontal chest film, drawn for many patients at once (notebooks 00, 01).

Patient coordinates: x runs across the image (negative = the patient's right, shown on the
image left), y runs down; the thorax spans about -0.8..0.5. Every array is (c, H, W) float32
for c patients, or (c, 1, 1) for per-patient numbers. Lungs have two layers: an anterior one
(right middle lobe, lingula: touching the heart) and a posterior one (lower lobes: touching
the diaphragm domes), so that the silhouette sign follows from the geometry.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_F = np.float32
RIB_SPACING = 0.116  # posterior-rib period along the mid-clavicular line (image units)
FIRST_RIB_Y = -0.73
MIDCLAVICULAR_U = 0.40


def sig(z):
    """Logistic function (soft edges of anatomy), float32 in, float32 out, few temporaries."""
    t = np.multiply(z, _F(0.5), dtype=_F)
    np.tanh(t, out=t)
    t *= _F(0.5)
    t += _F(0.5)
    return t


def box(frame: dict, y_lo: float, y_hi: float, x_lo: float, x_hi: float) -> tuple:
    """(rows, cols) slices of the image that can hold patient points inside the box.

    Local structures (spine, clavicles, airways...) are drawn only there: most of the
    rendering time is spent on pixels, and most pixels are far from any one structure.
    """
    grid, m, s_lo, s_hi = frame["grid"], frame["margin"], frame["s_lo"], frame["s_hi"]
    out = []
    for lo, hi in ((y_lo, y_hi), (x_lo, x_hi)):
        ends = [lo * s_lo, lo * s_hi, hi * s_lo, hi * s_hi]
        a, b = np.searchsorted(grid, [min(ends) - m, max(ends) + m])
        out.append(slice(int(a), int(b) + 1))
    return tuple(out)


def geometry(p: dict) -> dict:
    """Per-patient (c, 1, 1) shape numbers from the plan columns `p` (notebook 01)."""
    h = p["hyperinflation_visibility"]
    W = 0.70 + 0.03 * h  # half the internal thoracic width at its widest
    g = {"W": W, "uc": _F(0.36) + 0 * h, "yc": 0.10 + 0.05 * h, "y_apex": -0.80 - 0.02 * h}
    # Domes: the right one higher (liver); hyperinflation lowers and flattens both; the depth
    # of inspiration and volume loss (atelectasis pulls its dome up) move each one.
    base = 0.36 + 0.24 * h + p["inspiration"]
    g["d_right"] = base - p["dome_elevation_right"]
    g["d_left"] = base + 0.06 - p["dome_elevation_left"]
    g["dome_k"] = 0.20 * (1 - 0.75 * h)
    g["rib_s"] = RIB_SPACING * (1 + 0.03 * h)  # intercostal spaces widen when hyperinflated
    g["rib_k"] = 0.85 * (1 - 0.5 * h)  # ... and the ribs run more horizontally
    g["ctr_img"] = p["ctr"] * (1 + _F(0.1) * p["ap"])  # AP: the heart is magnified ~10%
    g["obliquity_only"], g["shift_only"] = p["obliquity"], p["mediastinal_shift"]
    g["cx"] = p["obliquity"] + p["mediastinal_shift"]  # anterior structures' offset
    g["hy"] = g["d_right"] - 0.13 - 0.05 * h  # the heart sits on the diaphragm
    return g


def dome_y(g, u, right):
    """(c, H, W) height of the hemidiaphragm under each pixel (larger = lower)."""
    top = np.where(right, g["d_right"], g["d_left"])
    return top + g["dome_k"] * ((u - 0.25) / 0.45) ** 2


def visible_ribs(g) -> np.ndarray:
    """(c,) posterior ribs whose centre at the right mid-clavicular line lies above the dome."""
    u = MIDCLAVICULAR_U
    dome = g["d_right"] + g["dome_k"] * ((u - 0.25) / 0.45) ** 2
    first = FIRST_RIB_Y + g["rib_k"] * (u - 0.30) ** 2
    return np.clip(np.floor((dome - first) / g["rib_s"]) + 1, 0, 12).reshape(-1).astype(int)


def lungs(g, x, y, u, right):
    """Posterior and anterior lung layers (c, H, W) in 0..1 and the dome height."""
    W, uc = g["W"], g["uc"]
    a, b = W - uc, g["yc"] - g["y_apex"]
    dy = np.minimum(y - g["yc"], 0)  # below its widest point the chest wall runs straight down
    ell = ((u - uc) / a) ** 2 + (dy / b) ** 2
    left_x = x - g["cx"]
    knob = (left_x > 0) * (0.05 * np.exp(-(((y + 0.36) / 0.07) ** 2)))  # aortic knob
    dome = dome_y(g, u, right)
    outline = sig((1 - ell) / 0.025) * sig((dome - y) / 0.01)
    post = outline * sig((u - 0.075 - knob) / 0.012)
    # The anterior lung stops short of the mediastinum and ends higher above the domes
    # (the anterior costophrenic recess), except laterally.
    margin = 0.07 * sig((W - 0.12 - u) / 0.04)
    ant = outline * sig((np.abs(left_x) - 0.10 - knob) / 0.012) * sig((dome - margin - y) / 0.02)
    return post, ant, dome, ell


def mediastinum(g, x, y):
    """Superior mediastinum (c, H, W) 0..1: great vessels between the lungs, aortic knob left."""
    hx = x - g["cx"]
    knob = 0.05 * np.exp(-(((y + 0.36) / 0.07) ** 2))
    half = np.where(hx > 0, 0.105 + knob, 0.095)
    return sig((half - np.abs(hx)) / 0.012) * sig((y + 0.85) / 0.03) * sig((g["hy"] - y) / 0.05)


def heart(g, x, y):
    """Heart (c, H, W) 0..1 and its core (far from the borders): RA right, LV left border."""
    hx = x - g["cx"]
    width = g["ctr_img"] * 2 * g["W"]  # cardiothoracic ratio x internal thoracic width
    w_r, w_l = 0.36 * width, 0.64 * width
    hh = 0.19 + 0.15 * g["ctr_img"]
    r_left = (hx / w_l) ** 2 + ((y - g["hy"] - 0.03) / hh) ** 2  # LV: apex down and left
    r_right = (hx / w_r) ** 2 + ((y - g["hy"] + 0.02) / (0.85 * hh)) ** 2  # right atrium
    r2 = np.where(hx > 0, r_left, r_right)
    return sig((1 - r2) / 0.05), sig((0.6 - r2) / 0.06)


def _segment_distance(px, py, ax, ay, bx, by):
    """Distance from points (px, py) to the segment a-b (broadcasting)."""
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(px - ax - t * dx, py - ay - t * dy)


def airways(g, x, y):
    """Trachea and main bronchi (c, H, W) 0..1: air columns, darker than the mediastinum."""
    tx = x - 0.5 * g["obliquity_only"] - 0.8 * g["shift_only"]
    trachea = sig((0.034 - np.abs(tx)) / 0.006) * sig((-0.30 - y) / 0.01)
    right = _segment_distance(tx, y, 0.0, -0.30, -0.14, -0.13)  # right main: steeper, shorter
    left = _segment_distance(tx, y, 0.0, -0.30, 0.17, -0.16)
    bronchi = sig((0.02 - np.minimum(right, left)) / 0.005)
    return np.maximum(trachea, bronchi)


def fine_detail(period: float, size: int) -> float:
    """Amplitude for a pattern of `period` (image units) at `size` px: fades below ~3 px/cycle.

    A 32-px film cannot hold ribs 2 px apart; drawing them anyway would alias into stripes.
    """
    return float(np.clip((period * size / 2 - 1.5) / 2.0, 0, 1))


def ribs(g, y, u):
    """Posterior ribs (arcs convex upward, wider laterally) and fainter anterior ribs."""
    W, s, k = g["W"], g["rib_s"], g["rib_k"]
    ph = (y - k * (u - 0.30) ** 2 - FIRST_RIB_Y) / s  # one phase field draws all twelve
    idx = np.rint(ph)
    fr = np.abs(ph - idx)
    half = 0.15 + 0.08 * u
    span = sig((W + 0.05 - u) / 0.015) * sig((u - 0.05) / 0.01) * ((idx >= 0) & (idx <= 11))
    post = (sig((half - fr) / 0.035) + 0.5 * np.exp(-(((fr - half) / 0.04) ** 2))) * span
    pha = (y - k * (W - 0.30) ** 2 - 0.6 * (W - u) - FIRST_RIB_Y) / s  # down and medially
    ia = np.rint(pha)
    ant = sig((0.12 - np.abs(pha - ia)) / 0.035) * sig((u - 0.24) / 0.02)
    ant *= sig((W + 0.03 - u) / 0.015) * ((ia >= 0) & (ia <= 7))
    return 0.045 * post + 0.02 * ant


def clavicles(g, x, y, ap):
    """Clavicles from the sternal notch up and out to the acromion (higher on an AP film)."""
    ua = np.abs(x - g["obliquity_only"])
    yc = -0.55 - 0.25 * ua + 0.20 * (ua - 0.3) ** 2 - 0.05 * ap
    clav = sig((0.028 + 0.012 * (0.6 - ua) - np.abs(y - yc)) / 0.006)
    return 0.12 * clav * sig((0.62 - ua) / 0.015) * sig((ua - 0.045) / 0.01)


def scapulae(g, y, u, ap):
    """Scapulae: projected off the lungs on PA (arms forward), over the upper lungs on AP."""
    um = np.where(ap > 0, g["W"] - 0.26, g["W"] - 0.02) + 0.05 * (y + 0.75)
    taper = np.clip((-0.08 - y) / 0.64, 0, 1)
    scap = sig((u - um) / 0.01) * sig((um + 0.22 * taper - u) / 0.015)
    scap *= sig((y + 0.74) / 0.02) * sig((-0.08 - y) / 0.02)
    return 0.05 * scap * (1 + 1.5 * np.exp(-(((u - um) / 0.012) ** 2)))  # dense medial border


def spine(g, x, y, detail: float = 1.0):
    """Vertebral bodies with disc spaces, paired pedicles (rings), spinous processes."""
    pv = (y + 0.80) / g["rib_s"]
    fv = pv - np.floor(pv)
    top = sig((y + 0.95) / 0.02)
    body = sig((0.055 - np.abs(x)) / 0.008)
    disc = np.exp(-((np.minimum(fv, 1 - fv) / 0.07) ** 2))
    r = np.hypot((np.abs(x) - 0.042) / 0.014, (fv - 0.35) / 0.16)
    pedicle = np.exp(-(((r - 0.8) / 0.35) ** 2))
    spinous = np.exp(-((x / 0.012) ** 2) - ((fv - 0.7) / 0.12) ** 2)
    return 0.07 * top * (body * (1 - 0.5 * detail * disc) + detail * (0.8 * pedicle + 0.4 * spinous))


def body(p, y, u):
    """Body outline: the neck, then the shoulders; soft tissue widens with BMI."""
    bw = 0.88 + 0.03 * np.clip((p["bmi"] - 27) / 5, -1.5, 3)
    body_w = 0.28 + (bw - 0.28) * sig((y + 0.84) / 0.04)
    return sig((body_w - u) / 0.02)


def breasts(p, y, u):
    """Breast shadows over the lower zones in women, larger with BMI, sharp lower border."""
    size = np.clip(0.20 + 0.02 * (p["bmi"] - 27) / 5, 0.14, 0.30)
    dist = np.hypot(u - 0.46, y - 0.30 - 0.3 * size)
    return p["female"] * sig((size - dist) / 0.025) * sig((y - 0.05) / 0.08)


def gastric_bubble(g, x, y):
    """Air in the gastric fundus under the left dome, with a flat air-fluid level."""
    top = g["d_left"]
    ell = ((x - g["cx"] - 0.33) / 0.10) ** 2 + ((y - top - 0.10) / 0.06) ** 2
    return sig((1 - ell) / 0.2) * sig((top + 0.11 - y) / 0.006)


def hila(g, x, y):
    """Hilar shadows (c, H, W): pulmonary arteries and nodes; the left hilum sits higher."""
    hx = x - g["cx"]
    r = np.exp(-(((hx + 0.15) / 0.045) ** 2) - ((y + 0.03) / 0.08) ** 2)
    return r + np.exp(-(((hx - 0.15) / 0.045) ** 2) - ((y + 0.07) / 0.08) ** 2)


@lru_cache(maxsize=8)
def vessel_templates(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Templates over [-1, 1]^2: vessels (2, T, T) of the upper and lower zones, bronchi (T, T).

    Branching trees from each hilum whose calibre tapers to the periphery; the same tree,
    offset and thinner, gives the bronchi (seen only as air bronchograms in consolidation).
    """
    t = min(2 * size, 256)
    grid = np.linspace(-1, 1, t, dtype=_F)
    gy, gx = np.meshgrid(grid, grid, indexing="ij")
    upper, lower, bronchi = (np.zeros((t, t), _F) for _ in range(3))
    rng = np.random.default_rng(1234)  # one fixed tree: anatomy, not patient noise
    pix = 2.0 / (t - 1)
    stack = []
    for side, hy in ((-1, -0.03), (1, -0.07)):
        for angle in (-75, -40, -10, 20, 50, 80):
            stack.append((side * 0.15, hy, np.deg2rad(angle), 0.20, 0.020, 0, side, hy))
    while stack:
        x0, y0, ang, length, width, depth, side, hy = stack.pop()
        x1, y1 = x0 + side * np.cos(ang) * length, y0 + np.sin(ang) * length
        pad = width * 3 + pix
        c0, c1 = np.searchsorted(grid, min(x0, x1) - pad), np.searchsorted(grid, max(x0, x1) + pad)
        r0, r1 = np.searchsorted(grid, min(y0, y1) - pad), np.searchsorted(grid, max(y0, y1) + pad)
        px, py = gx[r0:r1, c0:c1], gy[r0:r1, c0:c1]
        w = max(width, 0.6 * pix)
        line = np.exp(-((_segment_distance(px, py, x0, y0, x1, y1) / w) ** 2)) * min(1, width / pix)
        target = upper if (y0 + y1) / 2 < hy - 0.05 else lower
        np.maximum(target[r0:r1, c0:c1], line, out=target[r0:r1, c0:c1])
        if depth >= 1:  # bronchi beside the arteries, from the segmental level outwards
            off = 1.6 * width
            d = _segment_distance(px, py, x0 + off * np.sin(ang), y0 + off * np.cos(ang),
                                  x1 + off * np.sin(ang), y1 + off * np.cos(ang))
            np.maximum(bronchi[r0:r1, c0:c1], np.exp(-((d / (0.5 * w)) ** 2)),
                       out=bronchi[r0:r1, c0:c1])
        if depth < 4:
            for turn in (-1, 1):
                jitter = rng.normal(0, 0.12)
                stack.append((x1, y1, ang + turn * 0.42 + jitter, length * 0.74, width * 0.68,
                              depth + 1, side, hy))
    return np.stack([upper, lower]), bronchi


def sample_template(template: np.ndarray, x, y) -> np.ndarray:
    """Nearest-neighbour lookup of [-1, 1]^2 template(s) (..., T, T) at patient coordinates."""
    t = template.shape[-1]
    ix = np.clip(np.rint((x + 1) * _F(0.5 * (t - 1))), 0, t - 1).astype(np.int32)
    iy = np.clip(np.rint((y + 1) * _F(0.5 * (t - 1))), 0, t - 1).astype(np.int32)
    flat = template.reshape(template.shape[:-2] + (-1,))
    return flat[..., iy * t + ix]
