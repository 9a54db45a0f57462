"""Physiological 12-lead ECGs from a cardiac dipole, with their ground truth (notebook 05).

The heart is a moving electric dipole d(t) in body coordinates (x: patient's left,
y: inferior, z: anterior). Each beat adds P, QRS (septal q, main R, terminal S) and T
waves as smooth bumps, each with its own direction, so d(t) traces the P, QRS and T
loops of the vectorcardiogram. Leads I, II and V1-V6 are projections of d(t) on lead
vectors (plus electrode noise); III, aVR, aVL and aVF are then COMPUTED from I and II,
so Einthoven's and Goldberger's relations hold to the last bit, as in a real recorder.

CALIBRATION (issue 14): a normal sinus ECG has the amplitudes and intervals of normal adults,
with between-person spread (measured on median beats in tests/test_ecg_synth.py): QRS 80-100 ms,
PR 120-200 ms, QTc 350-450 ms (Surawicz et al. 2009; Rautaharju et al. 2009, AHA/ACCF/HRS
recommendations parts III-IV); R in V5 mostly 1-2 mV, R growing from V1 to V5 with the
transition (R = S) at V3-V4, deepest S in V2, T about twice as tall in V2-V4 as in the limb leads
(Rijnbeek et al., J Electrocardiol 2014, normalecg.org; Gambill et al., J Electrocardiol 1995).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_lib.synth.config import stream

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
RHYTHMS = ("sinus", "sinus_tachycardia", "AF", "VT")
TERRITORIES = ("anterior", "inferior", "lateral")
# The multi-label task of notebook 05: what an ECG can show. "ST depression" is the NSTE-ACS
# pattern (ST depression, often T inversion); NSTEMI itself is a troponin diagnosis, and about a
# third of NSTEMIs have a normal ECG (Collet et al., ESC NSTE-ACS guidelines, Eur Heart J 2021).
LABELS = ("normal", "AF", "VT", "STEMI", "ST depression")
NSTEMI_NORMAL_ECG = 0.33  # share of the cohort's NSTEMIs whose ECG shows no ischaemic change


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _transverse(deg: float, down: float = 0.0) -> np.ndarray:
    """A chest-lead direction at `deg` from the patient's left towards anterior."""
    a = np.deg2rad(deg)
    return _unit([np.cos(a), down, np.sin(a)])


# Lead vectors of the independent leads I, II, V1..V6. Limb leads lie in the frontal
# plane (Einthoven's triangle: I at 0°, II at +60°); chest electrodes sit closer to the
# heart, so their vectors are longer (larger amplitudes), and they fan from right-anterior
# (V1) to left-lateral (V6): that fan is what makes R waves grow from V1 to V5.
LIMB_VECTORS = np.array([[1.0, 0.0, 0.0], [0.5, np.sqrt(3) / 2, 0.0]])
CHEST_ANGLES = np.array([118.0, 95.0, 72.0, 48.0, 22.0, 2.0])
CHEST_GAINS = np.array([1.15, 2.0, 2.0, 2.1, 1.7, 1.35])  # V2-V4 lie nearest the heart
CHEST_DOWN = np.array([-0.05, 0.0, 0.1, 0.2, 0.25, 0.25])

# ST-injury vectors point towards the injured wall; leads facing it show ST elevation,
# leads on the opposite side show reciprocal depression, by projection alone.
TERRITORY_VECTORS = {
    "anterior": _unit([0.15, -0.25, 1.0]),  # LAD: V1-V4 up, III/aVF slightly down
    "inferior": _unit([-0.3, 1.0, -0.1]),  # RCA: II/III/aVF up, aVL and I down
    "lateral": _unit([0.85, -0.5, -0.15]),  # LCx/diagonal: I/aVL/V5-V6 up, III/aVF down
}


@dataclass
class ECGBatch:
    """Synthetic 12-lead ECGs and their ground truth (notebook 05)."""

    signals: np.ndarray  # (n, T, 12) float32 mV, leads in LEADS order
    fs: int
    r_peaks: list  # n arrays of R-peak sample indices (ground truth)
    rhythm: np.ndarray  # (n,) one of RHYTHMS
    territory: np.ndarray  # (n,) STEMI territory or ""
    st_depression: np.ndarray  # (n,) bool: the NSTE-ACS pattern (ST depression ± T inversion)
    heart_rate: np.ndarray  # (n,) mean ventricular rate in the record, bpm
    noise: np.ndarray  # (n,) noise level used
    leads: tuple = LEADS

    def __len__(self) -> int:
        return len(self.signals)

    def labels(self) -> np.ndarray:
        """(n, 5) float32 multi-hot over LABELS: normal, AF, VT, STEMI, ST depression."""
        af, vt = self.rhythm == "AF", self.rhythm == "VT"
        stemi = self.territory != ""
        normal = ~af & ~vt & ~stemi & ~self.st_depression
        return np.stack([normal, af, vt, stemi, self.st_depression], axis=1).astype(np.float32)

    def lead(self, name: str) -> np.ndarray:
        """(n, T) one lead of every record."""
        return self.signals[:, :, self.leads.index(name)]


