"""Grade student notebooks: run each in a fresh kernel, collect every exercise's check (issue 13).

`make grade SUBMISSIONS=path/` (or `python -m course_lib.tools.grade path/`) writes
`grades.csv` (file, notebook, exercise, status, message) and `grades_summary.csv` into the
folder. A broken submission (invalid JSON, a cell that never ends, a check removed) gives
clear rows; it never stops the run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
from pathlib import Path

import nbformat

from course_lib.tools.student import ROOT

STATUS_MARK = "__COURSE_GRADE_STATUS__"
REPORT_CELL = (  # run after the submission's own cells, in the same kernel
    "import json\nfrom course_lib.checks import _core\n"
    f"print({STATUS_MARK!r} + json.dumps(_core.STATUS))"
)
FIELDS = ["file", "notebook", "exercise", "status", "message"]


def notebook_of(path: Path) -> str | None:
    """The course notebook a submission belongs to, from its file name ('kim_05_ecg.ipynb' -> 05_ecg)."""
    match = re.search(r"(\d\d_[a-z0-9_]+?)(?:\s*\(\d+\))?\.ipynb$", path.name)
    if match and (ROOT / "notebooks" / f"{match.group(1)}.ipynb").exists():
        return match.group(1)
    names = [p.stem for p in (ROOT / "notebooks").glob("*.ipynb")]
    return next((n for n in names if n in path.stem), None)


def expected_exercises(notebook: str) -> list[str]:
    """The exercises of a course notebook, read from the checkers its source calls."""
    from course_lib import checks

    source = (ROOT / "notebooks" / f"{notebook}.ipynb").read_text()
    names = dict.fromkeys(re.findall(r"checks\.(check_\w+)\(", source))
    return [getattr(checks, n).exercise for n in names if hasattr(getattr(checks, n, None), "exercise")]


def run_submission(path: Path, timeout: int = 300) -> tuple[dict[str, list[str]], str]:
    """Execute one notebook; returns ({exercise: [status, message]}, problem or '')."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook: say so instead of crashing the batch
        return {}, f"not a readable notebook ({type(err).__name__}: {str(err)[:120]})"
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    env = {**os.environ, "COURSE_STRICT_CHECKS": "0", "MPLBACKEND": "Agg"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    problem = ""
    try:
        client.execute(env=env)
    except CellTimeoutError:
        problem = f"a cell ran longer than {timeout} s and was stopped"
    except DeadKernelError:
        problem = "the kernel died (out of memory, or the notebook exits Python)"
    except Exception as err:  # the kernel could not even start the notebook
        problem = f"could not run ({type(err).__name__}: {str(err)[:120]})"
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if STATUS_MARK in text:
            return json.loads(text.split(STATUS_MARK, 1)[1]), problem
    return {}, problem or "the notebook stopped before its checks could report"


def grade_file(path: Path, timeout: int = 300) -> list[dict[str, str]]:
    """One row per exercise of one submission."""
    notebook = notebook_of(path)
    if notebook is None:
        return [{"file": path.name, "notebook": "?", "exercise": "-", "status": "error",
                 "message": "file name does not name a course notebook (e.g. kim_05_ecg.ipynb)"}]
    status, problem = run_submission(path, timeout)
    rows = []
    for exercise in expected_exercises(notebook):
        state, message = status.get(exercise, ("not run", problem or
                                               "its check cell did not run (removed or renamed?)"))
        rows.append({"file": path.name, "notebook": notebook, "exercise": exercise,
                     "status": state, "message": " ".join(message.split())[:300]})
    return rows


def summarise(rows: list[dict[str, str]]) -> list[dict[str, str | int]]:
    """Per submission: how many exercises passed, failed, not done, not run."""
    out: dict[str, dict[str, str | int]] = {}
    for row in rows:
        s = out.setdefault(row["file"], {"file": row["file"], "notebook": row["notebook"], "passed": 0,
                                         "failed": 0, "not done": 0, "not run": 0, "error": 0})
        s[row["status"]] = int(s.get(row["status"], 0)) + 1
    return list(out.values())


def grade_folder(folder: Path, timeout: int = 300) -> list[dict[str, str]]:
    """Grade every .ipynb in a folder; write grades.csv and grades_summary.csv there."""
    files = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    if not files:
        raise FileNotFoundError(f"no .ipynb files in {folder}: put the submitted notebooks there")
    rows = [row for path in files for row in grade_file(path, timeout)]
    with open(Path(folder) / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    summary = summarise(rows)
    with open(Path(folder) / "grades_summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    return rows


def main() -> None:
    """Command line: `python -m course_lib.tools.grade FOLDER [--timeout S]` (what `make grade` runs)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder with the submitted .ipynb files")
    parser.add_argument("--timeout", type=int, default=300, help="seconds one cell may run (default 300)")
    args = parser.parse_args()
    rows = grade_folder(args.folder, args.timeout)
    for s in summarise(rows):
        print(f"{s['file']}: {s['passed']} passed, {s['failed']} failed, {s['not done']} not done, "
              f"{s['not run']} not run" + (", error" if s["error"] else ""))
    print(f"wrote {args.folder / 'grades.csv'} and {args.folder / 'grades_summary.csv'}")


if __name__ == "__main__":
    main()
