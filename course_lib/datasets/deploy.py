"""Real wearable recordings that ship offline: heartpy's bundled PPG files (notebook 17)."""

from __future__ import annotations

import warnings

import numpy as np

HEARTPY_FILES = {"data.csv": 100.0, "data2.csv": None}  # data2 carries its own timer column (ms)


def load_heartpy_ppg(name: str = "data.csv") -> tuple[np.ndarray, float]:
    """A real finger PPG recording bundled in the heartpy wheel and its sampling rate in Hz (notebook 17).

    data.csv: one column sampled at 100 Hz (heartpy's documentation); data2.csv: a timer column in
    milliseconds and the signal, the rate is computed from the timer.
    """
    if name not in HEARTPY_FILES:
        raise ValueError(f"unknown heartpy file {name!r}: choose one of {sorted(HEARTPY_FILES)}")
    with warnings.catch_warnings():  # heartpy imports pkg_resources, which warns about its deprecation
        warnings.simplefilter("ignore")
        import heartpy as hp

        signal, timer = hp.load_exampledata(0 if name == "data.csv" else 1)  # files inside the heartpy wheel
        if name == "data.csv":
            return np.asarray(signal, dtype=float), HEARTPY_FILES[name]
        return np.asarray(signal, dtype=float), float(hp.get_samplerate_mstimer(np.asarray(timer, dtype=float)))
