"""Checkers for notebook 05's exercises: limb leads, band-pass filter, RR irregularity, an MI rule-out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import signal

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed
from course_lib.preprocess.ecg import rr_irregularity as reference_rr_irregularity

BANDPASS = "Exercise 05.2 (zero-phase band-pass)"
LIMB = "Exercise 05.1 (limb leads from I and II)"
RR = "Exercise 05.3 (RR irregularity)"


def _rel_error(got: np.ndarray, want: np.ndarray) -> float:
    """RMS difference relative to the RMS of the reference, away from the edges."""
    edge = len(want) // 10  # filters may treat the first/last samples differently
    g, w = got[edge:-edge], want[edge:-edge]
    return float(np.sqrt(np.mean((g - w) ** 2)) / (np.sqrt(np.mean(w ** 2)) + 1e-12))


def _butter(x, fs, low, high, phase_shift=False, order=4):
    sos = signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return signal.sosfilt(sos, x, axis=0) if phase_shift else signal.sosfiltfilt(sos, x, axis=0)


def _explain_bandpass(got, x, fs, low, high) -> str:
    """Recognise the usual band-pass mistakes by comparing with what each would give."""
    candidates = {
        "phase": (_butter(x, fs, low, high, phase_shift=True),
                  "the waves are shifted in time: you filtered in one direction only (sosfilt or "
                  "lfilter). Use sosfiltfilt (forward and backward): zero phase, so the QRS and "
                  "ST segment stay where they were."),
        "nyquist_fs": (_butter(x, fs, low / 2, high / 2),
                       "your cut-offs are half what you asked for: you divided them by fs. Without "
                       "fs=..., butter expects cut-offs as a fraction of the Nyquist frequency fs/2, "
                       "not of fs. Simplest: pass fs=fs to signal.butter."),
        "nyquist_double": (_butter(x, fs, min(2 * low, fs / 2 - 1), min(2 * high, fs / 2 - 1)),
                           "your cut-offs are twice what you asked for: the Nyquist frequency is "
                           "fs/2, so normalise with (fs/2), or pass fs=fs to signal.butter."),
        "lowpass": (signal.sosfiltfilt(signal.butter(4, high, "lowpass", fs=fs, output="sos"), x,
                                       axis=0),
                    "only the high frequencies are removed: the baseline wander is still there. "
                    "A band-pass needs both cut-offs: butter(4, [low, high], btype='bandpass', ...)."),
        "highpass": (signal.sosfiltfilt(signal.butter(4, low, "highpass", fs=fs, output="sos"), x,
                                        axis=0),
                     "only the low frequencies are removed: the muscle noise is still there. "
                     "A band-pass needs both cut-offs: butter(4, [low, high], btype='bandpass', ...)."),
    }
    for want, message in candidates.values():
        if want.shape == got.shape and _rel_error(got, want) < 0.02:
            return message
    return ("the output differs from a 4th-order Butterworth band-pass applied with sosfiltfilt "
            f"at {low}-{high} Hz. Check the order, the cut-offs and that you filter along time "
            "(axis 0).")


@exercise_check(BANDPASS, reference="course_lib.preprocess.ecg:bandpass")
def check_bandpass(bandpass: Callable, x: np.ndarray, fs: float, low: float = 0.5,
                   high: float = 40.0) -> None:
    """Check bandpass(x, fs, low, high) on a (T, 12) record and on one lead."""
    for case, data in [("a 12-lead record (T, 12)", x), ("one lead (T,)", x[:, 1])]:
        got = call_student(bandpass, data.copy(), fs, low, high, exercise=BANDPASS)
        got = np.asarray(got)
        if got.shape != data.shape:
            hint = (" It looks transposed: filter along time, axis=0." if got.shape == data.shape[::-1]
                    else "")
            raise ExerciseError(f"{BANDPASS}: on {case} the output has shape {got.shape}, the input "
                                f"{data.shape}; a filter keeps the shape.{hint}")
        want = _butter(data, fs, low, high)
        if data.ndim == 2:
            across = signal.sosfiltfilt(signal.butter(4, [low, high], "bandpass", fs=fs,
                                                      output="sos"), data, axis=1) \
                if data.shape[1] > 27 else None
            if across is not None and _rel_error(got, across) < 0.02:
                raise ExerciseError(f"{BANDPASS}: you filtered across the leads (axis 1); "
                                    "filter along time: axis=0.")
        if _rel_error(got, want) > 0.02:
            raise ExerciseError(f"{BANDPASS}: on {case}, " + _explain_bandpass(got, data, fs, low, high))
    passed(BANDPASS, "Zero-phase, right cut-offs, along time, for one lead and for 12.")


@exercise_check(LIMB, reference="course_lib.synth.ecg:derive_limb_leads")
def check_limb_leads(limb_leads: Callable, lead_i: np.ndarray, lead_ii: np.ndarray) -> None:
    """Check limb_leads(I, II) -> dict with III, aVR, aVL, aVF against Einthoven and Goldberger."""
    got = call_student(limb_leads, lead_i.copy(), lead_ii.copy(), exercise=LIMB)
    if not isinstance(got, dict):
        raise ExerciseError(f"{LIMB}: return a dict {{'III': ..., 'aVR': ..., 'aVL': ..., 'aVF': ...}}, "
                            f"not {type(got).__name__}.")
    from course_lib.synth.ecg import derive_limb_leads  # lazy: keeps `import checks` light

    want = derive_limb_leads(lead_i, lead_ii)
    missing = [k for k in want if k not in got]
    if missing:
        raise ExerciseError(f"{LIMB}: the dict has no {missing}; keys must be exactly "
                            "'III', 'aVR', 'aVL', 'aVF'.")
    for name, ref in want.items():
        lead = np.asarray(got[name], dtype=float)
        if lead.shape != ref.shape:
            raise ExerciseError(f"{LIMB}: {name} has shape {lead.shape}, expected {ref.shape} "
                                "(one value per sample, like I and II).")
        if np.allclose(lead, ref, atol=1e-6):
            continue
        if np.allclose(lead, -ref, atol=1e-6):
            raise ExerciseError(f"{LIMB}: {name} is off by a sign (upside down). Lead III runs from LA "
                                "to LL: III = II - I; aVR looks at the heart from the right shoulder, "
                                "so it is the negative of the mean of I and II.")
        if np.allclose(lead, 2 * ref, atol=1e-6) or np.allclose(lead, ref / 2, atol=1e-6):
            raise ExerciseError(f"{LIMB}: {name} has the right shape but a factor 2 too large or too "
                                "small. Goldberger's leads carry a 1/2: aVR = -(I + II)/2, "
                                "aVL = I - II/2, aVF = II - I/2.")
        for other, oref in want.items():
            if other != name and np.allclose(lead, oref, atol=1e-6):
                raise ExerciseError(f"{LIMB}: your {name} equals the true {other}: two leads are swapped. "
                                    "aVL looks from the left arm (I - II/2), aVF from the foot (II - I/2).")
        raise ExerciseError(f"{LIMB}: {name} is wrong (max error {np.abs(lead - ref).max():.3f} mV). "
                            "Einthoven: III = II - I. Goldberger: aVR = -(I + II)/2, "
                            "aVL = I - II/2, aVF = II - I/2.")
    passed(LIMB, "III, aVR, aVL and aVF follow from I and II, as the recorder computes them.")


def _peak_sets() -> list:
    """R-peak trains with known irregularity: sinus, sinus with an ectopic beat, AF."""
    from course_lib.synth.ecg import simulate_ecg

    batch = simulate_ecg(["sinus", "sinus", "AF", "AF"], [60, 95, 90, 130], noise=0.0,
                         fs=500, seed=7)
    return [(f"a {r} record at {hr:.0f} bpm", p, batch.fs)
            for r, hr, p in zip(batch.rhythm, batch.heart_rate, batch.r_peaks, strict=True)]


@exercise_check(RR, reference="course_lib.preprocess.ecg:rr_irregularity")
def check_rr_irregularity(rr_irregularity: Callable) -> None:
    """Check rr_irregularity(r_peaks, fs) = RMSSD / mean RR on sinus and AF R-peak trains."""
    for case, peaks, fs in _peak_sets():
        got = call_student(rr_irregularity, peaks.copy(), fs, exercise=RR)
        if np.ndim(got) != 0:
            raise ExerciseError(f"{RR}: return one number, not an array of shape {np.shape(got)}.")
        got, want = float(got), reference_rr_irregularity(peaks, fs)
        if np.isclose(got, want, rtol=1e-3):
            continue
        rr = np.diff(peaks) / fs
        if np.isclose(got, rr.std() / rr.mean(), rtol=1e-3):
            hint = ("you return SD(RR) / mean RR (the coefficient of variation). Use the SUCCESSIVE "
                    "differences np.diff(rr): slow trends (breathing) barely change them, beat-to-beat "
                    "chaos (AF) does.")
        elif np.isclose(got, want * rr.mean(), rtol=1e-3) or np.isclose(got, want * rr.mean() * fs,
                                                                         rtol=1e-3):
            hint = ("you return RMSSD without dividing by the mean RR. Normalise, so that a fast and a "
                    "slow heart with the same relative chaos get the same number.")
        elif np.isclose(got, np.sqrt(np.mean(np.diff(np.diff(peaks)) ** 2)) / np.mean(peaks),
                        rtol=1e-3):
            hint = "divide by the mean RR interval, not by the mean peak position."
        else:
            hint = ("turn the peaks into RR intervals in seconds, take the root mean square of the "
                    "successive differences of those intervals, and divide by the mean interval.")
        raise ExerciseError(f"{RR}: on {case} you return {got:.4f}, expected {want:.4f}; {hint}")
    passed(RR, "RMSSD / mean RR: ~0.02 in sinus rhythm, ~0.2 or more in AF.")


RULE_OUT = "Exercise 05.4 (who can go home: an acute-MI rule-out)"


@exercise_check(RULE_OUT, reference="course_lib.training.ecg:choose_mi_rule_out")
def check_mi_rule_out(choose_rule_out: Callable, ecg_score, troponin, acute_mi, ecg_cuts, trop_cuts) -> None:
    """Check the judgement: >= 99% sensitivity on the calibration patients, then the most patients ruled out."""
    from course_lib.training.ecg import rule_out_performance

    got = call_student(choose_rule_out, np.array(ecg_score), np.array(troponin), np.array(acute_mi),
                       list(ecg_cuts), list(trop_cuts), 0.99, exercise=RULE_OUT)
    if not isinstance(got, tuple) or len(got) != 3:
        raise ExerciseError(f"{RULE_OUT}: return a triple (ECG cut-off, troponin cut-off, share ruled out).")
    e, t, share = (float(v) for v in got)
    if e not in ecg_cuts or t not in trop_cuts:
        raise ExerciseError(f"{RULE_OUT}: choose the cut-offs from the grids: ECG {list(ecg_cuts)}, troponin "
                            f"{list(trop_cuts)} ng/L; you return {e:g} and {t:g}.")
    sensitivity, real_share = rule_out_performance(ecg_score, troponin, acute_mi, e, t)
    if abs(share - real_share) > 1e-9:
        raise ExerciseError(f"{RULE_OUT}: ECG < {e:g} and troponin < {t:g} ng/L rule out {real_share:.1%} of the "
                            f"patients with a troponin; you return {share:.1%}. The denominator is the patients "
                            "whose troponin was drawn; a patient without one is never ruled out.")
    missed = int(round((1 - sensitivity) * np.asarray(acute_mi, bool).sum()))
    if sensitivity < 0.99:
        raise ExerciseError(f"{RULE_OUT}: ECG < {e:g} and troponin < {t:g} ng/L send home {missed} patient(s) with "
                            f"an acute MI (sensitivity {sensitivity:.1%}). A rule-out pathway may miss fewer than "
                            "1 in 100: tighten a cut-off.")
    shares = [rule_out_performance(ecg_score, troponin, acute_mi, a, b) for a in ecg_cuts for b in trop_cuts]
    best = max(s for sens, s in shares if sens >= 0.99)
    if best > real_share + 1e-9:
        raise ExerciseError(f"{RULE_OUT}: your rule is safe but sends home {real_share:.1%}; another pair of the "
                            f"grids is as safe and sends home {best:.1%}. Every patient kept waits for a "
                            "repeat troponin: search every pair.")
    passed(RULE_OUT, f"ECG score < {e:g} and first troponin < {t:g} ng/L: sensitivity {sensitivity:.1%} on these "
                     f"patients, {real_share:.1%} of the troponin-tested patients ruled out.")
