"""Synthetic lung sounds at the chest wall, with every event's true time (notebook 06).

A recording is one chest site over a few breaths. Breath sound is turbulent-flow noise,
band-limited with power falling above ~200 Hz, loud in inspiration and heard only early in
expiration (vesicular). Adventitious sounds are added where the patient's state puts them:
crackles (discontinuous: fine ~650 Hz / ~5 ms, late-inspiratory; coarse ~350 Hz / ~15 ms,
mid-inspiratory, a few in expiration), wheezes (continuous tones > 80 ms with harmonics, mostly
expiratory), pleural rubs (low-pitched trains in late inspiration and early expiration). Heart
sounds (S1, S2), ambient noise and the stethoscope's frequency response come on top. Crackles
and rubs are local: loud over the diseased lobe, fainter one site away. Ground truth: cycle
boundaries, crackle times, wheeze and rub intervals, in samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import fft as sp_fft

from course_lib.synth.config import stream

FS = 4000  # Hz: lung sounds carry little above 2 kHz; ICBHI holds files at 4, 10 and 44.1 kHz
SITES = ("Al", "Ar", "Pl", "Pr")  # ICBHI chest-location codes: anterior/posterior, left/right
SITE_NAMES = {"Al": "anterior left", "Ar": "anterior right", "Pl": "posterior left",
              "Pr": "posterior right"}
CLASSES = ("normal", "crackle", "wheeze", "both")  # the ICBHI challenge's 4 per-cycle classes
# How loud a lobe's crackles and rubs are at each site (1 = over the lobe). Upper lobes and the
# middle lobe/lingula are heard anteriorly, lower lobes posteriorly (bases).
LOBE_SITE_GAIN = {
    "RUL": {"Ar": 1.0, "Pr": 0.5}, "RML": {"Ar": 0.9, "Pr": 0.5},
    "RLL": {"Pr": 1.0, "Ar": 0.5}, "LUL": {"Al": 1.0, "Pl": 0.5},
    "LLL": {"Pl": 1.0, "Al": 0.5}, "bilateral_bases": {"Pl": 1.0, "Pr": 1.0},
}
HEART_SITE_GAIN = {"Al": 1.0, "Ar": 0.55, "Pl": 0.35, "Pr": 0.25}  # the heart lies left-anterior


@dataclass(frozen=True)
class Device:
    """A stethoscope's frequency response: band edges (Hz), slopes (Butterworth orders), gain."""

    low_hz: float
    high_hz: float
    low_order: int = 2
    high_order: int = 2
    gain: float = 1.0
    floor_db: float = -45.0  # self-noise of the microphone chain, relative to the signal's RMS

    def response(self, freqs: np.ndarray) -> np.ndarray:
        """|H(f)| on a frequency grid (Hz)."""
        f = np.maximum(freqs, 1e-3)
        hp = 1 / np.sqrt(1 + (self.low_hz / f) ** (2 * self.low_order))
        lp = 1 / np.sqrt(1 + (f / self.high_hz) ** (2 * self.high_order))
        return self.gain * hp * lp


DEVICES = {
    "electronic": Device(50, 1600, 2, 4, 1.0, -45.0),  # a wide-band electronic stethoscope (training)
    "acoustic": Device(90, 400, 2, 3, 0.4, -30.0),  # chest piece + tubing + microphone: dull, noisier
}


