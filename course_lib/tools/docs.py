"""Keep measured figures in sync: the README table and each notebook's runtime line."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import nbformat

from course_lib.catalog import NOTEBOOKS
from course_lib.project import colab_badge

ROOT = Path(__file__).resolve().parents[2]
BENCH_CSV = ROOT / "benchmarks" / "notebooks.csv"
MACHINE_CSV = ROOT / "benchmarks" / "machine.csv"  # the machine and its reference workload
TABLE_START, TABLE_END = "<!-- notebook-table:start -->", "<!-- notebook-table:end -->"
RUNTIME_RE = re.compile(r"^\*\*Runtime\*\*:.*$", re.MULTILINE)


def read_bench(path: Path = BENCH_CSV) -> dict[str, dict[str, str]]:
    """Rows of the benchmark CSV by notebook file name (empty when not measured yet)."""
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["notebook"]: row for row in csv.DictReader(f)}


def read_machine(path: Path = MACHINE_CSV) -> dict[str, str] | None:
    """The machine the benchmark ran on and its reference-workload seconds, if recorded."""
    if not path.exists():
        return None
    with path.open() as f:
        rows = list(csv.DictReader(f))
    return rows[0] if rows else None


def reference_seconds(machine: dict[str, str] | None) -> float | None:
    """The reference workload's time on that machine: the mean of its start and end runs."""
    if not machine:
        return None
    return (float(machine["reference_start_s"]) + float(machine["reference_end_s"])) / 2


def runtime_line(row: dict[str, str] | None) -> str:
    """The title cell's runtime line for a benchmark row."""
    if row is None or row["status"] != "ok":
        return "**Runtime**: not measured yet (run `make bench`)."
    return (f"**Runtime**: {float(row['wall_s']):.0f} s, peak memory {float(row['peak_rss_mb']):.0f} MB "
            "(2-core CPU, measured by `make bench`).")


def notebook_table(bench: dict[str, dict[str, str]], machine: dict[str, str] | None = None) -> str:
    """The README's Markdown table of notebooks, from the catalogue, the benchmark and its machine."""
    ref = reference_seconds(machine)
    lines = []
    if ref:
        lines += [f"Measured on {machine['cpu']} ({machine['cores']} cores, no GPU); the reference workload "
                  f"(`course_lib/tools/reference.py`) took {ref:.2f} s there. The runtime column also gives "
                  "each notebook in reference units (× ref): multiply by your machine's reference time "
                  "to predict yours.", ""]
    lines += ["| # | notebook | lecture slides | runtime | peak memory | Colab |",
              "|---|---|---|---|---|---|"]
    for info in NOTEBOOKS:
        exists = (ROOT / "notebooks" / info.name).exists()
        row = bench.get(info.name)
        measured = exists and row is not None and row["status"] == "ok"
        runtime = f"{float(row['wall_s']):.0f} s" if measured else ("—" if exists else "planned")
        if measured and ref:
            runtime += f" ({float(row['wall_s']) / ref:.0f}× ref)"
        memory = f"{float(row['peak_rss_mb']):.0f} MB" if measured else "—"
        name = f"[{info.title}](notebooks/{info.name})" if exists else info.title
        colab = (f"{colab_badge('notebooks/' + info.name)} source<br>"
                 f"{colab_badge('student/' + info.name)} student") if exists else ""
        lines.append(f"| {info.number:02d} | {name} ({info.title_ko}) | {info.slides} | "
                     f"{runtime} | {memory} | {colab} |")
    return "\n".join(lines)


def readme_with_table(readme: str, bench: dict[str, dict[str, str]],
                      machine: dict[str, str] | None = None) -> str:
    """README text with the notebook table between its markers replaced."""
    start, end = readme.index(TABLE_START) + len(TABLE_START), readme.index(TABLE_END)
    return readme[:start] + "\n" + notebook_table(bench, machine) + "\n" + readme[end:]


def title_with_runtime(source: str, row: dict[str, str] | None) -> str:
    """A title cell's text with its runtime line replaced by the measured one."""
    if not RUNTIME_RE.search(source):
        raise ValueError("the title cell has no '**Runtime**:' line to update")
    return RUNTIME_RE.sub(runtime_line(row), source, count=1)


def sync(bench: dict[str, dict[str, str]] | None = None) -> None:
    """Write measured figures into the README table and the notebooks' title cells."""
    bench = read_bench() if bench is None else bench
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(), bench, read_machine()))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        new = title_with_runtime(nb.cells[0].source, bench.get(path.name))
        if new != nb.cells[0].source:
            nb.cells[0].source = new
            path.write_text(nbformat.writes(nb) + "\n")
