"""PhysioNet/CinC 2019 sepsis challenge: hourly pipe-separated ICU files as WardStays (notebook 08).

Each patient is one `pXXXXXX.psv` file: a header, then one row per ICU hour with 40 variables
(NaN where not measured) and SepsisLabel (1 from 6 h before the Sepsis-3 onset t_sepsis).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.synth.ward import WardStays

COLUMNS = ("HR|O2Sat|Temp|SBP|MAP|DBP|Resp|EtCO2|BaseExcess|HCO3|FiO2|pH|PaCO2|SaO2|AST|BUN|"
           "Alkalinephos|Calcium|Chloride|Creatinine|Bilirubin_direct|Glucose|Lactate|Magnesium|"
           "Phosphate|Potassium|Bilirubin_total|TroponinI|Hct|Hgb|PTT|WBC|Fibrinogen|Platelets|"
           "Age|Gender|Unit1|Unit2|HospAdmTime|ICULOS|SepsisLabel").split("|")
# Our chart's channels from the challenge's columns (consciousness is not in the data).
VITAL_COLUMNS = ("HR", "SBP", "DBP", "Resp", "O2Sat", "Temp")
LAB_COLUMNS = ("Lactate", "WBC", "Creatinine", "Platelets", "Bilirubin_total")
# Challenge facts quoted in notebook 08 (Reyna et al., Crit Care Med 2020).
CHALLENGE = {"public training patients": 40_336, "hospital systems (public)": 2,
             "hospital systems (scored)": 3, "teams": 104, "best test utility": 0.36}


def physionet2019_dir() -> Path:
    """Where the challenge data lives: COURSE_DATA_DIR/physionet2019 (training_setA/, training_setB/)."""
    from course_lib.setup import data_dir

    return data_dir() / "physionet2019"


def psv_files(root: Path | None = None) -> list[Path]:
    """All patient files under root, sorted (set A then set B)."""
    root = Path(root) if root else physionet2019_dir()
    return sorted(root.rglob("p*.psv")) if root.is_dir() else []


def physionet2019_available(root: Path | None = None) -> bool:
    """True when at least one patient file is present."""
    return bool(psv_files(root))


def read_psv(path: Path) -> pd.DataFrame:
    """One patient's hourly table, checked against the challenge's 41 columns."""
    frame = pd.read_csv(path, sep="|", na_values=["NaN", ""])
    if list(frame.columns) != COLUMNS:
        missing = sorted(set(COLUMNS) - set(frame.columns))
        raise ValueError(f"{path.name} is not a PhysioNet 2019 file: columns differ (missing {missing[:5]}); "
                         "fetch the data again with python data_scripts/fetch_physionet2019.py")
    return frame


def load_physionet2019(root: Path | None = None, max_patients: int | None = None,
                       hours: int = 48) -> WardStays:
    """The challenge's patients as WardStays: the first `hours` ICU hours of each (notebook 08).

    Oxygen: FiO2 > 0.21 when charted. Labs are placed in their row's hour (the challenge
    binned them). No medications, notes or consciousness: those channels are empty (NaN/0).
    onset = first SepsisLabel row + 6 (the challenge's t_sepsis), NaN if never septic.
    """
    files = psv_files(root)
    if not files:
        raise FileNotFoundError(f"no pXXXXXX.psv files under {Path(root) if root else physionet2019_dir()}; "
                                "fetch them with python data_scripts/fetch_physionet2019.py")
    files = files[:max_patients] if max_patients else files
    n = len(files)
    vitals = np.full((n, hours, 8), np.nan, np.float32)
    labs = np.full((n, hours, 5), np.nan, np.float32)
    length, onset = np.zeros(n, int), np.full(n, np.nan)
    for i, path in enumerate(files):
        f = read_psv(path).iloc[:hours]
        L = len(f)
        length[i] = L
        vitals[i, :L, :6] = f[list(VITAL_COLUMNS)].to_numpy()
        fio2 = f["FiO2"].to_numpy()
        vitals[i, :L, 6] = np.where(np.isnan(fio2), np.nan, fio2 > 0.21)
        labs[i, :L] = f[list(LAB_COLUMNS)].to_numpy()
        label = f["SepsisLabel"].to_numpy()
        if label.any():
            onset[i] = float(np.argmax(label)) + 6
    t = np.arange(hours, dtype=np.float32)[None, :, None] + 0.5
    vtime = np.where(np.isnan(vitals), np.nan, t).astype(np.float32)
    notes = pd.DataFrame({"patient": pd.Series(dtype=int), "time": pd.Series(dtype=float),
                          "text": pd.Series(dtype=str)})
    return WardStays(vitals, vtime, labs, labs.copy(), np.zeros((n, hours, 3), np.float32), notes, length,
                     onset, np.full(n, np.nan), np.zeros((n, hours), np.float32), np.zeros(n, bool),
                     np.zeros(n))
