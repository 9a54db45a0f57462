"""Triage vital signs and an irregular, gappy vitals time series over the stay (notebook 08)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_lib.synth.config import CohortConfig

VITAL_NAMES = ("heart_rate", "sbp", "dbp", "resp_rate", "spo2", "temperature")
VITAL_UNITS = ("/min", "mmHg", "mmHg", "/min", "%", "degC")
# Probability that a scheduled observation of each channel is not recorded (series only).
MISSING_RATE = np.array([0.05, 0.10, 0.10, 0.15, 0.08, 0.45])
# Measurement noise sd per channel (device and observer error).
MEASUREMENT_SD = np.array([3.0, 5.0, 4.0, 1.5, 0.8, 0.15])
RESOLUTION = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.1])  # how the values are charted


@dataclass
class VitalsSeries:
    """Irregular vitals: times (n, T) hours, values (n, T, 6) NaN where missing, lengths (n,)."""

    times: np.ndarray  # (n, T) float32 hours since triage; NaN past the length
    values: np.ndarray  # (n, T, 6) float32; NaN: not measured or past the length
    lengths: np.ndarray  # (n,) int: number of valid time steps


def _deviation(state: pd.DataFrame, rng, n: int) -> np.ndarray:
    """(n, 6) deviation of each vital from the patient's baseline, caused by the conditions."""
    s = {
        c: state[f"{c}_severity"].to_numpy()
        for c in ("pneumonia", "acute_mi", "heart_failure", "copd_asthma", "sepsis")
    }
    infl = state["inflammation"].to_numpy()
    shock = (state["mi_type"].to_numpy() == "STEMI") & (s["acute_mi"] > 0.85)
    hypothermic = rng.random(n) < 0.1  # some septic patients are cold, not febrile
    antipyretic = rng.random(n) < 0.3  # paracetamol at home blunts the fever at triage
    # Saturating: even an overwhelming infection rarely pushes a fever past ~40 C.
    fever = 3.2 * np.tanh(0.75 * infl) * np.where((s["sepsis"] > 0) & hypothermic, -0.8, 1.0)
    fever *= np.where(antipyretic, 0.4, 1.0)
    sbp = (
        -38 * s["sepsis"] ** 1.5
        - 6 * s["pneumonia"]
        + 22 * s["heart_failure"]
        - 45 * shock
        + 8 * s["acute_mi"] * ~shock
    )
    rr = 3 * s["pneumonia"] + 7 * s["sepsis"] + 9 * s["heart_failure"] + 9 * s["copd_asthma"]
    spo2 = -(
        3.0 * s["pneumonia"] ** 1.3
        + 2 * s["sepsis"]
        + 8 * s["heart_failure"] ** 1.3
        + 7 * s["copd_asthma"] ** 1.3
    )
    hr = np.zeros(n)  # the heart rate is part of the state (rhythm), added separately
    return np.stack([hr, sbp, 0.55 * sbp, rr, spo2, fever], axis=1)


def _baseline(state: pd.DataFrame, rng, n: int) -> np.ndarray:
    """(n, 6) the patient's own normal values (age, hypertension, COPD)."""
    age = state["age"].to_numpy()
    htn = state["hypertension"].to_numpy()
    copd = state["copd_history"].to_numpy()
    sbp = rng.normal(122, 12, n) + 0.3 * (age - 55) + 14 * htn
    dbp = 0.45 * sbp + rng.normal(22, 6, n)
    rr = rng.normal(15.5, 1.8, n) + 2.0 * copd
    spo2 = rng.normal(97.6, 1.0, n) - 0.03 * np.maximum(age - 60, 0) - 3.0 * copd
    temp = rng.normal(36.8, 0.25, n)
    return np.stack([np.zeros(n), sbp, dbp, rr, spo2, temp], axis=1)


def _clip_chart(v: np.ndarray) -> np.ndarray:
    """Physiological limits and charting resolution; works on (..., 6)."""
    lo = np.array([30, 50, 25, 6, 50, 34.0])
    hi = np.array([220, 240, 140, 50, 100, 42.0])
    v = np.clip(v, lo, hi)
    return np.round(v / RESOLUTION) * RESOLUTION


def make_vitals(
    state: pd.DataFrame, rng: np.random.Generator, config: CohortConfig
) -> tuple[np.ndarray, VitalsSeries]:
    """Triage snapshot (n, 6) and the time series over the stay (notebook 08)."""
    n = len(state)
    base = _baseline(state, rng, n)  # (n, 6)
    dev = _deviation(state, rng, n)  # (n, 6)
    hr_true = state["heart_rate_true"].to_numpy()
    triage = base + dev
    triage[:, 0] = hr_true
    triage = _clip_chart(triage + rng.normal(0, MEASUREMENT_SD, (n, 6)))

    # Irregular sampling: about hourly with jitter; sick patients stay (and are watched)
    # longer, minor complaints leave after a few hours.
    t_max = config.vitals_max_samples
    gaps = rng.uniform(0.5, 1.5, (n, t_max - 1))
    times = np.concatenate([np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1)  # (n, T)
    sick = state["severity"].to_numpy()
    stay = np.where(sick > 0, config.vitals_hours, rng.uniform(2, 6, n))
    stay = np.where((sick > 0) & (sick < 0.3) & (rng.random(n) < 0.5), rng.uniform(4, 10, n), stay)
    valid = times <= stay[:, None]
    lengths = valid.sum(axis=1)

    # Course of the deviation over time: most patients improve with treatment (tau hours);
    # untreated-early sepsis worsens until treatment takes hold at t_treat, then improves.
    tau = rng.uniform(6, 16, n)[:, None]
    s_sep = state["sepsis_severity"].to_numpy()
    worsens = (s_sep > 0) & (rng.random(n) < 0.4 + 0.5 * s_sep)
    t_treat = rng.uniform(3, 10, n)[:, None]
    growth = np.where(worsens, rng.uniform(0.5, 1.2, n), 0.0)[:, None]
    course = (1 + growth * np.minimum(times, t_treat) / t_treat) * np.exp(
        -np.maximum(times - np.where(worsens[:, None], t_treat, 0.0), 0) / tau
    )  # (n, T)
    hr_dev = (hr_true - rng.normal(74, 8, n))[:, None]  # heart-rate excess over a resting rate
    traj = base[:, None, :] + dev[:, None, :] * course[:, :, None]  # (n, T, 6)
    traj[:, :, 0] = (hr_true[:, None] - hr_dev) + hr_dev * course
    # Slow physiological wander (AR(1)) plus measurement noise.
    wander = np.zeros((n, t_max, 6))
    eps = rng.normal(0, 1, (n, t_max, 6)) * MEASUREMENT_SD
    for t in range(1, t_max):  # loop over time steps only: every patient at once
        wander[:, t] = 0.7 * wander[:, t - 1] + 0.7 * eps[:, t]
    noise = rng.normal(0, 1, (n, t_max, 6)) * MEASUREMENT_SD
    values = _clip_chart(traj + wander + noise)
    values[:, 0] = triage  # the first observation IS the triage snapshot
    missing = rng.random((n, t_max, 6)) < MISSING_RATE
    missing[:, :, 2] = missing[:, :, 1]  # systolic and diastolic come from one cuff reading
    missing[:, 0] = False
    values[missing | ~valid[:, :, None]] = np.nan
    times = np.where(valid, times, np.nan)
    series = VitalsSeries(times.astype(np.float32), values.astype(np.float32), lengths)
    return triage.astype(np.float32), series
