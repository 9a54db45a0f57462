"""The ICBHI 2017 Respiratory Sound Database: file names, cycle annotations, official split (notebook 06).

Layout (as published by the challenge, Rocha et al. 2019): one `.wav` and one `.txt` per
recording, named `<patient>_<recording index>_<chest location>_<acquisition mode>_<device>`,
e.g. `101_1b1_Al_sc_Meditron`. Each `.txt` line is one respiratory cycle:
`start<TAB>end<TAB>crackles<TAB>wheezes` (seconds, seconds, 0/1, 0/1). Beside them,
`ICBHI_challenge_train_test.txt` (`<recording name><TAB>train|test`, the official 60/40
train/test split) and `ICBHI_Challenge_diagnosis.txt` (`<patient><TAB><diagnosis>`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal
from scipy.io import wavfile

from course_lib.setup import data_dir

N_RECORDINGS, N_PATIENTS, N_CYCLES = 920, 126, 6898  # the database paper's counts
CYCLE_COUNTS = {"crackle": 1864, "wheeze": 886, "both": 506}  # cycles with each finding
LOCATIONS = {"Tc": "trachea", "Al": "anterior left", "Ar": "anterior right", "Pl": "posterior left",
             "Pr": "posterior right", "Ll": "lateral left", "Lr": "lateral right"}
MODES = {"sc": "sequential/single channel", "mc": "simultaneous/multichannel"}
DEVICES = {"AKGC417L": "AKG C417L microphone", "LittC2SE": "3M Littmann Classic II SE",
           "Litt3200": "3M Littmann 3200", "Meditron": "WelchAllyn Meditron"}
# Patch-Mix contrastive AST (Bae et al., Interspeech 2023), official split, 4 classes, in %.
BENCHMARK = {"score": 62.37, "sensitivity": 43.07, "specificity": 81.66}
SPLIT_FILE, DIAGNOSIS_FILE = "ICBHI_challenge_train_test.txt", "ICBHI_Challenge_diagnosis.txt"


def icbhi_dir() -> Path:
    """Where the database lives: COURSE_DATA_DIR/icbhi2017 (notebook 06)."""
    return data_dir() / "icbhi2017"


def icbhi_available(root: Path | None = None) -> bool:
    """True when recordings and the official split file are present (notebook 06)."""
    root = Path(root) if root is not None else icbhi_dir()
    return (root / SPLIT_FILE).exists() and any(root.rglob("*_*_*_*_*.wav"))


def parse_name(name: str) -> dict:
    """Split a recording name (with or without .wav/.txt) into its five fields (notebook 06)."""
    stem = Path(name).name.rsplit(".", 1)[0] if name.endswith((".wav", ".txt")) else Path(name).name
    parts = stem.split("_")
    if len(parts) != 5 or not parts[0].isdigit():
        raise ValueError(f"{name!r} is not an ICBHI recording name "
                         "(<patient>_<index>_<location>_<mode>_<device>, e.g. 101_1b1_Al_sc_Meditron)")
    patient, index, location, mode, device = parts
    if location not in LOCATIONS or mode not in MODES:
        raise ValueError(f"{name!r}: unknown chest location {location!r} or mode {mode!r}")
    return {"name": stem, "patient": int(patient), "index": index, "location": location,
            "mode": mode, "device": device}


def read_cycles(path: Path) -> pd.DataFrame:
    """One recording's annotation: start, end (s), crackles, wheezes (0/1), and the ICBHI label 0-3 (notebook 06)."""
    table = pd.read_csv(path, sep=r"\s+", header=None, names=["start", "end", "crackles", "wheezes"],
                        dtype={"start": float, "end": float, "crackles": int, "wheezes": int})
    if (table["end"] <= table["start"]).any():
        raise ValueError(f"{path}: a cycle ends before it starts; is this an ICBHI annotation file?")
    table["label"] = table["crackles"] + 2 * table["wheezes"]  # normal, crackle, wheeze, both
    return table


def read_split(root: Path) -> pd.Series:
    """The official split: recording name -> 'train' or 'test' (notebook 06)."""
    path = Path(root) / SPLIT_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; fetch it with `python data_scripts/fetch_icbhi.py`")
    table = pd.read_csv(path, sep=r"\s+", header=None, names=["name", "split"])
    return table.set_index("name")["split"]


def read_diagnosis(root: Path) -> pd.Series:
    """Patient number -> diagnosis (COPD, URTI, Healthy, ...) (notebook 06)."""
    table = pd.read_csv(Path(root) / DIAGNOSIS_FILE, sep=r"\s+", header=None,
                        names=["patient", "diagnosis"])
    return table.set_index("patient")["diagnosis"]


def read_wav(path: Path, fs: int = 4000) -> np.ndarray:
    """A recording as float32 in [-1, 1], resampled to `fs` (the files are at 4, 10 or 44.1 kHz) (notebook 06)."""
    rate, x = wavfile.read(path)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if np.issubdtype(x.dtype, np.integer):
        x = x / float(np.iinfo(x.dtype).max)
    x = x.astype(np.float32)
    if rate != fs:
        g = np.gcd(int(rate), int(fs))
        x = signal.resample_poly(x, fs // g, int(rate) // g).astype(np.float32)  # anti-aliased
    return x


def load_icbhi_cycles(root: Path | None = None, split: str = "test", fs: int = 4000,
                      length_s: float = 3.0, max_recordings: int | None = None) -> dict:
    """Every annotated cycle of one split as fixed windows (notebook 06).

    Returns {"windows": (n, L) float32, "label": (n,) 0-3, "meta": DataFrame (recording, patient,
    location, device, start, end)}; windows start at the cycle start, zero-padded or cropped.
    """
    root = Path(root) if root is not None else icbhi_dir()
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    names = read_split(root)
    names = sorted(names[names == split].index)[:max_recordings]
    wavs = {p.stem: p for p in root.rglob("*.wav")}
    length = int(round(length_s * fs))
    windows, labels, meta = [], [], []
    for name in names:
        if name not in wavs:
            raise FileNotFoundError(f"{name}.wav is listed in {SPLIT_FILE} but not under {root}")
        x = read_wav(wavs[name], fs)
        info = parse_name(name)
        for row in read_cycles(wavs[name].with_suffix(".txt")).itertuples():
            a = int(round(row.start * fs))
            seg = x[a:min(int(round(row.end * fs)), a + length)]
            w = np.zeros(length, np.float32)
            w[:len(seg)] = seg
            windows.append(w)
            labels.append(row.label)
            meta.append({"recording": name, "patient": info["patient"], "location": info["location"],
                         "device": info["device"], "start": row.start, "end": row.end})
    return {"windows": np.stack(windows) if windows else np.zeros((0, length), np.float32),
            "label": np.asarray(labels, int), "meta": pd.DataFrame(meta)}