def derive_limb_leads(lead_i: np.ndarray, lead_ii: np.ndarray) -> dict:
    """III, aVR, aVL, aVF from I and II (Einthoven and Goldberger) (notebook 05)."""
    return {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }


def _render(center, width_l, width_r, power, amp, fs, n_samples) -> np.ndarray:
    """(n, T) sum of bumps exp(-|u|^p / 2), u = (t - center) / width, one per (record, beat).

    Each bump is evaluated only on the samples near its centre, then scattered into the
    records with one np.bincount: cost grows with the number of beats, not n × T × beats.
    """
    n = center.shape[0]
    reach = (2 * np.log(1e4)) ** (1 / power)  # |u| beyond which a bump is < 1e-4
    keep = (amp != 0) & (center > -reach * width_r) & (center < n_samples / fs + reach * width_l)
    rec = np.nonzero(keep)[0]
    center, width_l, width_r, amp = center[keep], width_l[keep], width_r[keep], amp[keep]
    if len(center) == 0:
        return np.zeros((n, n_samples))
    half = int(np.ceil(reach * max(width_l.max(), width_r.max()) * fs)) + 1
    idx = np.floor(center * fs).astype(np.int64)[:, None] + np.arange(-half, half + 1)  # (K, W)
    u = (idx / fs - center[:, None]) / np.where(idx / fs < center[:, None], width_l[:, None],
                                                 width_r[:, None])
    u = u * u if power == 2 else np.abs(u) ** power
    val = np.exp(-0.5 * u) * amp[:, None]
    ok = (idx >= 0) & (idx < n_samples)
    flat = (rec[:, None] * n_samples + idx)[ok]
    return np.bincount(flat, weights=val[ok], minlength=n * n_samples).reshape(n, n_samples)


