"""Do the results hold with other seeds? Rerun notebooks with shifted cohort and training seeds (issue 12).

`make robustness` (or `python -m course_lib.tools.robustness [notebooks...] --shifts 1 2`) rewrites
each source notebook's seeds in memory — cohort seeds (`make_cohort(..., seed=S)`) and training
seeds (`setup_notebook(seed=S)`, `torch.manual_seed(S)`, `seed=S` of the library's trainers), and named
seeds where a notebook sets them (`DATA_SEED` / `COHORT_SEED` with the cohort, `TRAIN_SEED` with training) — runs
it in a fresh kernel, and reports whether every cell, the results cell included, still passes.
Merges its rows into benchmarks/robustness.csv (a subset run keeps the other rows). Too slow for every CI run: the course runs it before a release.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import time
from pathlib import Path

import nbformat

from course_lib.tools.student import ROOT

COHORT_SEED = re.compile(r"(make_cohort\([^)]*?seed\s*=\s*)(\d+)")
TRAIN_SEEDS = [re.compile(r"(setup_notebook\(seed\s*=\s*)(\d+)"), re.compile(r"(manual_seed\()(\d+)(\))"),
               re.compile(r"((?:train_clip|train_heads|fit)\([^)]*?\bseed\s*=\s*)(\d+)")]


# Notebooks that name their seeds once (`DATA_SEED, TRAIN_SEED = 1, 0`) are shifted where the names are set.
NAMED_SEEDS = re.compile(r"^(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)(?P<eq>\s*=\s*)"
                         r"(?P<values>\d+(?:\s*,\s*\d+)*)(?=\s*(?:#|$))", re.MULTILINE)
DATA_SEED_NAMES = {"COHORT_SEED", "DATA_SEED"}
TRAIN_SEED_NAMES = {"TRAIN_SEED"}


def _shift_named(m: re.Match, cohort_shift: int, train_shift: int) -> str:
    """`DATA_SEED, TRAIN_SEED = 1, 0` with each value moved by its kind's shift; other names unchanged."""
    names = [n.strip() for n in m.group("names").split(",")]
    values = [v.strip() for v in m.group("values").split(",")]
    if len(names) != len(values) or not set(n.upper() for n in names) & (DATA_SEED_NAMES | TRAIN_SEED_NAMES):
        return m.group(0)
    moved = [str(int(v) + (cohort_shift if n.upper() in DATA_SEED_NAMES else
                           train_shift if n.upper() in TRAIN_SEED_NAMES else 0)) for n, v in zip(names, values, strict=True)]
    return m.group("names") + m.group("eq") + ", ".join(moved)


def shift_seeds(source: str, cohort_shift: int, train_shift: int) -> str:
    """The cell source with every cohort seed moved by cohort_shift and training seed by train_shift."""
    out = NAMED_SEEDS.sub(lambda m: _shift_named(m, cohort_shift, train_shift), source)
    out = COHORT_SEED.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + cohort_shift}", out)
    for pattern in TRAIN_SEEDS:
        out = pattern.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + train_shift}" + (
            m.group(3) if m.lastindex == 3 else ""), out)
    return out


def run_shifted(path: Path, cohort_shift: int, train_shift: int, timeout: int = 600) -> dict[str, str]:
    """Execute one notebook with shifted seeds; the first failing cell's error, if any."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = shift_seeds(cell.source, cohort_shift, train_shift)
    env = {**os.environ, "COURSE_STRICT_CHECKS": "1", "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    status, detail = "pass", ""
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
    except CellExecutionError as err:
        status, detail = "FAIL", " ".join(str(err).split())[-300:]
    return {"notebook": path.name, "cohort_shift": str(cohort_shift), "train_shift": str(train_shift),
            "status": status, "seconds": f"{time.perf_counter() - start:.0f}", "detail": detail}


def main() -> None:
    """Command line: `python -m course_lib.tools.robustness [NOTEBOOK ...] [--shifts 1 2]`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--shifts", nargs="+", type=int, default=[1, 2],
                        help="seed shifts; each shifts cohort and training seeds together (default 1 2)")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    for path in paths:
        for shift in args.shifts:
            row = run_shifted(path, shift, shift)
            print(f"{row['notebook']}: seeds +{shift}: {row['status']} ({row['seconds']} s) {row['detail'][:160]}")
            rows.append(row)
    out = ROOT / "benchmarks" / "robustness.csv"
    merged = merge_rows(read_rows(out), rows)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(merged)
    print(f"wrote {out.relative_to(ROOT)} ({len(rows)} new rows, {len(merged)} in all)")


def read_rows(path: Path) -> list[dict]:
    """The rows of an earlier robustness.csv, or none."""
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def merge_rows(old: list[dict], new: list[dict]) -> list[dict]:
    """Earlier rows with the new ones replacing the same (notebook, shifts), sorted: a subset run keeps the rest."""
    def key(row):
        return row["notebook"], int(row["cohort_shift"]), int(row["train_shift"])

    rows = {key(r): r for r in old} | {key(r): r for r in new}
    return [rows[k] for k in sorted(rows)]


if __name__ == "__main__":
    main()
