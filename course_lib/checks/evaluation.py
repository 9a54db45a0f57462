"""Checkers for notebook 13's exercises: rates from counts, ECE, a rule-out operating point."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

RATES = "Exercise 13.1 (rates from a confusion matrix)"
ECE = "Exercise 13.3 (expected calibration error)"
RULE_OUT = "Exercise 13.2 (a rule-out test at 4% prevalence)"


@exercise_check(RATES, reference="course_lib.training.evaluation:rates_from_counts")
def check_rates_from_counts(rates_from_counts: Callable) -> None:
    """Check sensitivity, specificity, PPV, NPV, accuracy, F1 from TP, FP, TN, FN."""
    from course_lib.training.evaluation import rates_from_counts as ref

    for counts in [(90, 30, 270, 10), (45, 5, 930, 20), (7, 0, 50, 3)]:
        got = call_student(rates_from_counts, *counts, exercise=RATES)
        want = ref(*counts)
        if not isinstance(got, dict) or set(want) - set(got):
            raise ExerciseError(f"{RATES}: return a dict with the keys {sorted(want)}.")
        tp, fp, tn, fn = counts
        for key, value in want.items():
            g = float(got[key])
            if np.isclose(g, value):
                continue
            hints = {
                "sensitivity": "sensitivity is the share of the diseased that test positive: TP / (TP + FN).",
                "specificity": "specificity is the share of the healthy that test negative: TN / (TN + FP).",
                "PPV": "PPV asks 'if the test is positive, how likely is the disease?': among the POSITIVE "
                       "TESTS, how many are true.",
                "NPV": "NPV asks 'if the test is negative, how likely is the patient free of it?': among the "
                       "NEGATIVE TESTS, how many are true.",
                "accuracy": "accuracy counts every correct call (positive and negative) over all patients.",
                "F1": "F1 is the harmonic mean of precision (PPV) and recall (sensitivity).",
            }
            if key == "PPV" and np.isclose(g, tp / (tp + fn)):
                hint = "you return the sensitivity as PPV. " + hints["PPV"]
            elif key == "specificity" and np.isclose(g, tn / (tn + fn)):
                hint = "you divide by the negative TESTS (that is NPV). " + hints["specificity"]
            else:
                hint = hints[key]
            raise ExerciseError(f"{RATES}: with TP, FP, TN, FN = {counts}, {key} should be {value:.4f}, "
                                f"you return {g:.4f}: {hint}")
    passed(RATES, "Sensitivity and specificity belong to the test; PPV and NPV also to the population.")


@exercise_check(ECE, reference="course_lib.training.evaluation:expected_calibration_error")
def check_ece(ece: Callable) -> None:
    """Check ece(y, p, n_bins=10): equal-width bins, weighted by the share of patients in each bin."""
    from course_lib.training.evaluation import expected_calibration_error as ref

    rng = np.random.default_rng(13)
    p = rng.beta(0.7, 1.6, 600)
    y = (rng.random(600) < np.clip(1.3 * p, 0, 1)).astype(int)  # under-confident model
    p[:5] = 1.0  # probability exactly 1 belongs in the last bin
    for n_bins in (10, 5):
        got = float(call_student(ece, y.copy(), p.copy(), n_bins=n_bins, exercise=ECE))
        want = ref(y, p, n_bins)
        if np.isclose(got, want, atol=1e-9):
            continue
        bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
        gaps = [abs(p[bins == b].mean() - y[bins == b].mean()) for b in np.unique(bins)]
        if np.isclose(got, np.mean(gaps)):
            hint = "you average the bins equally: weight each bin's gap by its share of the patients."
        elif np.isclose(got, abs(p.mean() - y.mean())):
            hint = ("you compare the overall mean probability with the overall rate (calibration-in-the-large); "
                    "ECE compares them within each bin.")
        else:
            hint = ("bin by p into n_bins equal-width bins on [0, 1] (p = 1.0 goes into the last one), "
                    "then sum (patients in bin / all patients) x |mean p - observed rate|.")
        raise ExerciseError(f"{ECE}: with n_bins={n_bins} expected {want:.4f}, got {got:.4f}: {hint}")
    passed(ECE, "A single number for the reliability diagram; it depends on the binning, so report the bins.")


@exercise_check(RULE_OUT, reference="course_lib.training.evaluation:choose_rule_out")
def check_rule_out(choose_rule_out: Callable, val_probs: dict, y_val: np.ndarray) -> None:
    """Check the judgement: >= 95% sensitivity on validation, and the most specific model and cut-off."""
    from course_lib.training.evaluation import at_prevalence
    from course_lib.training.metrics import threshold_for_sensitivity

    y_val = np.asarray(y_val).astype(bool)
    got = call_student(choose_rule_out, dict(val_probs), y_val.copy(), exercise=RULE_OUT)
    if not isinstance(got, tuple) or len(got) != 2 or got[0] not in val_probs:
        raise ExerciseError(f"{RULE_OUT}: return a pair (model name, cut-off), the name one of {list(val_probs)}.")
    name, t = got[0], float(got[1])
    p = np.asarray(val_probs[name])
    sens, spec = (p[y_val] >= t).mean(), (p[~y_val] < t).mean()
    if sens < 0.95:
        raise ExerciseError(f"{RULE_OUT}: at cut-off {t:.3f}, {name} finds only {sens:.1%} of the validation "
                            "pneumonias. A rule-out test may miss few: lower the cut-off until sensitivity "
                            "is at least 95% on validation.")
    specs = {m: (np.asarray(q)[~y_val] < threshold_for_sensitivity(y_val, q, 0.95)).mean()
             for m, q in val_probs.items()}
    best = max(specs, key=specs.get)
    if specs[name] < specs[best] - 0.02:
        raise ExerciseError(f"{RULE_OUT}: at 95% sensitivity {name} clears {specs[name]:.1%} of the healthy, "
                            f"another row of the table clears {specs[best]:.1%}. With equal sensitivity, the "
                            "row that sends more healthy patients home is the better rule-out test.")
    if spec < specs[name] - 0.02:
        raise ExerciseError(f"{RULE_OUT}: your cut-off {t:.3f} is lower than it needs to be: {name} keeps 95% "
                            f"sensitivity up to a higher cut-off, where it clears {specs[name]:.1%} of the healthy "
                            f"instead of {spec:.1%}.")
    npv = at_prevalence(sens, spec, 0.04)["NPV"]
    passed(RULE_OUT, f"{name} at {t:.3f}: sensitivity {sens:.1%}, specificity {spec:.1%} on validation; "
                     f"at 4% prevalence a negative result is right {npv:.2%} of the time.")
