"""Benchmark: run every notebook in a fresh kernel; wall time and the kernel's peak memory."""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from course_lib.tools import docs, student
from course_lib.tools.reference import machine_row, reference_workload

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ["notebook", "wall_s", "peak_rss_mb", "status"]


@dataclass
class BenchResult:
    """One notebook's measurement."""

    notebook: str
    wall_s: float
    peak_rss_mb: float
    status: str
    slowest: str = ""  # the slowest cells, for whoever wants to make it faster (not in the CSV)


def high_water_mb(pid: int) -> float:
    """Peak resident memory (VmHWM, Linux) of a process, in MB; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB → MB
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


class PeakMemory:
    """Tracks the high-water mark of a kernel and of each child process it starts."""

    def __init__(self, pid: int):
        self.pid, self.peaks = pid, {}

    def sample(self) -> None:
        """Read VmHWM now (a monotone peak, so reading after each cell misses nothing)."""
        try:
            procs = [psutil.Process(self.pid), *psutil.Process(self.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for proc in procs:
            mb = high_water_mb(proc.pid) or proc.memory_info().rss / 2**20  # rss where no /proc
            self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0.0), mb)

    @property
    def total_mb(self) -> float:
        """Kernel peak plus child peaks: an upper bound on the notebook's memory."""
        return sum(self.peaks.values())


def run_notebook(path: Path, timeout: int = 600) -> BenchResult:
    """Execute one notebook as a student does (fresh kernel, top to bottom) and measure it."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    tracker: dict[str, PeakMemory] = {}
    cell_times: list[tuple[float, int]] = []
    clock = [time.perf_counter()]

    def after_cell(cell_index: int, **_: object) -> None:
        now = time.perf_counter()
        cell_times.append((now - clock[0], cell_index))
        clock[0] = now
        if "mem" not in tracker:
            tracker["mem"] = PeakMemory(client.km.provisioner.process.pid)
        tracker["mem"].sample()

    client.on_cell_executed = after_cell
    start, status = time.perf_counter(), "ok"
    try:
        client.execute()
    except Exception as err:  # report, keep benchmarking the other notebooks
        status = f"error: {type(err).__name__}: {str(err).strip().splitlines()[-1][:120]}"
    wall = time.perf_counter() - start
    peak = tracker["mem"].total_mb if "mem" in tracker else 0.0
    slowest = ", ".join(f"cell {i}: {t:.1f} s" for t, i in sorted(cell_times, reverse=True)[:4])
    return BenchResult(path.name, round(wall, 1), round(peak, 0), status, slowest)


def write_csv(results: list[BenchResult], path: Path = docs.BENCH_CSV) -> None:
    """Write the benchmark CSV, merging with rows of notebooks not run this time."""
    rows = docs.read_bench(path)
    rows.update({r.notebook: {k: str(v) for k, v in asdict(r).items() if k in FIELDS}
                 for r in results})
    path.parent.mkdir(exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for name in sorted(rows):
            writer.writerow({k: rows[name][k] for k in FIELDS})


def write_machine(row: dict[str, str], path: Path = docs.MACHINE_CSV) -> None:
    """Record the machine and its reference-workload times beside the notebooks' times."""
    path.parent.mkdir(exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)


def write_markdown(path: Path = ROOT / "benchmarks" / "notebooks.md") -> None:
    """Write the benchmark as a Markdown table with the machine it was measured on."""
    rows = docs.read_bench()
    machine = docs.read_machine()
    ref = docs.reference_seconds(machine)
    cpu = machine["cpu"] if machine else (platform.processor() or platform.machine())
    lines = [f"Measured by `make bench` on {os.cpu_count()} CPU cores ({cpu}), "
             f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, no GPU."]
    if machine:
        lines += [f"Reference workload: {machine['reference_start_s']} s before the notebooks, "
                  f"{machine['reference_end_s']} s after (torch {machine['torch']}, numpy {machine['numpy']}, "
                  f"Python {machine['python']}). A notebook's time ÷ {ref:.2f} s is its size in reference "
                  "units, comparable between machines."]
    lines += ["", "| notebook | wall time (s) | × reference | peak memory (MB) | status |",
              "|---|---|---|---|---|"]
    for r in rows.values():
        multiple = f"{float(r['wall_s']) / ref:.1f}" if ref else "—"
        lines.append(f"| {r['notebook']} | {r['wall_s']} | {multiple} | {r['peak_rss_mb']} | {r['status']} |")
    total = sum(float(r["wall_s"]) for r in rows.values())
    lines += ["", f"Whole course: {total:.0f} s (budget: 12 minutes for 18 notebooks)."]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    """Command line: `python -m course_lib.tools.bench [NOTEBOOK ...]` (what `make bench` runs)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", help="notebook paths (default: all in notebooks/)")
    args = parser.parse_args()
    paths = [Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    reference_start = reference_workload()
    print(f"reference workload: {reference_start:.2f} s")
    results = []
    for path in paths:
        result = run_notebook(path)
        print(f"{result.notebook}: {result.wall_s:.1f} s, {result.peak_rss_mb:.0f} MB, "
              f"{result.status} (slowest {result.slowest})")
        results.append(result)
    reference_end = reference_workload()
    print(f"reference workload: {reference_end:.2f} s (before the notebooks: {reference_start:.2f} s)")
    write_csv(results)
    write_machine(machine_row(reference_start, reference_end))
    write_markdown()
    docs.sync()
    student.write_all()  # title cells changed: keep the student copies in step
    failed = [r.notebook for r in results if r.status != "ok"]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
