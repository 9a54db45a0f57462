"""MIMIC-IV-ED loader on a tiny fixture written in the real layout (ed/*.csv.gz, real column names)."""

import numpy as np
import pandas as pd
import pytest

from course_lib.datasets.mimic_ed import load_mimic_ed, load_vitals_series, to_course_vitals
from course_lib.datasets.registry import REAL_DATASETS
from course_lib.synth.vitals import VITAL_NAMES


@pytest.fixture()
def root(tmp_path):
    ed = tmp_path / "ed"
    ed.mkdir()
    pd.DataFrame({
        "subject_id": [10000032, 10000117, 10000935], "hadm_id": [22841357, np.nan, 21738619],
        "stay_id": [38112554, 32642808, 35197384],
        "intime": ["2180-06-26 15:54:00", "2181-11-14 21:51:00", "2187-07-11 09:26:00"],
        "outtime": ["2180-06-26 21:31:00", "2181-11-15 02:06:42", "2187-07-11 13:07:28"],
        "gender": ["F", "F", "M"], "race": ["WHITE", "WHITE", "BLACK/AFRICAN AMERICAN"],
        "arrival_transport": ["AMBULANCE", "WALK IN", "AMBULANCE"], "disposition": ["ADMITTED", "HOME", "ADMITTED"],
    }).to_csv(ed / "edstays.csv.gz", index=False)
    pd.DataFrame({
        "subject_id": [10000032, 10000117, 10000935], "stay_id": [38112554, 32642808, 35197384],
        "temperature": [98.9, 97.6, np.nan], "heartrate": [88.0, 81.0, 120.0], "resprate": [18.0, 16.0, 20.0],
        "o2sat": [97.0, 100.0, 98.0], "sbp": [116.0, 148.0, 121.0], "dbp": [88.0, 83.0, 77.0],
        "pain": ["10", "0", "uta"], "acuity": [3.0, np.nan, 2.0],
        "chiefcomplaint": ["Abdominal distention", "Throat foreign body sensation", "Chest pain"],
    }).to_csv(ed / "triage.csv.gz", index=False)
    pd.DataFrame({
        "subject_id": [10000032, 10000032, 10000935], "stay_id": [38112554, 38112554, 35197384],
        "charttime": ["2180-06-26 18:20:00", "2180-06-26 16:05:00", "2187-07-11 10:00:00"],
        "temperature": [98.2, 99.0, 1000.0], "heartrate": [82.0, 90.0, 110.0], "resprate": [16.0, 18.0, 20.0],
        "o2sat": [98.0, 97.0, 99.0], "sbp": [110.0, 118.0, 125.0], "dbp": [70.0, 75.0, 80.0],
        "rhythm": [np.nan, "Sinus Rhythm", np.nan], "pain": ["8", "9", "0"],
    }).to_csv(ed / "vitalsign.csv.gz", index=False)
    return tmp_path


def test_triage_table_in_course_schema(root):
    visits = load_mimic_ed(root)
    assert len(visits) == 3 and list(visits.columns[:5]) == ["subject_id", "stay_id", "sex", "arrival_transport",
                                                             "disposition"]
    assert visits.loc[0, "temperature"] == pytest.approx((98.9 - 32) * 5 / 9)  # Fahrenheit to Celsius
    assert visits.loc[2, "heart_rate"] == 120 and np.isnan(visits.loc[2, "temperature"])
    assert np.isnan(visits.loc[1, "esi"]) and visits.loc[2, "esi"] == 2
    assert visits["admitted"].tolist() == [True, False, True] and visits.loc[2, "complaint"] == "Chest pain"
    assert set(VITAL_NAMES) <= set(visits.columns)


def test_vitals_series_hours_and_typos(root):
    series = load_vitals_series(root, stay_ids=[38112554, 35197384])
    first = series[series.stay_id == 38112554]
    assert first["hours"].tolist() == pytest.approx([(16 * 60 + 5 - (15 * 60 + 54)) / 60, (18 * 60 + 20 - 954) / 60])
    assert np.isnan(series[series.stay_id == 35197384]["temperature"].iloc[0])  # 1000 F is a charting slip
    assert to_course_vitals(pd.DataFrame({"heartrate": ["uta"], "sbp": [120], "dbp": [80], "resprate": [16],
                                          "o2sat": [99], "temperature": [98.6]})).iloc[0].isna().sum() == 1


def test_missing_tables_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="fetch_mimic_ed.py"):
        load_mimic_ed(tmp_path)
    assert any(ds.folder == "mimic-iv-ed" and ds.script == "fetch_mimic_ed.py" for ds in REAL_DATASETS)


def test_physionet_login_without_a_user_says_how_to_get_access(monkeypatch):
    from course_lib.datasets.download import physionet_login

    monkeypatch.delenv("PHYSIONET_USER", raising=False)
    with pytest.raises(SystemExit, match="credentialed"):
        physionet_login("MIMIC needs credentialed PhysioNet access.")
