"""MIMIC-IV-ED 2.2 loader: ED stays, triage and vitals mapped to the course's triage schema (notebook 15).

MIMIC-IV-ED (Johnson et al., PhysioNet 2023; credentialed) ships one CSV per table under ed/:
edstays (subject_id, hadm_id, stay_id, intime, outtime, gender, race, arrival_transport,
disposition), triage (subject_id, stay_id, temperature, heartrate, resprate, o2sat, sbp, dbp, pain,
acuity, chiefcomplaint) and vitalsign (subject_id, stay_id, charttime, temperature, heartrate,
resprate, o2sat, sbp, dbp, rhythm, pain). Temperatures are in Fahrenheit; `acuity` is the ESI
level the triage nurse gave. Values are charted by hand: out-of-range entries become NaN here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.synth.vitals import VITAL_NAMES

TABLES = ("edstays", "triage", "vitalsign")
# MIMIC-IV-ED column -> the course's vital name (course_lib.synth.vitals.VITAL_NAMES order).
VITAL_COLUMNS = {"heartrate": "heart_rate", "sbp": "sbp", "dbp": "dbp", "resprate": "resp_rate",
                 "o2sat": "spo2", "temperature": "temperature"}
# Plausible charted ranges in course units (beyond them: a typo or a unit slip).
PLAUSIBLE = {"heart_rate": (20, 300), "sbp": (40, 300), "dbp": (10, 200), "resp_rate": (3, 80),
             "spo2": (40, 100), "temperature": (25, 45)}


def _table(root: Path, name: str) -> pd.DataFrame:
    for candidate in (root / "ed" / f"{name}.csv.gz", root / "ed" / f"{name}.csv", root / f"{name}.csv.gz",
                      root / f"{name}.csv"):
        if candidate.exists():
            return pd.read_csv(candidate)
    raise FileNotFoundError(f"MIMIC-IV-ED table {name}.csv(.gz) not found under {root} (or {root}/ed). "
                            "Fetch it with `python data_scripts/fetch_mimic_ed.py` (credentialed PhysioNet access).")


def to_course_vitals(frame: pd.DataFrame) -> pd.DataFrame:
    """MIMIC vital columns -> the course's names and units (F -> C), implausible values -> NaN (notebook 15)."""
    out = pd.DataFrame(index=frame.index)
    for src, name in VITAL_COLUMNS.items():
        values = pd.to_numeric(frame[src], errors="coerce")  # charted free text such as "uta" -> NaN
        if name == "temperature":
            values = (values - 32.0) * 5.0 / 9.0
        lo, hi = PLAUSIBLE[name]
        out[name] = values.where(values.between(lo, hi))
    return out[list(VITAL_NAMES)]


def load_mimic_ed(root) -> pd.DataFrame:
    """One row per ED stay: ids, sex, arrival, triage vitals (course units), complaint, ESI, disposition (notebook 15)."""
    root = Path(root)
    stays, triage = _table(root, "edstays"), _table(root, "triage")
    missing = {"subject_id", "stay_id", "acuity", "chiefcomplaint", *VITAL_COLUMNS} - set(triage.columns)
    if missing:
        raise ValueError(f"triage table lacks columns {sorted(missing)}: is this MIMIC-IV-ED's triage.csv?")
    merged = stays.merge(triage.drop(columns="subject_id"), on="stay_id", how="inner", validate="one_to_one")
    out = merged[["subject_id", "stay_id", "gender", "arrival_transport", "disposition"]].rename(
        columns={"gender": "sex"})
    out["intime"] = pd.to_datetime(merged["intime"])
    out = pd.concat([out, to_course_vitals(merged)], axis=1)
    out["complaint"] = merged["chiefcomplaint"].fillna("").astype(str)
    out["esi"] = pd.to_numeric(merged["acuity"], errors="coerce")  # NaN where the nurse charted none
    out["admitted"] = merged["disposition"].astype(str).str.upper().eq("ADMITTED")
    return out.reset_index(drop=True)


def load_vitals_series(root, stay_ids=None) -> pd.DataFrame:
    """The repeated vitals of each stay (long format, course units), with hours since arrival (notebook 15)."""
    root = Path(root)
    vitals, stays = _table(root, "vitalsign"), _table(root, "edstays")[["stay_id", "intime"]]
    if stay_ids is not None:
        vitals = vitals[vitals["stay_id"].isin(np.asarray(stay_ids))]
    vitals = vitals.merge(stays, on="stay_id", how="left")
    hours = (pd.to_datetime(vitals["charttime"]) - pd.to_datetime(vitals["intime"])).dt.total_seconds() / 3600
    out = pd.concat([vitals[["stay_id"]], hours.rename("hours"), to_course_vitals(vitals),
                     vitals[["rhythm"]]], axis=1)
    return out.sort_values(["stay_id", "hours"]).reset_index(drop=True)
