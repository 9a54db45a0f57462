"""Notebook 15's waiting-room simulation: arrivals, priority by level, same days in both arms, CIs."""

import numpy as np
import pytest

from course_lib.synth.ed_flow import (
    HOURLY_PATTERN,
    EDConfig,
    arrival_times,
    door_to_doctor_summary,
    paired_difference,
    simulate_day,
    simulate_days,
)


def test_arrivals_follow_the_hourly_pattern():
    rng = np.random.default_rng(0)
    t = np.concatenate([arrival_times(rng, 120.0) for _ in range(200)])
    assert len(t) / 200 == pytest.approx(120, rel=0.05)
    per_hour = np.bincount((t // 60).astype(int), minlength=24) / 200
    assert np.corrcoef(per_hour, HOURLY_PATTERN)[0, 1] > 0.95
    assert per_hour[10] > 3 * per_hour[4]  # late morning busy, small hours quiet


def test_priority_and_common_random_numbers():
    rng = np.random.default_rng(1)
    critical = rng.random(300) < 0.3
    good = np.where(critical, 2, 4)
    bad = np.where(critical, 4, 2)  # every critical patient under-triaged
    day = simulate_day({"good": good, "bad": bad}, critical, seed=3, config=EDConfig(arrivals_per_day=160, doctors=3))
    a, b = day[day.arm == "good"], day[day.arm == "bad"]
    np.testing.assert_array_equal(a["arrival"].to_numpy(), b["arrival"].to_numpy())  # same day for both arms
    np.testing.assert_array_equal(a["patient"].to_numpy(), b["patient"].to_numpy())
    assert day["door_to_doctor"].notna().all() and (day["door_to_doctor"] >= 0).all()
    assert a[a.critical]["door_to_doctor"].mean() < b[b.critical]["door_to_doctor"].mean()


def test_summary_and_paired_difference():
    rng = np.random.default_rng(2)
    critical = rng.random(200) < 0.3
    days = simulate_days({"good": np.where(critical, 2, 4), "bad": np.where(critical, 4, 2)}, critical, n_days=6,
                         seed=0, config=EDConfig(arrivals_per_day=150, doctors=3))
    table = door_to_doctor_summary(days, mask=days["critical"])
    assert set(table.index) == {"good", "bad"} and (table["95% CI low"] <= table["mean minutes"]).all()
    diff = paired_difference(days, "good", "bad", mask=days["critical"])
    assert diff["difference (min)"] < 0 and diff["95% CI low"] <= diff["difference (min)"] <= diff["95% CI high"]
    assert simulate_days({"x": np.full(200, 3)}, critical, n_days=2, seed=0).equals(
        simulate_days({"x": np.full(200, 3)}, critical, n_days=2, seed=0))  # deterministic


def test_bad_input():
    with pytest.raises(ValueError, match="one level per patient"):
        simulate_day({"a": np.ones(5, int)}, np.zeros(6, bool), seed=0)
