"""Checkers for notebook 08's exercises: NEWS2, forward fill with mask and delta, an alarm cut-off."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

NEWS = "Exercise 08.1 (NEWS2 from a chart row)"
FILL = "Exercise 08.2 (forward fill, mask and delta)"
ALARM = "Exercise 08.3 (an alarm cut-off for the ward)"

# Band edges of the NEWS2 chart, each with its neighbours: where off-by-one mistakes show.
EDGES = {
    "heart_rate": [40, 41, 50, 51, 90, 91, 110, 111, 130, 131],
    "sbp": [90, 91, 100, 101, 110, 111, 219, 220],
    "resp_rate": [8, 9, 11, 12, 20, 21, 24, 25],
    "spo2": [91, 92, 93, 94, 95, 96],
    "temperature": [35.0, 35.1, 36.0, 36.1, 38.0, 38.1, 39.0, 39.1],
}
NORMAL = {"heart_rate": 70, "sbp": 120, "resp_rate": 16, "spo2": 97, "temperature": 37.0}


def _news_cases():
    """Rows that walk each parameter across its band edges, others normal; then random rows."""
    rows = []
    for name, values in EDGES.items():
        for v in values:
            rows.append({**NORMAL, name: v, "on_oxygen": 0, "confused": 0})
    rows += [{**NORMAL, "on_oxygen": 1, "confused": 0}, {**NORMAL, "on_oxygen": 0, "confused": 1}]
    rng = np.random.default_rng(8)
    for _ in range(200):
        rows.append({"heart_rate": rng.integers(35, 150), "sbp": rng.integers(80, 230),
                     "resp_rate": rng.integers(6, 30), "spo2": rng.integers(85, 101),
                     "temperature": round(rng.uniform(34.5, 40.0), 1),
                     "on_oxygen": rng.integers(0, 2), "confused": rng.integers(0, 2)})
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


@exercise_check(NEWS, reference="course_lib.preprocess.vitals:news2")
def check_news2(news2_score: Callable) -> None:
    """Check news2_score(heart_rate, sbp, resp_rate, spo2, temperature, on_oxygen, confused) on the chart's edges."""
    from course_lib.preprocess.vitals import news2_components

    c = _news_cases()
    args = [c[k] for k in ("heart_rate", "sbp", "resp_rate", "spo2", "temperature", "on_oxygen", "confused")]
    got = np.asarray(call_student(news2_score, *args, exercise=NEWS))
    if got.shape != c["sbp"].shape:
        raise ExerciseError(f"{NEWS}: give one score per row (shape {c['sbp'].shape}), got shape {got.shape}. "
                            "Work on whole arrays (np.where, np.select or np.searchsorted), not one value.")
    parts = news2_components(*args)
    want = sum(parts.values())
    wrong = np.flatnonzero(got != want)
    if len(wrong) == 0:
        passed(NEWS, f"{len(want)} rows, every band edge of the RCP chart, scores 0-{want.max()}")
        return
    i = wrong[0]
    row = ", ".join(f"{k}={c[k][i]:g}" for k in c)
    # Which parameter is off? Edge rows change one parameter from normal.
    for name in EDGES:
        edge_rows = np.flatnonzero(np.isin(np.arange(len(want)), wrong) & (c[name] != NORMAL[name]))
        if len(edge_rows) and edge_rows[0] < sum(len(v) for v in EDGES.values()):
            j = edge_rows[0]
            raise ExerciseError(f"{NEWS}: with {name} = {c[name][j]:g} (all else normal) you give "
                                f"{got[j]:g}, the chart gives {want[j]}. Check that band of the {name} "
                                "row: the chart's bands include both printed ends (e.g. 12-20 means "
                                "12 <= x <= 20).")
    if c["on_oxygen"][i] and got[i] == want[i] - 2:
        raise ExerciseError(f"{NEWS}: a patient on supplemental oxygen scores 2 extra points "
                            "('Air or oxygen?' row); your score leaves them out.")
    if c["confused"][i] and got[i] == want[i] - 3:
        raise ExerciseError(f"{NEWS}: new confusion (or V, P, U on ACVPU) scores 3 points; yours does not.")
    raise ExerciseError(f"{NEWS}: for the row {row} you give {got[i]:g}, the chart gives {want[i]}. "
                        "Add the seven parameter scores: RR, SpO2 (scale 1), air/oxygen, SBP, pulse, "
                        "consciousness, temperature.")


