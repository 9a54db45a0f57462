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