def _rotation(frontal_deg: np.ndarray, transverse_deg: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotations: about z (frontal axis shift), then about y (heart rotation)."""
    a, b = np.deg2rad(frontal_deg), np.deg2rad(transverse_deg)
    rz = np.zeros((len(a), 3, 3))
    rz[:, 0, 0], rz[:, 0, 1], rz[:, 1, 0], rz[:, 1, 1], rz[:, 2, 2] = (
        np.cos(a), -np.sin(a), np.sin(a), np.cos(a), 1)
    ry = np.zeros((len(b), 3, 3))
    ry[:, 0, 0], ry[:, 0, 2], ry[:, 2, 0], ry[:, 2, 2], ry[:, 1, 1] = (
        np.cos(b), -np.sin(b), np.sin(b), np.cos(b), 1)
    return ry @ rz


def _beat_times(rhythm, rate, duration, rng):
    """(n, B) beat (R-peak) times in seconds, starting before t=0, and the RR matrix."""
    n = len(rhythm)
    mean_rr = 60.0 / rate
    n_beats = int(np.ceil((duration + 1.5) / (60.0 / rate.max()))) + 3
    k = np.arange(n_beats)
    # Sinus: respiratory sinus arrhythmia (RR breathes with the lungs) and a little jitter.
    resp_f, resp_phase = rng.uniform(0.2, 0.35, (n, 1)), rng.uniform(0, 2 * np.pi, (n, 1))
    rsa = rng.uniform(0.01, 0.05, (n, 1)) * np.sin(2 * np.pi * resp_f * k * mean_rr[:, None]
                                                   + resp_phase)
    rr = mean_rr[:, None] * (1 + rsa + rng.normal(0, 0.012, (n, n_beats)))
    # AF: the AV node is bombarded at random: irregularly irregular RR (log-normal).
    af = rhythm == "AF"
    af_sd = rng.uniform(0.12, 0.28, n)
    rr_af = mean_rr[:, None] * np.exp(rng.normal(0, 1, (n, n_beats)) * af_sd[:, None]
                                      - af_sd[:, None] ** 2 / 2)
    rr = np.where(af[:, None], rr_af, rr)
    # VT: a re-entry circuit, almost metronomic.
    vt = rhythm == "VT"
    rr = np.where(vt[:, None], mean_rr[:, None] * (1 + rng.normal(0, 0.008, (n, n_beats))), rr)
    # Premature atrial beats in some sinus records: irregular RR that is NOT AF.
    pac = ~af & ~vt & (rng.random(n) < 0.15)
    where = rng.integers(2, max(3, n_beats - 4), n)
    rows = np.flatnonzero(pac)
    rr[rows, where[rows] - 1] *= rng.uniform(0.65, 0.8, len(rows))
    rr[rows, where[rows]] *= 1.25
    rr = np.maximum(rr, 0.22)
    start = -rng.uniform(0.3, 1.2, n) * mean_rr
    times = start[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(rr[:, :-1], 1)], 1)
    return times, rr


def simulate_ecg(rhythm, heart_rate, territory=None, st_depression=None, noise=None, fs: int = 500,
                 duration: float = 10.0, seed: int = 0, line_hz: float = 60.0) -> ECGBatch:
    """12-lead ECGs for per-record rhythm, rate (bpm), STEMI territory, ST-depression flag, noise (notebook 05).

    rhythm: RHYTHMS names; territory: TERRITORIES names or "" (no STEMI); noise: 0 (clean)
    to ~1.5 (a restless patient on a poor electrode day). Deterministic from `seed`.
    """
    rhythm = np.asarray(rhythm, dtype=str).ravel()
    n = len(rhythm)
    rate = np.broadcast_to(np.asarray(heart_rate, float), (n,)).copy()
    territory = np.full(n, "", dtype="<U8") if territory is None else np.asarray(
        np.broadcast_to(np.asarray(territory, dtype=str), (n,)), dtype="<U8")
    nste = np.zeros(n, bool) if st_depression is None else np.broadcast_to(
        np.asarray(st_depression, bool), (n,)).copy()
    noise = np.full(n, 0.3) if noise is None else np.broadcast_to(
        np.asarray(noise, float), (n,)).copy()
    bad = set(rhythm) - set(RHYTHMS)
    if bad:
        raise ValueError(f"unknown rhythm {sorted(bad)}; use one of {RHYTHMS}")
    bad = set(territory) - set(TERRITORIES) - {""}
    if bad:
        raise ValueError(f"unknown territory {sorted(bad)}; use one of {TERRITORIES} or ''")
    if np.any(rate < 20) or np.any(rate > 300):
        raise ValueError("heart_rate must be in beats per minute (20-300)")
    rng = np.random.default_rng(seed)
    n_samples = int(round(duration * fs))
    t = np.arange(n_samples) / fs
    af, vt = rhythm == "AF", rhythm == "VT"
    stemi = territory != ""
    times, rr = _beat_times(rhythm, rate, duration, rng)
    sq = np.sqrt(np.clip(rr, 0.3, 1.6))  # Bazett: repolarisation scales with sqrt(RR)
    shape = times.shape

    def per_rec(x):
        return np.broadcast_to(np.asarray(x, float).reshape(-1, 1), shape)

    # Anatomy varies between patients: electrical axis, heart rotation, body habitus.
    axis = np.clip(rng.normal(50, 22, n), -40, 110)
    rot = _rotation(axis - 50, rng.normal(0, 10, n))  # (n, 3, 3)
    size = np.exp(rng.normal(0, 0.22, n))  # thin chest: big voltages; obesity: small

    def direction(v, jitter=0.0):
        v = np.asarray(v, float) + rng.normal(0, jitter, (n, 3))
        return np.einsum("nij,nj->ni", rot, _unit(v))  # (n, 3)

    comps = []  # (centre offset (n,B), width_l, width_r, power, amplitude (n,B), vector (n,3))
    # P wave: atria depolarise towards left-inferior. Absent in AF. In VT the atria often beat on,
    # dissociated from the QRS; this simulator leaves those P waves out (they hide in the wide QRS).
    pr = 0.12 + 0.045 * sq ** 2 + rng.normal(0, 0.012, (n, 1))
    p_amp = np.where(af | vt, 0.0, rng.uniform(0.1, 0.2, n))
    comps.append((-pr, per_rec(0.022), per_rec(0.024), 2, per_rec(p_amp),
                  direction([0.55, 0.8, 0.15], 0.1)))
    # QRS loop (counter-clockwise in the horizontal plane): septum (left→right, anterior), early
    # free wall (left, anterior: the r of V2-V3), main free wall (left, inferior, posterior: the
    # tall R of V4-V6 and the deep S of V1-V3), terminal basal forces (right, superior, posterior).
    # Amplitudes and timing calibrated to normal adults (see CALIBRATION): QRS ~75-105 ms.
    qrs_w = rng.uniform(0.0068, 0.0102, n)
    qrs_k = qrs_w / 0.008  # a bigger heart takes longer to depolarise: the whole QRS stretches
    r_amp = size * rng.uniform(1.0, 1.5, n)
    no_vt = ~vt
    comps.append((per_rec(-0.019 * qrs_k), per_rec(0.0055), per_rec(0.0055), 2,
                  per_rec(no_vt * size * rng.uniform(0.1, 0.3, n)),
                  direction([-0.6, 0.15, 0.75], 0.1)))
    comps.append((per_rec(-0.008 * qrs_k), per_rec(qrs_w * 0.8), per_rec(qrs_w * 0.8), 2,
                  per_rec(no_vt * r_amp * rng.uniform(0.25, 0.75, n)),
                  direction([0.8, 0.6, 0.6], 0.1)))
    comps.append((per_rec(0.003 * qrs_k), per_rec(qrs_w), per_rec(qrs_w * 1.1), 2,
                  per_rec(no_vt * r_amp), direction([1.0, 0.9, -0.8], 0.08)))
    comps.append((per_rec(0.02 * qrs_k), per_rec(0.007), per_rec(0.007), 2,
                  per_rec(no_vt * size * rng.uniform(0.15, 0.55, n)),
                  direction([-0.25, -0.7, -0.8], 0.25)))
    # T wave: repolarisation, roughly concordant with the QRS; asymmetric (slow up, fast down);
    # about twice as tall in V2-V4 as in the limb leads (Gambill et al. 1995). QTc ~380-440 ms.
    t_off = 0.275 * sq + rng.normal(0, 0.01, (n, 1))
    t_vec = direction([0.75, 0.8, 0.65], 0.22) * (size * rng.uniform(0.25, 0.6, n))[:, None]
    # VT: one wide bizarre QRS (two broad lobes) and a discordant T; R-peak = first lobe.
    vt_main = _unit(rng.normal(0, 1, (n, 3)) + [0.0, -0.8, -0.3])
    vt_second = _unit(vt_main + rng.normal(0, 0.7, (n, 3)))
    vt_w = rng.uniform(0.016, 0.022, n)  # each lobe ~ 2x a normal one: QRS 140-200 ms
    vt_amp = size * rng.uniform(1.3, 2.0, n)
    comps.append((per_rec(0.0), per_rec(vt_w), per_rec(vt_w * 1.3), 2,
                  per_rec(np.where(vt, vt_amp, 0)), vt_main))
    comps.append((per_rec(rng.uniform(0.045, 0.065, n)), per_rec(vt_w), per_rec(vt_w * 1.2), 2,
                  per_rec(np.where(vt, 0.7 * vt_amp, 0)), vt_second))
    t_off = np.where(vt[:, None], 0.1 + 0.3 * rr, t_off)
    t_vec = np.where(vt[:, None], -0.35 * vt_amp[:, None] * vt_main, t_vec)

    # Ischaemia. STEMI: an injury current towards the wall lifts the ST segment in the
    # leads facing it (reciprocal depression opposite) and makes the T hyperacute.
    st_vec = np.zeros((n, 3))
    for name, vec in TERRITORY_VECTORS.items():
        sel = territory == name
        jitter = _unit(vec + rng.normal(0, 0.15, (sel.sum(), 3)))
        st_vec[sel] = jitter * rng.uniform(0.06, 0.3, (sel.sum(), 1))
    t_vec = t_vec + 0.8 * st_vec
    # NSTE-ACS pattern: subendocardial ischaemia: ST depression where the R is tall (elevation in
    # aVR), often with T inversion over the ischaemic wall.
    main_dir = direction([1.0, 1.15, -0.2])
    st_vec = st_vec - nste[:, None] * main_dir * rng.uniform(0.03, 0.14, (n, 1))
    wall = np.stack([TERRITORY_VECTORS["anterior"], TERRITORY_VECTORS["lateral"]])[
        rng.integers(0, 2, n)]
    invert = nste & (rng.random(n) < 0.6)
    t_vec = t_vec - invert[:, None] * wall * rng.uniform(0.15, 0.45, (n, 1))
    # No ischaemia: small harmless ST shifts (early repolarisation) keep the task honest.
    healthy = ~stemi & ~nste
    st_vec = st_vec + healthy[:, None] * _unit(rng.normal(0, 1, (n, 3))) * np.abs(
        rng.normal(0, 0.03, (n, 1)))
    j_point = np.where(vt, 0.11, 0.045)[:, None] * np.ones(shape)
    st_mid = (j_point + t_off) / 2
    comps.append((t_off, 0.05 * sq, 0.032 * sq, 2, per_rec(1.0), t_vec))
    comps.append((st_mid, st_mid - j_point, (t_off - st_mid) + 0.04 * sq, 8, per_rec(1.0), st_vec))

    waves = np.stack([
        _render(times + offset, np.broadcast_to(w_l, shape), np.broadcast_to(w_r, shape), power,
                np.broadcast_to(amp, shape), fs, n_samples)
        for offset, w_l, w_r, power, amp, _ in comps], axis=1)  # (n, C, T)
    vecs = np.stack([c[5] for c in comps], axis=1)  # (n, C, 3)
    dipole = np.matmul(waves.transpose(0, 2, 1), vecs)  # (n, T, 3)
    # AF: fibrillatory waves, 4-9 Hz, wandering in frequency, mostly seen in V1 and II/III/aVF.
    if af.any():
        rows = np.flatnonzero(af)
        freq = rng.uniform(4.5, 8.5, (len(rows), 1, 1)) + np.cumsum(
            rng.normal(0, 0.4 / np.sqrt(fs), (len(rows), 2, n_samples)), axis=2)
        phase = 2 * np.pi * np.cumsum(freq, axis=2) / fs + rng.uniform(0, 6.3, (len(rows), 2, 1))
        f_wave = (np.sin(phase) * [[[1.0], [0.5]]]).sum(1) * rng.uniform(0.03, 0.09, (len(rows), 1))
        dipole[rows] += f_wave[:, :, None] * direction([-0.4, 0.6, 0.7], 0.1)[rows][:, None, :]
    # Breathing moves the heart: the QRS amplitude swells and shrinks a little.
    resp_f = rng.uniform(0.15, 0.35, (n, 1))
    resp = np.sin(2 * np.pi * resp_f * t + rng.uniform(0, 6.3, (n, 1)))
    dipole *= (1 + 0.06 * resp)[:, :, None]

    # Project on the 8 independent leads, each patient with slightly different electrodes.
    chest = np.stack([_transverse(a, d) for a, d in zip(CHEST_ANGLES, CHEST_DOWN, strict=True)])
    chest = chest[None] + rng.normal(0, 0.08, (n, 6, 3))  # electrode placement
    chest = chest * (CHEST_GAINS * np.exp(rng.normal(0, 0.08, (n, 6))))[:, :, None]
    lead_vecs = np.concatenate([np.broadcast_to(LIMB_VECTORS, (n, 2, 3)), chest], 1)  # (n, 8, 3)
    indep = np.matmul(dipole, lead_vecs.transpose(0, 2, 1))  # (n, T, 8): I, II, V1..V6
    indep += _electrode_noise(noise, resp, resp_f, t, fs, rng, line_hz)

    lead_i, lead_ii = indep[:, :, 0].astype(np.float32), indep[:, :, 1].astype(np.float32)
    limb = derive_limb_leads(lead_i, lead_ii)  # float32 arithmetic: relations hold exactly
    signals = np.concatenate(
        [np.stack([lead_i, lead_ii, limb["III"], limb["aVR"], limb["aVL"], limb["aVF"]], -1),
         indep[:, :, 2:].astype(np.float32)], axis=-1)
    inside = (times >= 0) & (times < duration)
    r_peaks = [np.round(times[i, inside[i]] * fs).astype(np.int64) for i in range(n)]
    r_peaks = [p[p < n_samples] for p in r_peaks]
    mean_rr = np.array([np.diff(times[i, inside[i]]).mean() for i in range(n)])
    return ECGBatch(signals, int(fs), r_peaks, rhythm, territory, nste,
                    np.round(60 / mean_rr, 1), noise)


def _electrode_noise(noise, resp, resp_f, t, fs, rng, line_hz) -> np.ndarray:
    """(n, T, 8) noise of leads I, II, V1..V6 built from 9 electrodes (RA, LA, LL, V1..V6).

    Baseline wander (breathing, sweat, movement), muscle noise (bursty, broadband) and
    mains hum. Leads share electrodes, so they share noise, as on a real ECG.
    """
    n, n_samples = len(noise), len(t)
    f32 = np.float32
    t = t.astype(f32)
    level = noise[:, None, None].astype(f32)
    # float32 and in-place updates: (n, 9, T) arrays are the biggest of the generator.
    elec = rng.uniform(0.05, 0.2, (n, 9, 1)).astype(f32) * np.sin(
        f32(2 * np.pi) * rng.uniform(0.03, 0.12, (n, 9, 1)).astype(f32) * t
        + rng.uniform(0, 6.3, (n, 9, 1)).astype(f32))  # slow drift (sweat, movement)
    elec += rng.uniform(0.02, 0.12, (n, 9, 1)).astype(f32) * resp[:, None, :].astype(f32)
    burst = 1 + 3 * np.maximum(0, np.sin(2 * np.pi * rng.uniform(0.1, 0.4, (n, 1)) * t
                                         + rng.uniform(0, 6.3, (n, 1)))) ** 6
    emg_sd = 0.012 * np.sqrt(min(fs, 500) / 500)  # a 100 Hz file kept less of the EMG band
    emg = rng.standard_normal((n, 9, n_samples), dtype=f32)
    emg *= (emg_sd * burst).astype(f32)[:, None, :]
    elec += emg
    if line_hz < fs / 2:  # a 100 Hz file was low-passed before downsampling: no hum left
        hum = np.sin(2 * np.pi * line_hz * t + rng.uniform(0, 6.3, (n, 1))).astype(f32)
        elec += rng.uniform(0.005, 0.03, (n, 9, 1)).astype(f32) * hum[:, None, :]
    elec *= level
    ra, la, ll, chest = elec[:, 0], elec[:, 1], elec[:, 2], elec[:, 3:]
    wilson = (ra + la + ll) / 3  # the chest leads' reference: Wilson's central terminal
    out = np.concatenate([(la - ra)[:, None], (ll - ra)[:, None], chest - wilson[:, None]], 1)
    return out.transpose(0, 2, 1)


def random_ecg_params(n: int, seed: int = 0) -> dict:
    """Per-record arrays for a balanced training set: rhythm, rate, territory, ST depression, noise (notebook 05)."""
    rng = np.random.default_rng(seed)
    rhythm = rng.choice(RHYTHMS, n, p=[0.4, 0.15, 0.27, 0.18])
    rate = np.select(
        [rhythm == "sinus", rhythm == "sinus_tachycardia", rhythm == "AF"],
        [rng.uniform(50, 100, n), rng.uniform(100, 140, n), rng.uniform(60, 150, n)],
        rng.uniform(150, 250, n))
    ischaemia = rng.choice(["", "STEMI", "NSTE"], n, p=[0.5, 0.25, 0.25])
    ischaemia = np.where(rhythm == "VT", "", ischaemia)  # ST segments are unreadable in VT
    territory = np.where(ischaemia == "STEMI", rng.choice(TERRITORIES, n), "")
    noise = np.exp(rng.normal(np.log(0.4), 0.6, n))
    return {"rhythm": rhythm, "heart_rate": rate, "territory": territory,
            "st_depression": ischaemia == "NSTE", "noise": noise}


def ecg_for_cohort(state: pd.DataFrame, fs: int = 100, seed: int = 0,
                   duration: float = 10.0) -> ECGBatch:
    """The 12-lead ECG of every patient of a cohort state table (notebook 05).

    Reads the cohort columns `rhythm`, `heart_rate_true`, `mi_type` and `stemi_territory`
    (course_lib.synth.patients); the noise level is drawn per patient. An NSTEMI shows the
    ST-depression pattern except in a share NSTEMI_NORMAL_ECG, whose ECG is normal.
    """
    rng = stream(seed, "ecg")  # the cohort's own stream: other modalities stay unchanged
    n = len(state)
    mi_type = state["mi_type"].fillna("").astype(str).to_numpy()
    territory = np.where(mi_type == "STEMI", state["stemi_territory"].fillna("").astype(str), "")
    noise = np.exp(rng.normal(np.log(0.4), 0.6, n))
    shows = stream(seed, "ecg_nste").random(n) >= NSTEMI_NORMAL_ECG  # own stream: noise unchanged
    return simulate_ecg(state["rhythm"].astype(str).to_numpy(),
                        state["heart_rate_true"].to_numpy(float), territory,
                        (mi_type == "NSTEMI") & shows, noise, fs=fs, duration=duration,
                        seed=int(rng.integers(2**31)))
