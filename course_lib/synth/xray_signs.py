"""Findings drawn as radiological signs on the anatomy of xray_anatomy (notebooks 00, 01).

Each finding returns how much it fills the air of the anterior and posterior lung layers
(0: aerated, 1: water density) and its own region, from which the ground-truth mask is cut.
Because the right middle lobe and the lingula lie in the anterior layer against the heart,
and the lower lobes in the posterior layer against the domes, consolidation there removes
the air that outlines the heart border or the hemidiaphragm: the silhouette sign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.patients import LOBES
from course_lib.synth.xray_anatomy import sig

_F = np.float32
SPILL_TO_POST = 0.35  # how much an anterior lobe (RML, lingula) dims the posterior layer
SPILL_TO_ANT = 0.55  # ... and a lower lobe the anterior layer, away from the heart border


def lobe_index(names: pd.Series) -> np.ndarray:
    """Index of each lobe name in LOBES (-1: none)."""
    lookup = {name: i for i, name in enumerate(LOBES)}
    return np.array([lookup.get(x, -1) for x in names], dtype=np.int8)


def lobe_layers(lobe_idx, right, y, y_hf, y_obl):
    """(anterior, posterior) membership (c, H, W) of each pixel in each patient's lobe.

    Horizontal fissure: a sharp edge on a frontal film (RUL above, RML below, anterior).
    Oblique fissures are seen en face: lower lobes fade in from about the hilum down.
    """
    above_hf = sig((y_hf - y) / 0.008)
    upper = sig((y_obl - y) / 0.06)
    k = lobe_idx[:, None, None]
    ant = np.where(k == 0, above_hf, np.where(k == 1, 1 - above_hf, (k == 3).astype(_F)))
    post = np.where((k == 0) | (k == 3), upper, np.where((k == 2) | (k == 4), 1 - upper, 0))
    side = np.where(k <= 2, right, ~right)
    return (ant * side).astype(_F), (post * side).astype(_F)


def _peak(region):
    return np.maximum(region.max(axis=(1, 2), keepdims=True), 1e-6)


def consolidation(lobes, vis, extent, blobs, bronchi, lung, geo, u):
    """Lobar/segmental airspace filling with air bronchograms: (fill_ant, fill_post, region)."""
    right, y, y_hf, y_obl = geo
    ant, post = np.zeros_like(y), np.zeros_like(y)
    for idx in lobes:
        a, p = lobe_layers(idx, right, y, y_hf, y_obl)
        ant, post = np.maximum(ant, a), np.maximum(post, p)
    # A lobe is thick: seen end-on it also dims the other layer, less than its own (a lower
    # lobe never reaches the anterior lung that outlines the heart border).
    lateral = sig((u - 0.34) / 0.03)
    ant, post = np.maximum(ant, SPILL_TO_ANT * lateral * post), np.maximum(post, SPILL_TO_POST * ant)
    patch = sig((blobs + 3.0 * (extent - 0.45)) / 0.35)  # segmental when small, lobar when large
    region = np.maximum(ant, post) * patch * lung
    scale = vis / _peak(region)
    air_left = 1 - 0.45 * bronchi  # bronchi keep their air inside the opacity: dark branching lines
    fill_ant = np.minimum(scale * ant * patch, 1) * air_left
    fill_post = np.minimum(scale * post * patch, 1) * air_left
    return fill_ant, fill_post, region / _peak(region)


def atelectasis(lobe, vis, plate, blobs, lung, geo, u):
    """Plate-like band or lobar collapse (volume loss is in the geometry): fills and region."""
    right, y, y_hf, y_obl = geo
    ant, post = lobe_layers(lobe, right, y, y_hf, y_obl)
    member = np.maximum(ant, post)
    band_y = 0.3 + 0.12 * np.tanh(blobs[:, :1, :1])  # plate height varies per patient
    band = sig((0.045 - np.abs(y - band_y - 0.15 * (u - 0.4))) / 0.012)
    shape = np.where(plate, band, sig((blobs - 0.6) / 0.3))
    region = member * shape * lung
    region = region / _peak(region)
    fill = 0.8 * vis * region
    return fill, fill, region


def oedema(vis, u, y, W, fine, lung):
    """Perihilar (bat-wing) haze and Kerley B lines at the lateral bases: fill, lines, region."""
    perihilar = np.exp(-((u - 0.14) ** 2) / 0.07 - ((y + 0.02) ** 2) / 0.16)
    haze = perihilar * (0.8 + 0.2 * fine) * lung
    # Kerley B: short horizontal septal lines, 1-2 cm, touching the lateral pleura.
    kerley = sig((np.cos(2 * np.pi * y / 0.05) - 0.85) / 0.04)
    kerley = kerley * sig((u - (W - 0.09)) / 0.012) * sig((y - 0.10) / 0.03) * lung
    fill = np.minimum(vis * 0.65 * haze, 1)
    return fill, vis * kerley, haze + 0.5 * kerley


def effusion(vol, supine, dome_top, u, y, lung_space):
    """Pleural fluid: (fill_ant, fill_post, region).

    Erect: fluid at the base rising laterally (meniscus), blunting the costophrenic angle.
    Supine (portable AP): fluid layers posteriorly, a veil over the hemithorax, denser below.
    """
    level = dome_top + 0.2 - 1.1 * vol - 0.12 * ((u - 0.15) / 0.55) ** 2
    erect = (vol > 0) * sig((y - level) / 0.015)
    veil = np.minimum(2.2 * vol, 0.9) * (0.35 + 0.65 * sig((y - 0.1) / 0.25))
    veil = np.maximum(veil, (vol > 0) * 0.6 * sig((y - dome_top + 0.02) / 0.03))
    layered = veil * lung_space
    fill_post = np.where(supine, layered, erect)
    fill_ant = np.where(supine, 0.3 * layered, erect)
    region = np.where(supine, layered / _peak(layered), erect)
    return fill_ant, fill_post, region
