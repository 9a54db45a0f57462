"""Rewrite every notebook's first code cell to `colab_setup_cell()` (after it changes).

    python -m course_lib.tools.cells           rewrite notebooks/*.ipynb, then run `make student`
    python -m course_lib.tools.cells --check   only list notebooks whose first code cell differs
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

from course_lib.project import colab_setup_cell

ROOT = Path(__file__).resolve().parents[2]


def with_setup_cell(nb: nbformat.NotebookNode) -> bool:
    """Set the first code cell's source to the Colab setup cell; True when it changed."""
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is None:
        raise ValueError("the notebook has no code cell to hold the Colab setup cell")
    if first.source == colab_setup_cell():
        return False
    first.source = colab_setup_cell()
    return True


def rewrite_setup_cells(src_dir: Path = ROOT / "notebooks", check: bool = False) -> list[Path]:
    """Notebooks in src_dir whose first code cell differed (rewritten unless check)."""
    changed = []
    for path in sorted(src_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if with_setup_cell(nb):
            changed.append(path)
            if not check:
                path.write_text(nbformat.writes(nb) + "\n")
    return changed


def main() -> None:
    """Command line: `python -m course_lib.tools.cells [--check]`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ")
    args = parser.parse_args()
    changed = rewrite_setup_cells(check=args.check)
    verb = "differs" if args.check else "rewritten"
    for path in changed:
        print(f"{path.relative_to(ROOT)}: first code cell {verb}")
    if not changed:
        print("every notebook's first code cell is the Colab setup cell")
    elif not args.check:
        print("now regenerate the student copies: make student (or python course.py student)")
    raise SystemExit(1 if args.check and changed else 0)


if __name__ == "__main__":
    main()
