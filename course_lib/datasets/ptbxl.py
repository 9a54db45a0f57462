"""PTB-XL (Wagner et al. 2020): 21,799 12-lead ECGs, 10 s, at 100 and 500 Hz (notebook 05).

Layout under COURSE_DATA_DIR/ptbxl (as PhysioNet ships it): ptbxl_database.csv,
scp_statements.csv, records100/NNNNN/XXXXX_lr.{hea,dat}, records500/NNNNN/XXXXX_hr.{hea,dat}.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd

SUPERCLASSES = ("NORM", "MI", "STTC", "CD", "HYP")  # the diagnostic superclasses
TRAIN_FOLDS, VAL_FOLD, TEST_FOLD = tuple(range(1, 9)), 9, 10  # the recommended split
# Best macro AUCs of the PTB-XL benchmark (Strodthoff et al. 2021, IEEE JBHI).
# Best test-fold macro AUCs of Strodthoff et al., IEEE JBHI 25:1519 (2021), Table/leaderboard per task.
# The five superclasses this loader returns are the "superdiagnostic" task.
BENCHMARK_MACRO_AUC = {"all statements": 0.925, "diagnostic": 0.937, "superdiagnostic": 0.930,
                       "rhythm": 0.957}
FETCH = "python data_scripts/fetch_ptbxl.py"


def ptbxl_dir() -> Path:
    """Where PTB-XL lives: COURSE_DATA_DIR/ptbxl."""
    from course_lib.setup import data_dir

    return data_dir() / "ptbxl"


def ptbxl_available(root: Path | None = None) -> bool:
    """True when the PTB-XL tables are present (records are checked when read)."""
    root = Path(root) if root else ptbxl_dir()
    return (root / "ptbxl_database.csv").exists() and (root / "scp_statements.csv").exists()


def load_ptbxl_table(root: Path | None = None) -> pd.DataFrame:
    """The metadata table by ecg_id, scp_codes as dicts, plus a `superclasses` list column (notebook 05)."""
    root = Path(root) if root else ptbxl_dir()
    if not ptbxl_available(root):
        raise FileNotFoundError(f"PTB-XL is not in {root} (no ptbxl_database.csv / scp_statements.csv). "
                                f"Fetch it with `{FETCH}` (1.7 GB, open access).")
    table = pd.read_csv(root / "ptbxl_database.csv", index_col="ecg_id")
    table["scp_codes"] = table["scp_codes"].apply(ast.literal_eval)  # "{'NORM': 100.0}" -> dict
    statements = pd.read_csv(root / "scp_statements.csv", index_col=0)
    diagnostic = statements[statements["diagnostic"] == 1]["diagnostic_class"]
    table["superclasses"] = table["scp_codes"].apply(
        lambda codes: sorted({diagnostic[c] for c in codes if c in diagnostic.index}))
    return table


def superclass_labels(table: pd.DataFrame) -> np.ndarray:
    """(n, 5) float32 multi-hot over SUPERCLASSES (notebook 05)."""
    return np.array([[c in s for c in SUPERCLASSES] for s in table["superclasses"]], np.float32)


def split(table: pd.DataFrame) -> dict:
    """The standard split by strat_fold: folds 1-8 train, 9 validation, 10 test (notebook 05)."""
    fold = table["strat_fold"]
    return {"train": table[fold.isin(TRAIN_FOLDS)], "val": table[fold == VAL_FOLD],
            "test": table[fold == TEST_FOLD]}


def read_record(root: Path, filename: str) -> tuple[np.ndarray, dict]:
    """One record as (T, 12) float32 mV and its header fields; clear errors for bad files (notebook 05)."""
    import wfdb

    path = Path(root) / filename
    if not path.with_suffix(".hea").exists():
        raise FileNotFoundError(f"{path}.hea is missing: the PTB-XL download is incomplete; "
                                f"run `{FETCH}` again (it resumes).")
    try:
        signal, fields = wfdb.rdsamp(str(path))
    except Exception as err:  # wfdb raises many kinds for a damaged header or signal file
        raise ValueError(f"{path}.hea/.dat could not be read by wfdb ({type(err).__name__}: {err}). "
                         f"The file is damaged: delete it and run `{FETCH}` again.") from err
    return signal.astype(np.float32), fields


def load_ptbxl(root: Path | None = None, sampling_rate: int = 100, max_records: int | None = None,
               folds: tuple | None = None) -> dict:
    """X (n, T, 12) mV, y (n, 5) superclass multi-hot, and the table rows (notebook 05)."""
    if sampling_rate not in (100, 500):
        raise ValueError("PTB-XL ships records at 100 Hz (records100) and 500 Hz (records500)")
    root = Path(root) if root else ptbxl_dir()
    table = load_ptbxl_table(root)
    if folds is not None:
        table = table[table["strat_fold"].isin(folds)]
    if max_records is not None:
        table = table.iloc[:max_records]
    column = "filename_lr" if sampling_rate == 100 else "filename_hr"
    records = [read_record(root, name) for name in table[column]]
    leads = records[0][1]["sig_name"] if records else []
    X = np.stack([r[0] for r in records]) if records else np.zeros((0, 10 * sampling_rate, 12))
    return {"X": X, "y": superclass_labels(table), "table": table, "leads": leads,
            "fs": sampling_rate}
