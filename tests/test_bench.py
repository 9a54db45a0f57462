"""make bench: wall time, the kernel's measured peak memory, and failures reported."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course_lib.tools import bench, docs


def write_nb(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_peak_memory_is_measured_in_the_kernel(tmp_path):
    path = write_nb(tmp_path / "mem.ipynb", "import numpy as np\nx = np.ones(400 * 2**20 // 8)\ndel x")
    result = bench.run_notebook(path)
    assert result.status == "ok"
    assert 400 <= result.peak_rss_mb < 2000  # the 400 MB array, plus the kernel itself
    assert result.wall_s > 0


def test_failing_notebook_is_reported(tmp_path):
    result = bench.run_notebook(write_nb(tmp_path / "bad.ipynb", "1 / 0"))
    assert result.status.startswith("error") and "ZeroDivisionError" in result.status


def test_csv_and_runtime_lines(tmp_path):
    out = tmp_path / "bench.csv"
    bench.write_csv([bench.BenchResult("00_x.ipynb", 12.34, 456.0, "ok", "cell 3: 1 s")], out)
    row = docs.read_bench(out)["00_x.ipynb"]
    assert list(row) == bench.FIELDS
    assert docs.runtime_line(row).startswith("**Runtime**: 12 s, peak memory 456 MB")
    source = "# 00 · t\n\n**Runtime**: not measured yet (run `make bench`).\n"
    assert "12 s" in docs.title_with_runtime(source, row)


def test_machine_and_reference_multiples(tmp_path, monkeypatch):
    machine = {"cpu": "Test CPU", "cores": "2", "python": "3.11", "torch": "2", "numpy": "2",
               "reference_start_s": "1.000", "reference_end_s": "3.000"}
    bench.write_machine(machine, tmp_path / "machine.csv")
    assert docs.read_machine(tmp_path / "machine.csv") == machine
    assert docs.reference_seconds(machine) == 2.0
    table = docs.notebook_table({"00_course_tour.ipynb": {"notebook": "00_course_tour.ipynb", "wall_s": "20",
                                                          "peak_rss_mb": "900", "status": "ok"}}, machine)
    assert "Measured on Test CPU (2 cores" in table and "| 20 s (10× ref) |" in table
    assert "× ref" not in docs.notebook_table({}, None)


def test_reference_workload_is_quick_and_positive():
    from course_lib.tools.reference import machine_row, reference_workload

    seconds = reference_workload(repeats=1)
    assert 0 < seconds < 30
    row = machine_row(seconds, seconds)
    assert set(row) >= {"cpu", "cores", "torch", "reference_start_s", "reference_end_s"}
