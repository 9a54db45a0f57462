"""A day in the waiting room as a discrete-event simulation (SimPy): arrivals, triage, doctors, queue by level (notebook 15).

Patients arrive as a Poisson process whose rate follows the hour of the day, are triaged by a
nurse (first come, first served), then wait for a doctor: the doctor takes the most urgent level
first (ESI 1 before 2 ...), first come first served within a level. Both arms of a comparison see
the same days: the same arrival times, the same patients, the same consultation times (common
random numbers); only the triage levels differ. All times in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

# Relative arrival rate by hour 0-23 (course choice: the usual ED shape, lowest around 4-6 am,
# highest late morning to early afternoon, a second shoulder in the evening). Mean = 1.
HOURLY_PATTERN = np.array([0.55, 0.45, 0.38, 0.33, 0.30, 0.32, 0.45, 0.70, 1.05, 1.35, 1.50, 1.52,
                           1.48, 1.42, 1.38, 1.32, 1.28, 1.25, 1.22, 1.15, 1.05, 0.92, 0.80, 0.65])
HOURLY_PATTERN = HOURLY_PATTERN / HOURLY_PATTERN.mean()
# Median doctor time per patient by ESI level, minutes (course choice; lognormal, sd 0.5 in log).
CONSULT_MINUTES = {1: 60.0, 2: 40.0, 3: 30.0, 4: 15.0, 5: 10.0}
TRIAGE_MINUTES = 5.0  # mean nurse triage time (exponential)


@dataclass(frozen=True)
class EDConfig:
    """Size of the department and of its day (notebook 15)."""

    arrivals_per_day: float = 120.0
    nurses: int = 1
    doctors: int = 4


def arrival_times(rng: np.random.Generator, per_day: float, hours: float = 24.0) -> np.ndarray:
    """Arrival minutes of one day: a Poisson process with rate per_day * HOURLY_PATTERN / 24 per hour, by thinning."""
    peak = per_day / 24.0 * HOURLY_PATTERN.max() / 60.0  # per minute
    n = rng.poisson(peak * hours * 60.0)
    t = np.sort(rng.uniform(0, hours * 60.0, n))
    keep = rng.random(n) < HOURLY_PATTERN[(t // 60).astype(int) % 24] / HOURLY_PATTERN.max()
    return t[keep]


def _patient(env, nurse, doctor, record: dict, arrive: float, triage: float, consult: float):
    """One patient's path: arrive, queue for the nurse, then for a doctor by level; note when seen."""
    yield env.timeout(arrive)
    with nurse.request() as req:
        yield req
        yield env.timeout(triage)
    with doctor.request(priority=record["level"]) as req:  # lower number = served first
        yield req
        record["seen"] = env.now
        yield env.timeout(consult)


def simulate_day(levels: dict[str, np.ndarray], critical: np.ndarray, seed: int,
                 config: EDConfig = EDConfig()) -> pd.DataFrame:
    """One simulated day for every arm: a row per patient and arm with door-to-doctor minutes (notebook 15).

    levels: arm name -> (N,) ESI level of each patient of the pool; critical: (N,) truth. The day's
    patients are drawn from the pool with replacement; every arm sees the same draws.
    """
    critical = np.asarray(critical, bool)
    sizes = {len(critical), *(len(v) for v in levels.values())}
    if len(sizes) != 1:
        raise ValueError("every arm needs one level per patient of the pool, like `critical`")
    rng = np.random.default_rng(seed)
    arrive = arrival_times(rng, config.arrivals_per_day)
    who = rng.integers(0, len(critical), len(arrive))
    triage_time = rng.exponential(TRIAGE_MINUTES, len(arrive))
    unit = np.exp(rng.normal(0, 0.5, len(arrive)))  # each patient's consult-time factor, shared by arms
    rows = []
    for arm, lv in levels.items():
        env = simpy.Environment()
        nurse = simpy.Resource(env, capacity=config.nurses)
        doctor = simpy.PriorityResource(env, capacity=config.doctors)

        records = []
        for k in range(len(arrive)):
            rec = {"arm": arm, "patient": int(who[k]), "arrival": arrive[k], "level": int(lv[who[k]]),
                   "critical": bool(critical[who[k]]), "seen": np.nan}
            records.append(rec)
            env.process(_patient(env, nurse, doctor, rec, arrive[k], triage_time[k],
                                 CONSULT_MINUTES[rec["level"]] * unit[k]))
        env.run(until=24 * 60 * 2)  # let the day's queue empty (no new arrivals after 24 h)
        rows += records
    out = pd.DataFrame(rows)
    out["door_to_doctor"] = out["seen"] - out["arrival"]
    return out


def simulate_days(levels: dict[str, np.ndarray], critical: np.ndarray, n_days: int = 30, seed: int = 0,
                  config: EDConfig = EDConfig()) -> pd.DataFrame:
    """n_days simulated days (seeds seed .. seed + n_days - 1), all rows with a `day` column (notebook 15)."""
    return pd.concat([simulate_day(levels, critical, seed + d, config).assign(day=d) for d in range(n_days)],
                     ignore_index=True)


def door_to_doctor_summary(days: pd.DataFrame, by: str = "arm", mask=None) -> pd.DataFrame:
    """Mean door-to-doctor minutes per arm: the mean over days and its 95% CI (t over days) (notebook 15).

    mask: optional boolean Series over rows (e.g. critical patients only). The day is the unit: its
    patients share one queue, so they are not independent.
    """
    from scipy import stats

    sel = days if mask is None else days[mask]
    per_day = sel.groupby([by, "day"])["door_to_doctor"].mean().unstack(by)  # (days, arms)
    rows = {}
    for arm in per_day.columns:
        x = per_day[arm].dropna().to_numpy()
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else np.nan
        rows[arm] = {"mean minutes": x.mean(), "95% CI low": x.mean() - half, "95% CI high": x.mean() + half,
                     "days": len(x), "patients": int(sel[sel[by] == arm].shape[0])}
    return pd.DataFrame(rows).T


def paired_difference(days: pd.DataFrame, arm: str, reference: str, mask=None) -> dict[str, float]:
    """Mean per-day difference in door-to-doctor minutes (arm - reference) and its 95% CI (notebook 15).

    Both arms see the same simulated days, so the per-day difference cancels the day's own
    crowding: a much tighter interval than comparing the two arms' separate intervals.
    """
    from scipy import stats

    sel = days if mask is None else days[mask]
    per_day = sel.groupby(["arm", "day"])["door_to_doctor"].mean().unstack("arm")
    diff = (per_day[arm] - per_day[reference]).dropna().to_numpy()
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return {"difference (min)": float(diff.mean()), "95% CI low": float(diff.mean() - half),
            "95% CI high": float(diff.mean() + half), "days": len(diff)}
