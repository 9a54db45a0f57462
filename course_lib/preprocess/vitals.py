"""Vital-sign time series: NEWS2, qSOFA, forward fill with masks and deltas, time alignment (notebook 08)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# NEWS2 (Royal College of Physicians 2017, Chart 1). Each row: upper bounds of the bands
# (inclusive, charted resolution) and the points of each band, lowest band first.
NEWS2_TABLE = {
    "resp_rate": ([8, 11, 20, 24, np.inf], [3, 1, 0, 2, 3]),
    "spo2_scale1": ([91, 93, 95, np.inf], [3, 2, 1, 0]),
    "sbp": ([90, 100, 110, 219, np.inf], [3, 2, 1, 0, 3]),
    "heart_rate": ([40, 50, 90, 110, 130, np.inf], [3, 1, 0, 1, 2, 3]),
    "temperature": ([35.0, 36.0, 38.0, 39.0, np.inf], [3, 1, 0, 1, 2]),
}


def _band(x: np.ndarray, table: tuple) -> np.ndarray:
    """Points of the band each value falls in (upper bounds inclusive)."""
    bounds, points = table
    idx = np.searchsorted(np.asarray(bounds, float), np.round(np.asarray(x, float), 1), side="left")
    return np.asarray(points)[np.minimum(idx, len(points) - 1)]


def spo2_scale2_points(spo2, on_oxygen) -> np.ndarray:
    """NEWS2 SpO2 scale 2 (target 88-92%, hypercapnic respiratory failure) (notebook 08).

    Below 88% as scale 1 shifted; 88-92% scores 0; at 93% or more, 0 on air but 1/2/3 on oxygen
    (93-94, 95-96, >=97) because over-oxygenation is the danger in these patients.
    """
    spo2, o2 = np.asarray(spo2, float), np.asarray(on_oxygen, bool)
    low = _band(spo2, ([83, 85, 87, np.inf], [3, 2, 1, 0]))
    high_on_o2 = _band(spo2, ([92, 94, 96, np.inf], [0, 1, 2, 3]))
    return np.where(o2, np.maximum(low, high_on_o2), low)


def news2_components(heart_rate, sbp, resp_rate, spo2, temperature, on_oxygen, confused,
                     scale2=False) -> dict[str, np.ndarray]:
    """The seven NEWS2 parameter scores, each an array like the inputs (notebook 08).

    Units: /min, mmHg, /min, %, degC; on_oxygen and confused (new confusion or V, P, U on ACVPU)
    are 0/1. scale2: use SpO2 scale 2 (target 88-92%) for that patient.
    """
    spo2_points = np.where(np.asarray(scale2, bool), spo2_scale2_points(spo2, on_oxygen),
                           _band(spo2, NEWS2_TABLE["spo2_scale1"]))
    return {
        "resp_rate": _band(resp_rate, NEWS2_TABLE["resp_rate"]),
        "spo2": spo2_points,
        "air_or_oxygen": 2 * np.asarray(on_oxygen, bool).astype(int),
        "sbp": _band(sbp, NEWS2_TABLE["sbp"]),
        "heart_rate": _band(heart_rate, NEWS2_TABLE["heart_rate"]),
        "consciousness": 3 * np.asarray(confused, bool).astype(int),
        "temperature": _band(temperature, NEWS2_TABLE["temperature"]),
    }


def news2(heart_rate, sbp, resp_rate, spo2, temperature, on_oxygen, confused, scale2=False) -> np.ndarray:
    """NEWS2 aggregate score 0-20 (RCP 2017) (notebook 08). NaN inputs are not allowed: fill first."""
    args = (heart_rate, sbp, resp_rate, spo2, temperature, on_oxygen, confused)
    if any(np.isnan(np.asarray(a, float)).any() for a in args):
        raise ValueError("NEWS2 needs a value for every parameter: forward-fill the chart first "
                         "(locf_mask_delta) and fill what was never charted with a normal value")
    return sum(news2_components(*args, scale2=scale2).values())


def news2_risk(score, components: dict | None = None) -> np.ndarray:
    """RCP clinical risk: 'low' (0-4), 'low-medium' (a 3 in one parameter), 'medium' (5-6), 'high' (>=7)."""
    score = np.asarray(score)
    red = np.zeros(score.shape, bool) if components is None else \
        np.any([np.asarray(v) == 3 for v in components.values()], axis=0)
    return np.select([score >= 7, score >= 5, red], ["high", "medium", "low-medium"], "low")


def qsofa(resp_rate, sbp, altered_mentation) -> np.ndarray:
    """qSOFA 0-3: RR >= 22/min, systolic BP <= 100 mmHg, altered mentation (Seymour 2016) (notebook 08)."""
    return ((np.asarray(resp_rate) >= 22).astype(int) + (np.asarray(sbp) <= 100).astype(int)
            + np.asarray(altered_mentation, bool).astype(int))


def locf_mask_delta(values: np.ndarray, fill: np.ndarray | None = None):
    """GRU-D-style inputs from an hourly chart with gaps (notebook 08).

    values: (n, T, C) NaN where nothing was charted that hour. Returns (filled, mask, delta):
    filled (n, T, C) the last observation carried forward (`fill`, e.g. a normal value, before
    the first one; NaN if fill is None); mask (n, T, C) 1 where charted in that hour; delta
    (n, T, C) hours since the last charted value: 0 when charted that hour, t + 1 if never yet.
    """
    values = np.asarray(values, float)
    if values.ndim != 3:
        raise ValueError(f"values must be (patients, hours, channels), got shape {values.shape}")
    n, T, C = values.shape
    mask = ~np.isnan(values)
    hour = np.arange(T)[None, :, None]
    last = np.where(mask, hour, -1)
    last = np.maximum.accumulate(last, axis=1)  # (n, T, C) hour of the latest observation so far
    seen = last >= 0
    filled = np.take_along_axis(values, np.maximum(last, 0), axis=1)
    filled = np.where(seen, filled, np.nan if fill is None else np.broadcast_to(fill, values.shape))
    delta = np.where(seen, hour - last, hour + 1).astype(float)
    return filled, mask.astype(float), delta


def align_events(patient: np.ndarray, time: np.ndarray, n: int, hours: int,
                 values: np.ndarray | None = None) -> np.ndarray:
    """Events on the hourly grid: each goes to hour floor(time), i.e. known from the end of that hour (notebook 08).

    patient, time: (E,) event owner and time (h since admission); values: (E, K) or None (counts).
    Returns (n, hours, K) sums (NaN-free). Put an event at the time it became KNOWN (a lab's
    result time, a note's writing time), never at the time it refers to.
    """
    time = np.asarray(time, float)
    if np.any(time < 0):
        raise ValueError("event times must be hours since admission (>= 0)")
    values = np.ones((len(time), 1)) if values is None else np.asarray(values, float).reshape(len(time), -1)
    out = np.zeros((n, hours, values.shape[1]))
    h = np.floor(time).astype(int)
    keep = h < hours
    np.add.at(out, (np.asarray(patient)[keep], h[keep]), values[keep])
    return out


def note_features(stays, vectorizer, fit: bool = False) -> np.ndarray:
    """(n, H, V+1): words of the most recent note (carried forward) and hours since it (notebook 08)."""
    notes = stays.notes
    bags = vectorizer.fit_transform(notes.text) if fit else vectorizer.transform(notes.text)
    n, H = len(stays), stays.hours
    grid = align_events(notes.patient.to_numpy(), notes.time.to_numpy(), n, H, bags.toarray())
    written = align_events(notes.patient.to_numpy(), notes.time.to_numpy(), n, H)[..., 0] > 0
    # Keep only the latest note in each hour (rare doubles: take their union, capped at 1).
    grid = np.where(written[..., None], np.minimum(grid, 1), np.nan)
    filled, _, delta = locf_mask_delta(grid, fill=0.0)
    return np.concatenate([filled, np.log1p(delta[..., :1])], -1)


def _mean_sd(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and sd ignoring NaN; a never-charted column gets (0, 1)."""
    seen = ~np.isnan(x)
    count = np.maximum(seen.sum(0), 1)
    mean = np.where(seen, x, 0).sum(0) / count
    sd = np.sqrt(np.where(seen, (x - mean) ** 2, 0).sum(0) / count)
    return mean, np.where(seen.any(0), sd, 1.0) + 1e-3


def feature_blocks(stays, stats: dict | None = None, vectorizer=None, fit: bool = False,
                   labs_at: str = "result") -> tuple[dict[str, np.ndarray], dict]:
    """Per-hour model inputs by modality, GRU-D style (value, mask, delta per channel) (notebook 08).

    Returns ({"vitals", "labs", "meds", "notes", "leak"}: (n, H, F) arrays, stats). `stats`
    (means and sds for z-scores) are computed when fit=True (training patients only) and
    reused otherwise. labs_at="drawn" aligns labs at draw time: the alignment mistake.
    """
    n, H = len(stays), stays.hours
    labs = stays.labs if labs_at == "result" else stays.labs_drawn
    if fit:
        valid = stays.valid()
        stats = {"vitals": _mean_sd(stays.vitals[valid]), "labs": _mean_sd(np.log(labs[valid]))}
    blocks = {}
    for name, raw in (("vitals", stays.vitals), ("labs", np.log(labs))):
        mean, sd = stats[name]
        filled, mask, delta = locf_mask_delta((raw - mean) / sd, fill=0.0)  # never charted: the mean
        blocks[name] = np.concatenate([filled, mask, np.log1p(delta) / 3], -1)
    clock = 2 * np.pi * ((stays.admit_clock[:, None] + np.arange(H)) % 24) / 24
    blocks["vitals"] = np.concatenate([blocks["vitals"], np.sin(clock)[..., None], np.cos(clock)[..., None],
                                       np.broadcast_to(np.arange(H) / 48.0, (n, H))[..., None]], -1)
    meds = stays.meds[..., :2]  # paracetamol, beta-blocker: explain a low temperature, a slow pulse
    _, _, since = locf_mask_delta(np.where(meds > 0, 1.0, np.nan))
    blocks["meds"] = np.concatenate([meds, np.exp(-since / 6.0)], -1)
    if vectorizer is not None:
        blocks["notes"] = note_features(stays, vectorizer, fit=fit)
    # The trap: the team's own actions (antibiotics given, lactate drawn) flag their suspicion.
    abx = np.maximum.accumulate(stays.meds[..., 2], axis=1)
    lactate_drawn = np.maximum.accumulate(~np.isnan(stays.labs_drawn[..., 0]), axis=1)
    blocks["leak"] = np.stack([abx, lactate_drawn], -1).astype(float)
    return {k: v.astype(np.float32) for k, v in blocks.items()}, stats


def news2_hourly(stays) -> np.ndarray:
    """(n, H) NEWS2 from the chart carried forward; never-charted values count as normal (notebook 08)."""
    normal = np.array([75, 120, 75, 16, 97, 37.0, 0, 0])
    filled, _, _ = locf_mask_delta(stays.vitals, fill=normal)
    f = [filled[..., k] for k in range(8)]
    score = news2(f[0], f[1], f[3], f[4], f[5], f[6], f[7], scale2=stays.copd[:, None])
    return np.where(stays.valid(), score, np.nan)


def qsofa_hourly(stays) -> np.ndarray:
    """(n, H) qSOFA from the chart carried forward (notebook 08)."""
    filled, _, _ = locf_mask_delta(stays.vitals, fill=np.array([75, 120, 75, 16, 97, 37.0, 0, 0]))
    return np.where(stays.valid(), qsofa(filled[..., 3], filled[..., 1], filled[..., 7]), np.nan)


def stays_frame(stays, i: int) -> pd.DataFrame:
    """One patient's hourly chart as a table (hours as rows) (notebook 08)."""
    from course_lib.synth.ward import VITALS

    L = int(stays.length[i])
    return pd.DataFrame(stays.vitals[i, :L], columns=list(VITALS)).rename_axis("hour")