@dataclass
class LungSoundBatch:
    """Synthetic recordings and their ground truth, in samples (notebook 06)."""

    audio: np.ndarray  # (n, T) float32, arbitrary units
    fs: int
    params: pd.DataFrame  # one row per recording: patient, site, rates, gains (the generator's input)
    cycles: list  # n arrays (k, 2): [start, end) of each complete respiratory cycle
    inspiration_end: list  # n arrays (k,): where each cycle's inspiration ends
    crackles: list  # n arrays of crackle onsets
    crackle_kind: list  # n arrays of "fine" / "coarse"
    wheezes: list  # n arrays (m, 2): [start, end) of each wheeze
    rubs: list  # n arrays (m, 2): [start, end) of each pleural-rub train
    heart: list  # n arrays of S1 and S2 onsets
    device: str = "electronic"

    def __len__(self) -> int:
        return len(self.audio)

    def subset(self, idx) -> LungSoundBatch:
        """The recordings idx (indices or a boolean mask), with their truth."""
        idx = np.arange(len(self))[idx]
        pick = [self.cycles, self.inspiration_end, self.crackles, self.crackle_kind, self.wheezes,
                self.rubs, self.heart]
        return LungSoundBatch(self.audio[idx], self.fs, self.params.iloc[idx].reset_index(drop=True),
                              *[[lst[i] for i in idx] for lst in pick], self.device)

    def truth(self, i: int) -> dict:
        """The ground truth of recording i, as plot_lung_sound reads it."""
        return {"cycles": self.cycles[i], "inspiration_end": self.inspiration_end[i],
                "crackles": self.crackles[i], "wheezes": self.wheezes[i], "rubs": self.rubs[i]}

    def cycle_table(self) -> pd.DataFrame:
        """One row per respiratory cycle: recording, patient, site, start, end, crackle, wheeze, label."""
        rows = []
        for i, cyc in enumerate(self.cycles):
            for (start, end), insp in zip(cyc, self.inspiration_end[i], strict=True):
                c = self.crackles[i]
                n_crackles = int(((c >= start) & (c < end)).sum())
                w = self.wheezes[i]
                overlap = np.minimum(w[:, 1], end) - np.maximum(w[:, 0], start) if len(w) else []
                wheeze = bool(np.any(np.asarray(overlap) >= 0.08 * self.fs))  # >= 80 ms inside
                rub = bool(len(self.rubs[i]) and np.any((self.rubs[i][:, 0] < end)
                                                        & (self.rubs[i][:, 1] > start)))
                rows.append({"recording": i, "patient": self.params["patient"].iloc[i],
                             "site": self.params["site"].iloc[i], "start": int(start),
                             "end": int(end), "inspiration_end": int(insp),
                             "n_crackles": n_crackles, "crackle": n_crackles > 0,
                             "wheeze": wheeze, "rub": rub})
        table = pd.DataFrame(rows)
        table["label"] = table["crackle"].astype(int) + 2 * table["wheeze"].astype(int)
        return table


def _shaped_noise(rng, n, n_samples, fs, corner_hz, slope):
    """(n, T) unit-RMS float32 noise whose power falls as f^-2*slope above `corner_hz` (breath sound)."""
    freqs = np.fft.rfftfreq(n_samples, 1 / fs).astype(np.float32)
    spec = sp_fft.rfft(rng.standard_normal((n, n_samples), dtype=np.float32), axis=1)
    corner_hz, slope = corner_hz.astype(np.float32), slope.astype(np.float32)
    spec *= 1 / np.sqrt(1 + (freqs[None] / corner_hz[:, None]) ** (2 * slope[:, None]))
    spec *= (1 / np.sqrt(1 + (60.0 / np.maximum(freqs, 1.0)) ** 4)).astype(np.float32)  # < 60 Hz
    x = sp_fft.irfft(spec, n=n_samples, axis=1)
    x /= x.std(axis=1, keepdims=True)
    return x


def _scatter(x, rec, onset, template):
    """Add template rows (K, W) into x (n, T) at integer onsets of recordings `rec`, in place."""
    if len(rec):
        n_samples = x.shape[1]
        idx = onset[:, None] + np.arange(template.shape[1])  # (K, W)
        ok = (idx < n_samples) & (idx >= 0)
        np.add.at(x.reshape(-1), (rec[:, None] * n_samples + idx)[ok],
                  template[ok].astype(x.dtype))


def _events(rng, times, rate, lo, hi, n_cycles):
    """Poisson event counts per cycle; each event at a Beta-distributed place in [lo, hi) (s)."""
    counts = rng.poisson(rate, n_cycles)
    cyc = np.repeat(np.arange(n_cycles), counts)
    a, b = times
    u = rng.beta(a, b, len(cyc))
    return lo[cyc] + u * (hi[cyc] - lo[cyc])


