"""make grade: submissions run in fresh kernels; solved, empty and broken ones each give clear rows."""

import csv

import nbformat
import pytest

from course_lib.tools import grade

SOLVED = '''def heart_rate_bpm(lead, fs):
    peaks, _ = find_peaks(lead, height=0.5 * np.max(lead), distance=int(0.3 * fs))
    return 60.0 / np.median(np.diff(peaks) / fs)'''
EMPTY = '''def heart_rate_bpm(lead, fs):
    raise NotImplementedError()'''
WRONG = '''def heart_rate_bpm(lead, fs):
    return 60.0'''


def _notebook(path, exercise_cell, check=True, extra=()):
    cells = ["import numpy as np\nfrom scipy.signal import find_peaks\nfrom course_lib import checks\n"
             "lead = checks.tour._simulated_lead(75, 500, 0)", exercise_cell, *extra]
    if check:
        cells.append("heart_rate_bpm = checks.check_heart_rate(heart_rate_bpm, lead, 500)\n"
                     "print(heart_rate_bpm(lead, 500))")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    _notebook(folder / "ana_00_course_tour.ipynb", SOLVED)
    _notebook(folder / "ben_00_course_tour.ipynb", EMPTY)
    _notebook(folder / "cho_00_course_tour.ipynb", WRONG)
    _notebook(folder / "dan_00_course_tour.ipynb", SOLVED, check=False)  # check cell removed
    _notebook(folder / "eve_00_course_tour.ipynb", SOLVED, extra=["import time\ntime.sleep(60)"])
    (folder / "fay_00_course_tour.ipynb").write_text("{ not json")
    (folder / "notes.ipynb").write_text("{}")
    rows = grade.grade_folder(folder, timeout=8)
    # these submissions hold Exercise 00.1 only; 00.2's rows say "not run" for each of them
    first = [r for r in rows if r["exercise"] in ("Exercise 00.1 (heart rate)", "-")]
    return folder, {r["file"].split("_")[0]: r for r in first}


def test_each_submission_gets_a_clear_row(graded):
    _, rows = graded
    assert rows["ana"]["status"] == "passed"
    assert rows["ben"]["status"] == "not done" and "not done yet" in rows["ben"]["message"]
    assert rows["cho"]["status"] == "failed" and "bpm" in rows["cho"]["message"]
    assert rows["dan"]["status"] == "not run" and "did not run" in rows["dan"]["message"]
    assert rows["eve"]["status"] == "not run" and "longer than 8 s" in rows["eve"]["message"]
    assert rows["fay"]["status"] == "not run" and "not a readable notebook" in rows["fay"]["message"]
    assert rows["notes.ipynb"]["status"] == "error" and "does not name a course notebook" in rows["notes.ipynb"]["message"]
    assert {r["exercise"] for k, r in rows.items() if k != "notes.ipynb"} == {"Exercise 00.1 (heart rate)"}


def test_a_missing_exercise_is_not_run(graded):
    folder, _ = graded
    with open(folder / "grades.csv") as f:
        second = [r for r in csv.DictReader(f) if r["exercise"] == "Exercise 00.2 (a screening cut-off)"]
    assert len(second) == 6 and {r["status"] for r in second} == {"not run"}


def test_csv_files_are_written(graded):
    folder, _ = graded
    with open(folder / "grades.csv") as f:
        assert len(list(csv.DictReader(f))) == 13  # 6 submissions x 2 exercises + 1 unrelated file
    with open(folder / "grades_summary.csv") as f:
        summary = {r["file"]: r for r in csv.DictReader(f)}
    assert summary["ana_00_course_tour.ipynb"]["passed"] == "1"
    assert summary["ben_00_course_tour.ipynb"]["not done"] == "1"


def test_expected_exercises_come_from_the_source_notebook():
    assert grade.expected_exercises("11_fusion_strategies") == [
        "Exercise 11.1 (late fusion by averaging)", "Exercise 11.2 (late fusion by logistic stacking)",
        "Exercise 11.3 (a strategy for an ED where half the patients have no labs yet)",
        "Exercise 11.4 (cross-attention block)", "Exercise 11.5 (kNN patient-similarity graph)"]


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no .ipynb files"):
        grade.grade_folder(tmp_path)
