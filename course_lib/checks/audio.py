"""Checkers for notebook 06's exercises: log-mel spectrogram, ICBHI score, STFT windows for the detectors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

LOG_MEL = "Exercise 06.1 (log-mel spectrogram)"
WINDOWS = "Exercise 06.2 (STFT windows for crackles and wheezes)"
SCORE = "Exercise 06.3 (ICBHI score)"


def _power_example() -> tuple[np.ndarray, int]:
    """A power spectrogram of a short synthetic crackle recording: (129, frames) at 4 kHz."""
    from course_lib.preprocess.audio import stft_power
    from course_lib.synth.audio import simulate_lung_sounds
    from course_lib.widgets.audio import lung_sound_params

    batch = simulate_lung_sounds(lung_sound_params("coarse crackles + wheezes"), duration=3.0, seed=3)
    x = np.r_[batch.audio[0], np.zeros(2000, np.float32)]  # a silent end: the 80 dB floor matters
    return stft_power(x, 256, 64).astype(np.float64), batch.fs


@exercise_check(LOG_MEL, reference="course_lib.preprocess.audio:log_mel")
def check_log_mel(log_mel: Callable) -> None:
    """Check log_mel(power, sr, n_mels) against mel filterbank + power_to_db on a real-looking spectrogram."""
    from course_lib.preprocess.audio import log_mel as reference
    from course_lib.preprocess.audio import mel_filterbank

    power, sr = _power_example()
    for n_mels in (32, 16):
        got = np.asarray(call_student(log_mel, power.copy(), sr, n_mels=n_mels, exercise=LOG_MEL), float)
        want = reference(power, sr, n_mels=n_mels)
        if got.shape != want.shape:
            hint = (" It looks transposed: put the mel filters on the left, filters @ power."
                    if got.shape == want.shape[::-1] else
                    " Multiply the (n_mels, F) filterbank by the (F, frames) power spectrogram.")
            raise ExerciseError(f"{LOG_MEL}: shape {got.shape}, expected (n_mels, frames) = {want.shape}.{hint}")
        if np.allclose(got, want, atol=1e-3):
            continue
        mel = mel_filterbank(sr, 2 * (power.shape[0] - 1), n_mels) @ power
        if not np.all(np.isfinite(got)):
            hint = "there are -inf or NaN values: floor the mel power (np.maximum(mel, 1e-10)) before log10."
        elif np.allclose(got, 2 * want, atol=1e-2) or np.allclose(got, 20 * np.log10(np.maximum(mel, 1e-10)),
                                                                    atol=1e-2):
            hint = "this is a power spectrogram: decibels are 10·log10(power), not 20·log10 (that is for amplitudes)."
        elif np.allclose(got, 10 * np.log10(np.maximum(mel, 1e-10)), atol=1e-3):
            hint = ("the quietest bins go down to -100 dB. Clip at top_db = 80 dB below the loudest bin: "
                    "np.maximum(db, db.max() - 80), as librosa.power_to_db does.")
        elif np.allclose(got, np.log(np.maximum(mel, 1e-10)), atol=1e-3) or np.allclose(
                got, np.log10(np.maximum(mel, 1e-10)), atol=1e-3):
            hint = "the values are not in decibels: dB = 10·log10(power)."
        else:
            hint = ("apply the mel filterbank to the POWER spectrogram (filters @ power), then "
                    "10·log10 with a 1e-10 floor, then clip 80 dB below the maximum.")
        raise ExerciseError(f"{LOG_MEL}: with n_mels={n_mels} the values differ from the reference "
                            f"(max difference {np.nanmax(np.abs(got - want)):.2f} dB); {hint}")
    passed(LOG_MEL, "Mel filterbank, 10·log10 with a floor, 80 dB range: the same numbers as librosa.")


def _confusions() -> list[tuple[str, np.ndarray]]:
    """Confusion matrices with known scores: balanced, no normal predicted, all normal, ICBHI-like."""
    return [("an ICBHI-like matrix", np.array([[1300, 200, 80, 20], [250, 300, 30, 50],
                                               [120, 20, 150, 30], [40, 30, 20, 50]])),
            ("a model that never says normal", np.array([[0, 50, 30, 20], [0, 40, 5, 5],
                                                         [0, 5, 30, 5], [0, 2, 3, 10]])),
            ("a model that always says normal", np.array([[90, 0, 0, 0], [40, 0, 0, 0],
                                                          [20, 0, 0, 0], [10, 0, 0, 0]]))]


@exercise_check(SCORE, reference="course_lib.preprocess.audio:icbhi_score")
def check_icbhi_score(icbhi_score: Callable) -> None:
    """Check icbhi_score(confusion) -> {'sensitivity', 'specificity', 'score'} on three matrices."""
    from course_lib.preprocess.audio import icbhi_score as reference

    for case, cm in _confusions():
        got = call_student(icbhi_score, cm.copy(), exercise=SCORE)
        if not isinstance(got, dict) or not {"sensitivity", "specificity", "score"} <= set(got):
            raise ExerciseError(f"{SCORE}: return a dict with keys 'sensitivity', 'specificity', 'score'.")
        want = reference(cm)
        for key in ("specificity", "sensitivity", "score"):
            g, w = float(got[key]), want[key]
            if np.isclose(g, w, atol=1e-6):
                continue
            abnormal = cm[1:].sum()
            detected_any = (cm[1:, 1:].sum()) / abnormal
            if key == "sensitivity" and np.isclose(g, detected_any, atol=1e-6):
                hint = ("you count an abnormal cycle as found when it gets ANY abnormal class. The ICBHI "
                        "sensitivity needs the exact class: crackle as crackle, wheeze as wheeze, both as both "
                        "(the diagonal of the lower-right 3x3 block).")
            elif key == "sensitivity" and np.isclose(g, np.mean(np.diag(cm)[1:] / cm[1:].sum(1)), atol=1e-6):
                hint = ("you average the three per-class recalls. ICBHI pools the cycles: "
                        "(correct crackle + correct wheeze + correct both) / all abnormal cycles.")
            elif key == "specificity" and np.isclose(g, cm[0, 0] / max(cm[:, 0].sum(), 1), atol=1e-6):
                hint = ("you divide by the cycles PREDICTED normal (a column). Specificity divides by the "
                        "cycles that ARE normal: the first row.")
            elif key == "score":
                hint = "the score is the mean of sensitivity and specificity."
            else:
                hint = "rows are the true classes, columns the predictions; classes: normal, crackle, wheeze, both."
            raise ExerciseError(f"{SCORE}: on {case} your {key} is {g:.4f}, expected {w:.4f}; {hint}")
    passed(SCORE, "Se pools the exactly-classified abnormal cycles, Sp the normal ones; score = their mean.")


@exercise_check(WINDOWS, reference="course_lib.preprocess.audio:default_windows")
def check_window_choice(choose_windows: Callable, scores) -> None:
    """Check the chosen windows against the detection F1 table `scores` (window_scores on a validation set)."""
    got = call_student(choose_windows, exercise=WINDOWS)
    if not isinstance(got, dict) or not {"crackle", "wheeze"} <= set(got):
        raise ExerciseError(f"{WINDOWS}: return a dict {{'crackle': n_fft, 'wheeze': n_fft}} in samples.")
    lines = []
    for kind in ("crackle", "wheeze"):
        n_fft = int(got[kind])
        if n_fft not in scores.index:
            raise ExerciseError(f"{WINDOWS}: {kind} window {n_fft} is not in the table; pick one of "
                                f"{list(scores.index)}.")
        column = f"{kind} F1"
        f1, best = scores.loc[n_fft, column], scores[column].max()
        if f1 < best - 0.03:
            why = ("a long window smears each 5-15 ms pop over many milliseconds and mixes it with the "
                   "breath noise; a very short one is all noise" if kind == "crackle" else
                   "a short window has wide frequency bins, so a tone no longer stands out from its "
                   "neighbours; a very long one blurs where the wheeze starts and stops")
            raise ExerciseError(f"{WINDOWS}: with a {n_fft}-sample window the {kind} detector reaches F1 "
                                f"{f1:.3f}, the best in the table {best:.3f}. Read the table again: {why}.")
        lines.append(f"{kind}s {n_fft} samples ({1000 * n_fft / 4000:.0f} ms): F1 {f1:.3f}")
    if int(got["crackle"]) >= int(got["wheeze"]):
        raise ExerciseError(f"{WINDOWS}: the crackle window should be shorter than the wheeze window.")
    passed(WINDOWS, "; ".join(lines) + ". Crackles need time resolution, wheezes frequency resolution.")