def simulate_lung_sounds(params: pd.DataFrame, fs: int = FS, duration: float = 6.0,
                         device: str = "electronic", seed: int = 0) -> LungSoundBatch:
    """Recordings for a table with one row per recording (see `recording_params`) (notebook 06).

    The same params and seed with another `device` give the same sounds through another
    stethoscope: the device filter is the last step and draws no random numbers.
    """
    required = {"patient", "site", "resp_rate", "heart_rate", "insp_fraction", "crackle_gain",
                "crackle_kind", "crackle_rate", "wheeze_prob", "wheeze_gain", "rub_gain", "noise"}
    missing = required - set(params.columns)
    if missing:
        raise ValueError(f"params lacks columns {sorted(missing)}; build it with recording_params()")
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; use one of {sorted(DEVICES)}")
    if not 1000 <= fs <= 48000 or duration <= 1.0:
        raise ValueError("fs must be 1000-48000 Hz and duration above 1 s")
    rng = np.random.default_rng(seed)
    p = params.reset_index(drop=True)
    n, n_samples = len(p), int(round(duration * fs))
    period = 60.0 / np.clip(p["resp_rate"].to_numpy(float), 8, 45)
    insp = p["insp_fraction"].to_numpy(float) * period
    onset = rng.uniform(0.05, 0.6, n) * period  # recordings start anywhere in expiration

    # Breath sound: shaped noise times a phase envelope, quieter and shorter in expiration.
    breath = _shaped_noise(rng, n, n_samples, fs, rng.uniform(150, 260, n), rng.uniform(1.4, 2.2, n))
    # The envelope is smooth: evaluate it every 8 samples (2 ms at 4 kHz) and hold the value.
    step = 8
    tc = (np.arange(0, n_samples, step) / fs).astype(np.float32)
    period32, insp32 = period.astype(np.float32), insp.astype(np.float32)
    phase = (tc[None] - onset.astype(np.float32)[:, None]) % period32[:, None]  # s into cycle
    u = np.clip(phase / insp32[:, None], 0, 1)
    v = np.clip((phase - insp32[:, None]) / (period32 - insp32)[:, None], 0, 1)
    exp_level = rng.uniform(0.25, 0.5, (n, 1)).astype(np.float32)
    env = np.where(phase < insp32[:, None], np.sin(np.float32(np.pi) * u).clip(0) ** 0.7,
                   exp_level * np.sin(np.float32(np.pi) * np.minimum(2.5 * v, 1)).clip(0) ** 0.7)
    env = np.repeat(np.maximum(env, 0), step, axis=1)[:, :n_samples]  # (n, T)
    x = breath * env  # (n, T) float32
    del breath, env

    rows = p.to_dict("records")  # plain dicts: fast per-recording access
    cycles, insp_end, crackles, kinds, wheezes, rubs, hearts = [], [], [], [], [], [], []
    templates, recs, onsets = [np.zeros((0, 120))], [np.zeros(0, int)], [np.zeros(0, int)]
    h_templates, h_recs, h_onsets = [np.zeros((0, 480))], [np.zeros(0, int)], [np.zeros(0, int)]
    k_all = np.arange(-1, int(duration / period.min()) + 2)
    for i in range(n):
        starts = onset[i] + k_all * period[i]  # every cycle touching the recording
        starts = starts[(starts + period[i] > 0) & (starts < duration)]
        full = (starts >= 0) & (starts + period[i] <= duration)
        cycles.append(np.round(np.c_[starts[full], starts[full] + period[i]] * fs).astype(np.int64))
        insp_end.append(np.round((starts[full] + insp[i]) * fs).astype(np.int64))
        row = rows[i]
        # Crackles: fine late-inspiratory, coarse mid-inspiratory plus a few early-expiratory.
        gain, kind = float(row["crackle_gain"]), str(row["crackle_kind"])
        times = np.zeros(0)
        if gain > 0 and kind:
            beta = (5.0, 1.6) if kind == "fine" else (3.0, 3.0)
            times = _events(rng, beta, row["crackle_rate"], starts + 0.1 * insp[i],
                            starts + insp[i], len(starts))
            if kind == "coarse":
                e0 = starts + insp[i]
                times = np.r_[times, _events(rng, (1.2, 3.0), 0.25 * row["crackle_rate"], e0,
                                             e0 + 0.4 * (period[i] - insp[i]), len(starts))]
            times = np.sort(times[(times >= 0) & (times < duration - 0.03)])
            times = times[np.r_[True, np.diff(times) > 0.025][:len(times)]]  # distinct pops, >= 25 ms apart
        fine = kind == "fine"
        m = len(times)
        f0 = rng.uniform(550, 750, m) if fine else rng.uniform(250, 450, m)
        tau = rng.uniform(0.8, 1.3, m) * 1e-3 if fine else rng.uniform(3.0, 4.5, m) * 1e-3
        tt = np.arange(int(0.03 * fs)) / fs
        sign = np.where(rng.random(m) < 0.76, -1.0, 1.0)  # inspiratory crackles: mostly negative
        amp = gain * rng.uniform(4.0, 9.0, m) * sign  # explosive: far above the breath noise
        templates.append(amp[:, None] * np.sin(2 * np.pi * f0[:, None] * tt) * np.exp(-tt / tau[:, None]))
        onsets.append(np.round(times * fs).astype(np.int64))
        recs.append(np.full(m, i))
        crackles.append(onsets[-1].copy())
        kinds.append(np.full(m, kind if m else "", dtype=object))
        # Heart sounds: S1 at each beat, S2 one systole later; low-pitched damped thumps.
        rr = 60.0 / float(row["heart_rate"])
        beats = rng.uniform(0, rr) + np.arange(-1, int(duration / rr) + 1) * rr
        s2 = beats + 0.32 * np.sqrt(rr)
        heart = np.sort(np.r_[beats, s2])
        heart = heart[(heart >= 0) & (heart < duration - 0.12)]
        hf = rng.uniform(35, 70, len(heart))
        th = np.arange(int(0.12 * fs)) / fs
        h_amp = HEART_SITE_GAIN.get(str(row["site"]), 0.5) * rng.uniform(1.0, 2.5) * rng.uniform(
            0.8, 1.2, len(heart))
        h_templates.append(h_amp[:, None] * np.sin(2 * np.pi * hf[:, None] * th)
                           * np.exp(-th / 0.025) * (1 - np.exp(-th / 0.004)))
        h_onsets.append(np.round(heart * fs).astype(np.int64))
        h_recs.append(np.full(len(heart), i))
        hearts.append(h_onsets[-1].copy())
        # Pleural rub: creaking trains, end of inspiration into early expiration, low-pitched.
        rub_gain, rub_iv = float(row["rub_gain"]), []
        if rub_gain > 0:
            for s in starts:
                a = s + insp[i] * rng.uniform(0.55, 0.8)
                b = s + insp[i] + (period[i] - insp[i]) * rng.uniform(0.15, 0.3)
                pops = np.arange(a, b, 1.0 / rng.uniform(15, 30))
                pops = pops[(pops >= 0) & (pops < duration - 0.03)]
                if len(pops) > 1:
                    rub_iv.append((pops[0], pops[-1] + 0.03))
                    f_rub = rng.uniform(100, 250, len(pops))
                    templates.append(rub_gain * rng.uniform(1.5, 3.0, len(pops))[:, None]
                                     * np.sin(2 * np.pi * f_rub[:, None] * tt) * np.exp(-tt / 0.008))
                    onsets.append(np.round(pops * fs).astype(np.int64))
                    recs.append(np.full(len(pops), i))
        rubs.append(np.round(np.asarray(rub_iv, float).reshape(-1, 2) * fs).astype(np.int64))
        # Wheezes: expiratory tones (>= 150 ms here) with 2nd/3rd harmonics and a slow glide.
        w_iv = []
        for s in starts:
            if rng.random() >= row["wheeze_prob"]:
                continue
            exp_len = period[i] - insp[i]
            a = s + insp[i] + exp_len * rng.uniform(0.02, 0.3)
            length = max(0.15, exp_len * rng.uniform(0.3, 0.65))
            a, b = max(a, 0.0), min(a + length, duration)
            if b - a < 0.15:
                continue
            seg = np.arange(int(a * fs), int(b * fs))
            ts = (seg - seg[0]) / fs
            f0 = rng.uniform(180, 550) * (1 + rng.uniform(-0.12, 0.12) * ts / ts[-1])
            ph = 2 * np.pi * np.cumsum(f0) / fs
            ramp = np.minimum(1, np.minimum(ts, ts[-1] - ts) / 0.02)
            tone = sum(h_amp_ * np.sin(k * ph) for k, h_amp_ in [(1, 1.0), (2, 0.35), (3, 0.12)]
                       if k * f0.max() < fs / 2 - 100)
            x[i, seg] += row["wheeze_gain"] * rng.uniform(0.6, 1.2) * ramp * tone
            w_iv.append((seg[0], seg[-1] + 1))
        wheezes.append(np.asarray(w_iv, np.int64).reshape(-1, 2))

    rec, start, tpl = (np.concatenate(a) for a in (recs, onsets, templates))
    _scatter(x, rec, start, tpl)
    rec, start, tpl = (np.concatenate(a) for a in (h_recs, h_onsets, h_templates))
    _scatter(x, rec, start, tpl)  # heart sounds: longer templates, a second pass
    ambient = rng.standard_normal((n, n_samples), dtype=np.float32)
    ambient *= p["noise"].to_numpy(np.float32)[:, None]
    x += ambient  # ambient noise: room, clothing, electronics
    x = apply_device(x, fs, device, rng=np.random.default_rng([seed, 7]))  # own stream: same sounds
    return LungSoundBatch(x.astype(np.float32), int(fs), p, cycles, insp_end, crackles, kinds,
                          wheezes, rubs, hearts, device)


