"""Checkers for notebook 00's exercises: heart rate from a real ECG lead, a screening cut-off."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

EXERCISE = "Exercise 00.1 (heart rate)"


def reference_heart_rate(lead: np.ndarray, fs: float) -> float:
    """Reference heart rate (bpm): neurokit2's cleaning and R-peak detector, median RR."""
    import neurokit2 as nk

    clean = nk.ecg_clean(lead, sampling_rate=int(fs))
    _, info = nk.ecg_peaks(clean, sampling_rate=int(fs))
    rr_s = np.diff(info["ECG_R_Peaks"]) / fs
    return float(60.0 / np.median(rr_s))


def _simulated_lead(rate_bpm: float, fs: int, seed: int) -> np.ndarray:
    """A 10 s single-lead ECG at a known rate (neurokit2's simulator), in mV."""
    import neurokit2 as nk

    lead = nk.ecg_simulate(duration=10, sampling_rate=fs, heart_rate=rate_bpm,
                           method="simple", random_state=seed)
    return 0.2 * lead  # the simulator's R waves are ~7 units tall; ~1.4 mV is typical


def _explain(got: float, want: float, case: str) -> str:
    """Turn a wrong rate into a hint about the usual mistake."""
    ratio = got / want
    if 1.7 < ratio < 2.3:
        hint = ("about twice the true rate: you probably count T waves (or P waves) too. "
                "Ask find_peaks for a minimum distance between beats (e.g. 0.3 s) or a higher height.")
    elif 0.4 < ratio < 0.6:
        hint = "about half the true rate: your threshold or minimum distance skips every other beat."
    elif ratio > 10 or ratio < 0.1:
        hint = ("far off: check the units. Rate in beats per minute is 60 / (RR interval in "
                "seconds), and RR in seconds is the peak spacing in samples divided by fs.")
    else:
        hint = "check the peak threshold and that you use the median RR interval."
    return f"{EXERCISE}: on {case} you return {got:.1f} bpm, the true rate is {want:.1f} bpm; {hint}"


@exercise_check(EXERCISE, reference="course_lib.checks.tour:reference_heart_rate")
def check_heart_rate(heart_rate_bpm: Callable[[np.ndarray, float], float],
                     real_lead: np.ndarray, fs: float) -> None:
    """Check the student's heart_rate_bpm(lead, fs) on the real ECG and simulated ones."""
    cases = [("the real ECG (lead II)", real_lead, fs, reference_heart_rate(real_lead, fs))]
    for rate, sim_fs, seed in [(50, 500, 1), (95, 250, 2), (140, 500, 3)]:
        lead = _simulated_lead(rate, sim_fs, seed)
        want = reference_heart_rate(lead, sim_fs)  # the simulator's rate is close to, not exactly, `rate`
        cases.append((f"a simulated ECG at about {rate} bpm, {sim_fs} Hz", lead, sim_fs, want))
    for case, lead, case_fs, want in cases:
        got = call_student(heart_rate_bpm, np.asarray(lead).copy(), case_fs, exercise=EXERCISE)
        if not np.isscalar(got) and np.ndim(got) != 0:
            raise ExerciseError(f"{EXERCISE}: return one number (beats per minute), "
                                f"not an array of shape {np.shape(got)}.")
        got = float(got)
        if not np.isfinite(got):
            raise ExerciseError(f"{EXERCISE}: on {case} you return {got}; return a finite rate.")
        if abs(got - want) > 0.05 * want:
            raise ExerciseError(_explain(got, want, case))
    passed(EXERCISE, f"Real ECG: {float(heart_rate_bpm(real_lead.copy(), fs)):.0f} bpm "
                     "(within 5% of the reference, also on simulated ECGs at ~50, 95 and 140 bpm).")


SCREEN = "Exercise 00.2 (a screening cut-off)"


@exercise_check(SCREEN, reference="course_lib.training.metrics:threshold_for_sensitivity")
def check_screening_threshold(threshold_for_sensitivity: Callable) -> None:
    """Check threshold_for_sensitivity(y, p, target): the highest cut-off reaching the target sensitivity."""
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.25
    p = np.clip(rng.normal(0.3 + 0.35 * y, 0.18), 0.001, 0.999)
    for target in (0.8, 0.9, 0.95):
        got = call_student(threshold_for_sensitivity, y.copy(), p.copy(), target, exercise=SCREEN)
        if np.ndim(got) != 0:
            raise ExerciseError(f"{SCREEN}: return one cut-off (a number), not shape {np.shape(got)}.")
        got = float(got)
        sensitivity = (p[y] >= got).mean()
        if sensitivity < target - 1e-9:
            hint = ("flag a patient when p >= cut-off; your cut-off is too high. Count how many of the "
                    "positive patients it catches.") if got > np.median(p[y]) else \
                ("did you compute the sensitivity over ALL patients? It is over the patients who have "
                 "the disease.")
            raise ExerciseError(f"{SCREEN}: with target {target:.0%} your cut-off {got:.3f} catches only "
                                f"{sensitivity:.1%} of the positives; {hint}")
        higher = np.sort(p[y][p[y] > got])
        if len(higher) and (p[y] >= higher[0]).mean() >= target - 1e-9:
            raise ExerciseError(f"{SCREEN}: with target {target:.0%} your cut-off {got:.3f} reaches the target, but "
                                f"{higher[0]:.3f} does too and raises fewer alarms: take the HIGHEST cut-off "
                                "that still catches the target share of positives.")
    passed(SCREEN, "The highest cut-off with enough sensitivity: every lower one only adds false alarms.")
