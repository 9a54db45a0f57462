"""Notebook 08: the PhysioNet 2019 loader on files written in the challenge's exact format."""

import numpy as np
import pytest

from course_lib.datasets.registry import REAL_DATASETS
from course_lib.datasets.vitals import (
    COLUMNS,
    load_physionet2019,
    physionet2019_available,
    read_psv,
)
from course_lib.preprocess.vitals import feature_blocks, news2_hourly


def write_psv(path, hours, septic_from=None, seed=0):
    """A patient file as PhysioNet ships it: '|'-separated, header row, 'NaN' for missing."""
    rng = np.random.default_rng(seed)
    lines = ["|".join(COLUMNS)]
    for h in range(hours):
        row = {c: "NaN" for c in COLUMNS}
        row.update(HR=f"{rng.normal(85, 5):.1f}", O2Sat="97", Age="68.5", Gender="1", Unit1="0", Unit2="1",
                   HospAdmTime="-3.02", ICULOS=str(h + 1),
                   SepsisLabel="1" if septic_from is not None and h >= septic_from else "0")
        if h % 2 == 0:
            row.update(SBP="118", DBP="64", MAP="82", Resp="18", Temp="37.2", FiO2="0.4")
        if h == 3:
            row.update(Lactate="2.6", WBC="13.1", Creatinine="1.2", Platelets="180", Bilirubin_total="0.8")
        lines.append("|".join(row[c] for c in COLUMNS))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "training_setA"
    folder.mkdir()
    write_psv(folder / "p000001.psv", 30, seed=1)
    write_psv(folder / "p000002.psv", 60, septic_from=20, seed=2)
    write_psv(folder / "p000003.psv", 12, septic_from=0, seed=3)
    return tmp_path


def test_read_and_load(root):
    assert physionet2019_available(root)
    frame = read_psv(root / "training_setA" / "p000002.psv")
    assert len(frame) == 60 and frame.columns.tolist() == COLUMNS and np.isnan(frame.loc[1, "SBP"])
    stays = load_physionet2019(root)
    assert len(stays) == 3 and stays.length.tolist() == [30, 48, 12]
    assert np.isnan(stays.onset[0]) and stays.onset[1] == 26 and stays.onset[2] == 6
    y = stays.labels()
    assert y[1, 19] == 0 and y[1, 20] == 1 and y[2, 0] == 1  # the challenge's SepsisLabel back
    assert stays.vitals[0, 0, 6] == 1 and np.isnan(stays.vitals[0, 1, 1])  # FiO2 0.4: on oxygen
    assert stays.labs[1, 3, 0] == pytest.approx(2.6)
    blocks, _ = feature_blocks(stays, fit=True)
    assert blocks["vitals"].shape == (3, 48, 27)
    assert np.nanmax(news2_hourly(stays)) <= 20


def test_bad_files_are_explained(tmp_path):
    (tmp_path / "p000009.psv").write_text("HR|O2Sat\n80|97\n")
    with pytest.raises(ValueError, match="not a PhysioNet 2019 file"):
        load_physionet2019(tmp_path)
    with pytest.raises(FileNotFoundError, match="fetch_physionet2019"):
        load_physionet2019(tmp_path / "empty")


def test_registry_entry():
    entry = [d for d in REAL_DATASETS if d.folder == "physionet2019"]
    assert entry and entry[0].script == "fetch_physionet2019.py" and "08" in entry[0].notebooks