def apply_device(x: np.ndarray, fs: int, device: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Filter recordings (n, T) through a stethoscope's response (zero phase), plus its self-noise (notebook 06)."""
    dev = DEVICES[device]
    freqs = np.fft.rfftfreq(x.shape[-1], 1 / fs)
    spec = sp_fft.rfft(x, axis=-1)
    spec *= dev.response(freqs).astype(np.float32)
    y = sp_fft.irfft(spec, n=x.shape[-1], axis=-1)
    if rng is not None:
        level = y.std(axis=-1, keepdims=True) * 10 ** (dev.floor_db / 20)
        y += level * rng.standard_normal(y.shape, dtype=np.float32)
    return y


def recording_params(state: pd.DataFrame, resp_rate=None, sites=SITES, seed: int = 0,
                     rng: np.random.Generator | None = None,
                     sites_per_patient: int | None = None) -> pd.DataFrame:
    """One row per (patient, site) from a cohort-style state table: what each site would hear (notebook 06).

    Reads `crackles` (a lobe, 'bilateral_bases' or 'none'), `wheezes`, `pleural_rub`,
    `pneumonia_lobe`, `pneumonia_atypical`, `heart_failure`, `copd_asthma_type`, severities
    and `heart_rate_true` (course_lib.synth.patients). `sites_per_patient`: keep that many sites
    per patient, drawn at random (ICBHI recorded a few locations per subject, not all).
    """
    rng = rng if rng is not None else np.random.default_rng(seed)
    n = len(state)
    rr = (np.asarray(resp_rate, float) if resp_rate is not None
          else rng.normal(18, 3, n))
    rr = np.clip(rr + rng.normal(0, 1.0, n), 12, 40)
    obstructive = state["copd_asthma_type"].fillna("").astype(str).to_numpy() != ""
    insp_frac = np.where(obstructive, rng.uniform(0.22, 0.3, n), rng.uniform(0.32, 0.42, n))
    crackle_site = state["crackles"].astype(str).to_numpy()
    hf_crackles = crackle_site == "bilateral_bases"
    atypical = state["pneumonia_atypical"].astype(bool).to_numpy()
    # Pneumonia: coarse mid-inspiratory crackles (atypical: late, fine); heart failure: fine, late.
    kind = np.where(hf_crackles | atypical, "fine", "coarse")
    sev = np.maximum(state["pneumonia_severity"].to_numpy(float),
                     state["heart_failure_severity"].to_numpy(float))
    crackle_rate = 2.0 + 8.0 * sev * rng.uniform(0.6, 1.4, n)
    wheeze_prob = np.where(state["wheezes"].astype(bool), rng.uniform(0.6, 1.0, n), 0.0)
    wheeze_gain = rng.uniform(0.4, 1.0, n) * (0.5 + state["copd_asthma_severity"].to_numpy(float))
    lobe = state["pneumonia_lobe"].fillna("").astype(str).to_numpy()
    rub = state["pleural_rub"].astype(bool).to_numpy()
    rows = []
    for i in range(n):
        for site in sites:
            c_gain = LOBE_SITE_GAIN.get(crackle_site[i], {}).get(site, 0.0)
            r_gain = LOBE_SITE_GAIN.get(lobe[i], {}).get(site, 0.0) if rub[i] else 0.0
            rows.append({"patient": i, "site": site, "resp_rate": rr[i],
                         "heart_rate": float(state["heart_rate_true"].iloc[i]),
                         "insp_fraction": insp_frac[i], "crackle_gain": c_gain,
                         "crackle_kind": kind[i] if c_gain > 0 else "",
                         "crackle_rate": crackle_rate[i], "wheeze_prob": wheeze_prob[i],
                         "wheeze_gain": wheeze_gain[i] * rng.uniform(0.6, 1.0),
                         "rub_gain": r_gain, "noise": float(np.exp(rng.normal(np.log(0.05), 0.5)))})
    table = pd.DataFrame(rows)
    if sites_per_patient is not None:
        k = len(sites)
        keep = np.concatenate([k * i + np.sort(rng.choice(k, sites_per_patient, replace=False))
                               for i in range(n)])
        table = table.iloc[keep].reset_index(drop=True)
    return table


def lung_sounds_for_cohort(state: pd.DataFrame, resp_rate=None, sites=SITES, seed: int = 0,
                           duration: float = 6.0, device: str = "electronic") -> LungSoundBatch:
    """Every patient's recordings at `sites`, from the cohort's latent state (notebook 06).

    Uses its own random stream ("audio"): the cohort's other modalities stay unchanged.
    """
    rng = stream(seed, "audio")
    params = recording_params(state, resp_rate, sites, rng=rng)
    return simulate_lung_sounds(params, duration=duration, device=device,
                                seed=int(rng.integers(2**31)))


DIAGNOSES = ("healthy", "pneumonia", "heart_failure", "COPD", "asthma")


def random_lung_patients(n: int, seed: int = 0,
                         mix=(0.2, 0.35, 0.15, 0.2, 0.1)) -> tuple[pd.DataFrame, np.ndarray]:
    """An ICBHI-like clinic population (mostly ill) as a cohort-style state table, and resp rates (notebook 06)."""
    from course_lib.synth.patients import LOBE_WEIGHTS, LOBES

    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    dx = rng.choice(DIAGNOSES, n, p=np.asarray(mix) / np.sum(mix))
    sev = rng.beta(2.0, 2.5, n)
    pneumonia, hf = dx == "pneumonia", dx == "heart_failure"
    copd = (dx == "COPD") | (pneumonia & (rng.random(n) < 0.25))  # COPD with pneumonia: both sounds
    asthma = dx == "asthma"
    lobe = np.where(pneumonia, rng.choice(LOBES, n, p=LOBE_WEIGHTS), "")
    focal = pneumonia & (rng.random(n) < 0.45 + 0.5 * sev)
    basal = hf & (rng.random(n) < 0.5 + 0.5 * sev)
    state = pd.DataFrame({
        "diagnosis": dx,
        "crackles": np.select([focal, basal], [lobe, "bilateral_bases"], "none"),
        "wheezes": ((copd | asthma) & (rng.random(n) < 0.85)) | (hf & (rng.random(n) < 0.15)),
        "pleural_rub": pneumonia & (rng.random(n) < 0.08 + 0.1 * sev),
        "pneumonia_lobe": lobe,
        "pneumonia_atypical": pneumonia & (rng.random(n) < 0.25),
        "copd_asthma_type": np.select([copd, asthma], ["COPD", "asthma"], ""),
        "pneumonia_severity": np.where(pneumonia, sev, 0.0),
        "heart_failure_severity": np.where(hf, sev, 0.0),
        "copd_asthma_severity": np.where(copd | asthma, rng.beta(2.0, 2.5, n), 0.0),
        "heart_rate_true": np.clip(rng.normal(82, 12, n) + 20 * sev * (dx != "healthy"), 50, 150),
    })
    resp_rate = np.clip(rng.normal(17, 2.5, n) + 8 * sev * (dx != "healthy"), 12, 40)
    return state, resp_rate