@exercise_check(FILL, reference="course_lib.preprocess.vitals:locf_mask_delta")
def check_forward_fill(forward_fill: Callable) -> None:
    """Check forward_fill(values) -> (filled, mask, delta) on a small chart with known answers."""
    nan = np.nan
    chart = np.array([[[nan, 36.9], [80, nan], [nan, nan], [85, 37.5], [nan, nan]]])  # (1, 5, 2)
    want_fill = np.array([[[nan, 36.9], [80, 36.9], [80, 36.9], [85, 37.5], [85, 37.5]]])
    want_mask = np.array([[[0, 1], [1, 0], [0, 0], [1, 1], [0, 0]]], float)
    want_delta = np.array([[[1, 0], [0, 1], [1, 2], [0, 0], [1, 1]]], float)
    out = call_student(forward_fill, chart.copy(), exercise=FILL)
    if not isinstance(out, tuple) or len(out) != 3:
        raise ExerciseError(f"{FILL}: return three arrays (filled, mask, delta).")
    filled, mask, delta = (np.asarray(a, float) for a in out)
    for name, a in (("filled", filled), ("mask", mask), ("delta", delta)):
        if a.shape != chart.shape:
            raise ExerciseError(f"{FILL}: {name} has shape {a.shape}; keep the chart's shape {chart.shape}.")
    if not np.array_equal(mask, want_mask):
        raise ExerciseError(f"{FILL}: the mask should be 1 where a value was charted in that hour, 0 "
                            "where it is NaN (look at the raw chart, not the filled one).")
    if not np.isnan(filled[0, 0, 0]):
        if filled[0, 0, 0] == 80:
            raise ExerciseError(f"{FILL}: hour 0 has no heart rate, and you filled in 80, charted at hour 1: "
                                "never fill from the future (a live alarm cannot know it). Carry values forward only.")
        raise ExerciseError(f"{FILL}: before the first observation there is nothing to carry forward: "
                            "leave NaN there (the model code fills it with a normal value later).")
    if not np.array_equal(np.nan_to_num(filled, nan=-1), np.nan_to_num(want_fill, nan=-1)):
        if np.isnan(filled[0, 2, 0]):
            raise ExerciseError(f"{FILL}: hour 2 has no heart rate; carry hour 1's value (80) forward.")
        raise ExerciseError(f"{FILL}: carry each channel's LAST observed value forward in time (axis 1), "
                            "channel by channel and patient by patient; never fill from the future.")
    if np.any(delta[want_mask == 1] != 0):
        raise ExerciseError(f"{FILL}: delta is 0 in an hour that has its own observation (the value "
                            "is fresh); count from that hour on.")
    if not np.array_equal(delta, want_delta):
        raise ExerciseError(f"{FILL}: delta should count the hours since the last charted value "
                            f"(0 when charted that hour; hour t + 1 if never charted yet). Expected "
                            f"heart-rate deltas {want_delta[0, :, 0].tolist()}, got {delta[0, :, 0].tolist()}.")
    rng = np.random.default_rng(3)
    big = np.where(rng.random((4, 30, 3)) < 0.6, np.nan, rng.normal(size=(4, 30, 3)))
    from course_lib.preprocess.vitals import locf_mask_delta

    ref = locf_mask_delta(big)
    got = call_student(forward_fill, big.copy(), exercise=FILL)
    for r, g in zip(ref, got, strict=True):
        if not np.array_equal(np.nan_to_num(r, nan=-9), np.nan_to_num(np.asarray(g, float), nan=-9)):
            raise ExerciseError(f"{FILL}: right on the small chart, wrong on a (4 patients, 30 h, 3) "
                                "chart: make sure nothing leaks across patients or channels.")
    passed(FILL, "values carried forward, masks and hours-since-last-observation as GRU-D uses them")


@exercise_check(ALARM, reference="course_lib.training.early_warning:choose_ward_threshold")
def check_alarm_threshold(choose_alarm_threshold: Callable, table, budget: float = 2.0) -> None:
    """Check the chosen cut-off against the validation table of alarms, detection and lead time."""
    got = call_student(choose_alarm_threshold, table.copy(), budget, exercise=ALARM)
    try:
        cut = float(got)
    except (TypeError, ValueError):
        raise ExerciseError(f"{ALARM}: return one cut-off (a float from the table's index).") from None
    match = [c for c in table.index if abs(c - cut) < 1e-9]
    if not match:
        raise ExerciseError(f"{ALARM}: {cut} is not one of the table's cut-offs {list(table.index)}; "
                            "the numbers that defend a choice exist only for those.")
    row = table.loc[match[0]]
    ok = table[table["alarms / patient-day"] <= budget]
    if row["alarms / patient-day"] > budget:
        raise ExerciseError(f"{ALARM}: at {cut} the ward gets {row['alarms / patient-day']:.2f} alarms per "
                            f"patient-day, over the budget of {budget} (one nurse, 8 patients). Nurses "
                            "who are called too often stop answering: raise the cut-off.")
    best = ok["septic detected"].max()
    if row["septic detected"] < best - 0.02:
        raise ExerciseError(f"{ALARM}: at {cut} only {row['septic detected']:.0%} of septic patients are "
                            f"alarmed in time; within the same alarm budget another cut-off reaches "
                            f"{best:.0%}. Spend the budget: lower the cut-off as far as it allows.")
    lead = ok[ok["septic detected"] >= best - 0.02]["median lead time (h)"].max()
    if row["median lead time (h)"] < lead - 1:
        raise ExerciseError(f"{ALARM}: {cut} detects as many, but {row['median lead time (h)']:.1f} h ahead; "
                            f"another cut-off within budget warns {lead:.1f} h ahead. Earlier is better.")
    passed(ALARM, f"cut-off {cut}: {row['alarms / patient-day']:.2f} alarms per patient-day, "
                  f"{row['septic detected']:.0%} of septic patients alarmed, median "
                  f"{row['median lead time (h)']:.1f} h before onset")
