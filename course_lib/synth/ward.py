"""Hospital-ward stays with sepsis onsets: hourly vitals, labs, medications, nursing notes (notebook 08).

One clock for every modality: hours since admission. Ground truth: the sepsis onset hour
(Sepsis-3: infection with acute organ dysfunction) and the latent severity behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_lib.synth.config import stream

VITALS = ("heart_rate", "sbp", "dbp", "resp_rate", "spo2", "temperature", "on_oxygen", "confused")
VITAL_UNITS = ("/min", "mmHg", "mmHg", "/min", "%", "degC", "0/1", "0/1")
LABS = ("lactate", "wbc", "creatinine", "platelets", "bilirubin")
LAB_UNITS = ("mmol/L", "10^9/L", "mg/dL", "10^9/L", "mg/dL")
MEDS = ("paracetamol", "beta_blocker", "antibiotic")
NOISE_SD = np.array([3.0, 6.0, 5.0, 1.2, 0.8, 0.15])  # measurement error per numeric vital
LOW = np.array([30, 60, 30, 6, 70, 34.0])
HIGH = np.array([200, 230, 130, 45, 100, 41.5])

CALM = ("patient comfortable", "observations stable", "mobilising with assistance",
        "eating and drinking well", "slept well overnight", "pain controlled", "family visited",
        "independent with personal care", "no concerns raised", "chatting with staff")
UNWELL = ("feels hot and cold", "shivering", "looks unwell", "clammy to touch", "drowsy",
          "not himself today", "reduced urine output", "not eating", "more breathless",
          "mottled knees", "new confusion")
MIMIC = ("pain at wound site", "anxious about discharge", "feels warm", "breathless on walking",
         "headache")


@dataclass
class WardStays:
    """Hourly ward stays (notebook 08). Arrays are (n, H, ...) on one clock: hours since admission."""

    vitals: np.ndarray  # (n, H, 8) charted values, NaN where nothing was charted in that hour
    vitals_time: np.ndarray  # (n, H, 8) exact time of each charted value (h), NaN where none
    labs: np.ndarray  # (n, H, 5) each value in the hour its RESULT came back (what was known)
    labs_drawn: np.ndarray  # (n, H, 5) the same values in the hour the sample was DRAWN
    meds: np.ndarray  # (n, H, 3) 1 where a dose was given in that hour
    notes: pd.DataFrame  # one row per nursing note: patient, time (h), text
    length: np.ndarray  # (n,) hours of stay observed
    onset: np.ndarray  # (n,) sepsis onset hour, NaN: no sepsis (ground truth)
    suspicion: np.ndarray  # (n,) hour the team suspected infection and sent a work-up, NaN: never
    latent: np.ndarray  # (n, H) sepsis severity 0..1 behind the vitals (ground truth)
    copd: np.ndarray  # (n,) bool: hypercapnic respiratory failure, NEWS2 SpO2 scale 2
    admit_clock: np.ndarray  # (n,) hour of the day at admission

    def __len__(self) -> int:
        return len(self.length)

    @property
    def hours(self) -> int:
        return self.vitals.shape[1]

    def valid(self) -> np.ndarray:
        """(n, H) True for the hours inside each stay."""
        return np.arange(self.hours)[None, :] < self.length[:, None]

    def labels(self, horizon: int = 6) -> np.ndarray:
        """(n, H) PhysioNet-2019 labels: 1 from `horizon` hours before onset on, NaN past the stay."""
        t = np.arange(self.hours)[None, :]
        y = (t >= self.onset[:, None] - horizon).astype(np.float32)  # NaN onset compares False
        return np.where(self.valid(), y, np.nan).astype(np.float32)

    def subset(self, idx: np.ndarray) -> WardStays:
        """The stays at positions idx (patients renumbered 0..len(idx)-1 in the notes)."""
        idx = np.asarray(idx)
        remap = pd.Series(np.arange(len(idx)), index=idx)
        notes = self.notes[self.notes.patient.isin(idx)].copy()
        notes["patient"] = remap[notes.patient].to_numpy()
        arrays = {k: getattr(self, k)[idx] for k in self.__dataclass_fields__ if k != "notes"}
        return WardStays(**arrays, notes=notes.reset_index(drop=True))


def _episodes(rng, n: int, hours: int, rate: float, dur: tuple) -> np.ndarray:
    """(n, H) 0/1: up to 3 transient episodes per patient (pain, fever, hypotension...)."""
    start = rng.uniform(0, hours, (n, 3))
    keep = rng.random((n, 3)) < rate
    length = rng.uniform(*dur, (n, 3))
    t = np.arange(hours)[None, :, None] + 0.5
    on = keep[:, None] & (t >= start[:, None]) & (t < (start + length)[:, None])
    return on.any(-1).astype(float)


def _latent(rng, n, hours, onset):
    """(n, H) sepsis severity: a prodrome of 4-12 h before onset, rising to ~1 after it."""
    lead = rng.uniform(4, 12, n)
    amp = rng.uniform(0.35, 1.1, n)
    t = np.arange(hours)[None, :] + 0.5
    start = (onset - lead)[:, None]
    ramp = np.clip((t - start) / (lead[:, None] + 2.0), 0, 1.3) ** 1.5
    return np.nan_to_num(ramp * amp[:, None], nan=0.0), lead


def make_ward_stays(n: int = 1000, seed: int = 0, hours: int = 48,
                    sepsis_rate: float = 0.2) -> WardStays:
    """n ward stays of up to `hours` hours, a share `sepsis_rate` developing sepsis (notebook 08)."""
    if n < 1 or hours < 24:
        raise ValueError(f"need n >= 1 and hours >= 24 (got n={n}, hours={hours})")
    rng = stream(seed, "ward")
    H = hours
    t = np.arange(H)[None, :] + 0.5  # (1, H) middle of each hour
    septic = rng.random(n) < sepsis_rate
    onset = np.where(septic, rng.uniform(8, H - 4, n).round(), np.nan)
    # Septic stays end a few hours after onset (transfer to ICU), others after 1-2 days.
    length = np.where(septic, np.minimum(onset + rng.integers(3, 10, n), H),
                      rng.integers(24, H + 1, n)).astype(int)
    s, _ = _latent(rng, n, H, onset)  # (n, H)
    age = rng.normal(68, 14, n).clip(20, 98)
    copd = rng.random(n) < 0.12
    htn = rng.random(n) < 0.4
    beta = rng.random(n) < 0.25  # on a beta-blocker: a blunted heart-rate response
    hypothermic = rng.random(n) < 0.15  # some septic patients are cold, not febrile
    admit = rng.uniform(0, 24, n)
    clock = (admit[:, None] + t) % 24  # (n, H) hour of the day

    # The patient's own normal, with chronic abnormalities that a fixed table misreads.
    chronic_tachy = rng.random(n) < 0.1  # anaemia, rate-controlled AF, thyrotoxicosis...
    low_bp = rng.random(n) < 0.1  # heart failure on vasodilators, frailty
    hr0 = rng.normal(80, 11, n) - 10 * beta + 22 * chronic_tachy
    sbp0 = rng.normal(124, 14, n) + 16 * htn + 0.2 * (age - 68) - 24 * low_bp
    rr0 = rng.normal(16, 2.0, n) + 4 * copd
    spo0 = np.where(copd, rng.normal(90, 1.5, n), rng.normal(96.5, 1.3, n))
    temp0 = rng.normal(36.8, 0.25, n)

    # Transient non-septic events: the abrupt changes that raise false alarms.
    pain = _episodes(rng, n, H, 0.35, (1, 4))
    fever = _episodes(rng, n, H, 0.2, (3, 8))
    hypo = _episodes(rng, n, H, 0.2, (2, 5))
    desat = _episodes(rng, n, H, 0.2, (1, 4))

    wander = np.zeros((n, H, 6))
    eps = rng.normal(0, 1, (n, H, 6)) * np.array([4, 5, 3, 1.0, 0.6, 0.12])
    for h in range(1, H):  # loop over hours only: every patient at once
        wander[:, h] = 0.8 * wander[:, h - 1] + 0.6 * eps[:, h]

    circ = np.cos(2 * np.pi * (clock - 16) / 24)  # heart rate, BP peak in the afternoon
    circ_t = np.cos(2 * np.pi * (clock - 18) / 24)  # core temperature peaks early evening
    hr_gain = np.where(beta, 0.45, 1.0)[:, None]
    fever_sign = np.where(hypothermic, -0.6, 1.0)[:, None]
    true = np.zeros((n, H, 6))
    true[..., 0] = hr0[:, None] + 4 * circ + hr_gain * (24 * s + 22 * pain + 12 * fever)
    true[..., 1] = sbp0[:, None] + 6 * circ - 24 * s - 24 * hypo + 8 * pain
    true[..., 3] = rr0[:, None] + 6 * s + 4 * pain + 2 * fever
    true[..., 4] = spo0[:, None] - 3.5 * s - 5 * desat
    true[..., 5] = temp0[:, None] + 0.3 * circ_t + 1.6 * s * fever_sign + 1.3 * fever
    true += wander
    # Paracetamol when febrile (60% of febrile hours, it is a PRN drug): -0.7 C for ~4 h.
    pcm = (true[..., 5] > 38.0) & (rng.random((n, H)) < 0.6)
    relief = np.zeros((n, H))
    for k, w in enumerate((0.5, 0.8, 0.8, 0.6, 0.3), start=1):
        relief[:, k:] += w * pcm[:, :-k]
    true[..., 5] -= 0.9 * np.minimum(relief, 1.0)
    # Oxygen once saturation falls below target (scale 2 targets 88-92%); it stays on.
    o2 = np.maximum.accumulate(true[..., 4] < np.where(copd, 87.5, 92.5)[:, None], axis=1)
    true[..., 4] += 3.5 * o2
    dbp0 = 0.45 * sbp0 + rng.normal(20, 5, n)
    true[..., 2] = dbp0[:, None] + 0.55 * (true[..., 1] - sbp0[:, None])
    confused = rng.random((n, H)) < 0.01 + 0.55 * np.clip(s, 0, 1) ** 2 + 0.01 * (age[:, None] > 80)

    # Charting: monitors (HR, SpO2) nearly hourly with sensor-off runs; cuff, counted RR,
    # temperature and the consciousness check more often when the patient looks ill.
    sick = np.clip(s + 0.5 * (pain + hypo + desat + fever), 0, 1)
    sensor_off = np.zeros((n, H), bool)
    state = np.zeros(n, bool)
    for h in range(H):
        state = np.where(state, rng.random(n) > 0.35, rng.random(n) < 0.05)
        sensor_off[:, h] = state
    p_obs = np.stack([np.full((n, H), 0.92), 0.4 + 0.5 * sick, 0.4 + 0.5 * sick, 0.35 + 0.55 * sick,
                      np.full((n, H), 0.92), 0.2 + 0.5 * sick], -1)
    seen = rng.random((n, H, 6)) < p_obs
    seen[..., 0] &= ~sensor_off
    seen[..., 4] &= ~sensor_off
    seen[..., 2] = seen[..., 1]  # one cuff reading gives both pressures
    seen[:, 0] = True  # admission observations are complete
    values = true + rng.normal(0, 1, (n, H, 6)) * NOISE_SD
    artefact = rng.random((n, H)) < 0.02  # probe slipping: a spuriously low saturation
    values[..., 4] = np.where(artefact, rng.uniform(72, 88, (n, H)), values[..., 4])
    values = np.clip(values, LOW, HIGH)
    values[..., :5] = np.round(values[..., :5])
    values[..., 5] = np.round(values[..., 5], 1)
    manual = seen[..., 1] | seen[..., 3]  # an observation set: oxygen and AVPU charted with it
    vitals = np.concatenate([values, o2[..., None], confused[..., None]], -1).astype(np.float32)
    seen = np.concatenate([seen, manual[..., None], manual[..., None]], -1)
    valid = np.arange(H)[None, :] < length[:, None]
    seen &= valid[..., None]
    vitals[~seen] = np.nan
    vtime = np.where(seen, t[..., None] - 0.5 + rng.uniform(0, 1, (n, H, 8)), np.nan)

    # Work-up when infection is suspected: cultures, lactate, antibiotics. Septic patients are
    # suspected around onset (sometimes before, often after); some others get one too.
    workup_other = ~septic & (rng.random(n) < 0.12)
    suspicion = np.where(septic, onset + rng.uniform(-3, 3, n),
                         np.where(workup_other, rng.uniform(4, 40, n), np.nan))
    suspicion = np.where(suspicion < length - 0.5, np.maximum(suspicion, 1.0), np.nan)
    labs, labs_drawn = _labs(rng, n, H, s, clock, suspicion, length)
    meds = np.zeros((n, H, 3), np.float32)
    meds[..., 0] = pcm & valid
    meds[..., 1] = beta[:, None] & (np.floor(clock) == 8) & valid  # the morning dose
    abx = suspicion + rng.uniform(0.5, 2.0, n)
    hit = np.isfinite(abx) & (abx < length)
    meds[np.flatnonzero(hit), np.floor(abx[hit]).astype(int), 2] = 1
    notes = _notes(rng, n, s, onset, pain + fever, length)
    return WardStays(vitals, vtime.astype(np.float32), labs, labs_drawn, meds, notes, length,
                     onset, suspicion, s.astype(np.float32), copd, admit)


def _labs(rng, n, H, s, clock, suspicion, length):
    """Morning (06:00) and some evening (18:00) bloods and the sepsis work-up; each value at draw and result hour."""
    sc = np.clip(s, 0, 1.3)
    leukopenia = rng.random(n) < 0.2
    wbc0, cr0 = rng.lognormal(np.log(8), 0.25, n), rng.lognormal(np.log(0.9), 0.25, n)
    plt0, bil0 = rng.lognormal(np.log(240), 0.3, n), rng.lognormal(np.log(0.6), 0.35, n)
    wbc = wbc0[:, None] + np.where(leukopenia, -3.5, 8.0)[:, None] * sc
    truth = np.stack([1.0 + 3.5 * sc, wbc, cr0[:, None] * (1 + 0.9 * sc),
                      plt0[:, None] * (1 - 0.45 * sc), bil0[:, None] * (1 + 1.2 * sc)], -1)
    truth *= rng.lognormal(0, 0.12, truth.shape)  # assay and biological noise
    truth[..., 0] = np.maximum(truth[..., 0], 0.4)
    draw = np.zeros((n, H, 5), bool)
    rounds = ((np.floor(clock) == 6) & (rng.random((n, H)) < 0.85)) | ((np.floor(clock) == 18) & (rng.random((n, H)) < 0.4))
    draw[..., 1:] = rounds[..., None]
    draw[:, 0, 1:] = True  # admission bloods (no lactate unless someone is worried)
    ws = np.isfinite(suspicion)
    draw[np.flatnonzero(ws), np.floor(suspicion[ws]).astype(int), :] = True  # the work-up panel
    turnaround = np.array([0.5, 1.5, 2.0, 1.5, 2.0])  # hours to result (lactate: blood gas)
    result_hour = np.floor(np.arange(H)[None, :, None] + 0.5 + turnaround).astype(int)  # (1, H, 5)
    labs_drawn = np.where(draw, truth, np.nan).astype(np.float32)
    labs = np.full((n, H, 5), np.nan, np.float32)
    pi, hi, ki = np.nonzero(draw)
    rh = result_hour[0, hi, ki]
    ok = rh < length[pi]
    labs[pi[ok], rh[ok], ki[ok]] = truth[pi[ok], hi[ok], ki[ok]]
    labs_drawn[~(np.arange(H)[None, :] < length[:, None])] = np.nan
    return labs, labs_drawn


def _notes(rng, n, s, onset, mimic, length) -> pd.DataFrame:
    """Nursing notes every ~6 h; worry phrases follow the prodrome, mimics give look-alikes."""
    rows = []
    first = rng.uniform(1, 5, n)
    gap = rng.uniform(4, 8, (n, 12))
    times = first[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(gap, 1)[:, :-1]], 1)
    for i in range(n):
        for when in times[i][times[i] < length[i]]:
            h = int(when)
            # Nurses often see "not right" a little before the numbers move: look 4 h ahead.
            worry = s[i, min(h + 4, s.shape[1] - 1)]
            k_unwell = rng.binomial(2, min(0.95, 0.03 + 1.0 * worry))
            k_mimic = rng.binomial(1, 0.5) if mimic[i, h] > 0 else rng.binomial(1, 0.05)
            k_calm = max(0, 2 - k_unwell)
            words = [*rng.choice(CALM, k_calm, replace=False), *rng.choice(UNWELL, k_unwell, replace=False),
                     *rng.choice(MIMIC, k_mimic, replace=False)]
            rng.shuffle(words)
            rows.append((i, float(when), "; ".join(words) + "."))
    return pd.DataFrame(rows, columns=["patient", "time", "text"])
