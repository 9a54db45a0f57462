"""Checkers for notebook 15's exercises: KTAS vitals modifiers, the triage operating point."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

KTAS = "Exercise 15.1 (KTAS first-order vitals modifiers)"
POINT = "Exercise 15.2 (an operating point for under-triage <= 5%)"

# (vitals row, why it is this level) - the rows a triage nurse must get right.
_KTAS_CASES = [
    ([80, 125, 80, 16, 98, 36.8], "normal vitals call for no modifier: 5"),
    ([88, 120, 75, 18, 89, 37.0], "SpO2 89% (< 90%) is severe respiratory distress: level 1"),
    ([130, 75, 45, 24, 95, 37.2], "SBP 75 mmHg stands for shock: level 1"),
    ([95, 130, 80, 22, 91, 37.0], "SpO2 91% (< 92%) is moderate respiratory distress: level 2"),
    ([110, 85, 50, 18, 97, 37.0], "SBP 85 (< 90) is hemodynamic compromise: level 2"),
    ([112, 118, 70, 24, 96, 38.6], "fever with HR > 90 and RR > 20 (3 SIRS criteria) looks septic: level 2"),
    ([84, 122, 76, 16, 96, 38.4], "fever with only one SIRS criterion looks unwell: level 3"),
    ([90, 130, 80, 18, 93, 37.0], "SpO2 93% (92-94%) is mild respiratory distress: level 3"),
    ([90, 130, 80, 18, 92, 37.0], "SpO2 exactly 92% is still mild (92-94%): level 3"),
    ([90, 130, 80, 18, 90, 37.0], "SpO2 exactly 90% is moderate (< 92%), not severe (< 90%): level 2"),
    ([90, 80, 50, 18, 97, 37.0], "SBP exactly 80 is compromise (< 90), not shock (< 80): level 2"),
    ([101, 126, 80, 21, 97, 38.0], "38.0 C with HR > 90 and RR > 20: 3 SIRS criteria need T > 38, so 2 of 3: looks unwell, 3"),
]


@exercise_check(KTAS, reference="course_lib.preprocess.triage:ktas_vitals_level")
def check_ktas_vitals_level(ktas_vitals_level: Callable) -> None:
    """Check ktas_vitals_level(vitals) on rows at and around every cut-off."""
    from course_lib.preprocess.triage import ktas_vitals_level as ref

    for row, why in _KTAS_CASES:
        got = call_student(ktas_vitals_level, np.array(row, dtype=float), exercise=KTAS)
        want = ref(np.array(row, dtype=float))
        try:
            ok = int(got) == want
        except (TypeError, ValueError):
            raise ExerciseError(f"{KTAS}: return one integer level (1, 2, 3 or 5); you return {got!r}.") from None
        if not ok:
            raise ExerciseError(f"{KTAS}: for HR {row[0]}, SBP {row[1]}, RR {row[3]}, SpO2 {row[4]}%, "
                                f"T {row[5]} C you return {got}, but {why}. Check the order of the tests "
                                "(most urgent first) and whether each cut-off is < or <=.")
    passed(KTAS, f"all {len(_KTAS_CASES)} rows, cut-offs included.")


@exercise_check(POINT, reference="course_lib.training.triage:choose_operating_point")
def check_choose_operating_point(choose_operating_point: Callable) -> None:
    """Check choose_operating_point(p_critical, critical, max_under) on a known validation set."""
    from course_lib.training.triage import choose_operating_point as ref

    rng = np.random.default_rng(15)
    critical = rng.random(400) < 0.25
    p = np.clip(rng.normal(np.where(critical, 0.6, 0.3), 0.2), 0.001, 0.999)
    for max_under in (0.05, 0.10, 0.0):
        got = call_student(choose_operating_point, p.copy(), critical.copy(), max_under, exercise=POINT)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{POINT}: return the cut-off as one number; you return {got!r}.") from None
        under = float((p[critical] < got).mean())
        want = ref(p, critical, max_under)
        if under > max_under + 1e-12:
            raise ExerciseError(f"{POINT}: at your cut-off {got:.3f}, {under:.1%} of critical patients fall below "
                                f"it (under-triage), more than the {max_under:.0%} allowed. Lower the cut-off; "
                                "a patient exactly at the cut-off counts as ESI 2.")
        if got < want - 1e-12:
            over_you, over_ref = float((p[~critical] >= got).mean()), float((p[~critical] >= want).mean())
            raise ExerciseError(f"{POINT}: your cut-off {got:.3f} keeps under-triage within {max_under:.0%}, but a "
                                f"higher one does too, with less over-triage ({over_ref:.1%} instead of "
                                f"{over_you:.1%}). Take the HIGHEST cut-off that still meets the target: sort the "
                                "critical patients' probabilities and count how many may fall below.")
    passed(POINT, "the highest cut-off that keeps under-triage within the target.")
