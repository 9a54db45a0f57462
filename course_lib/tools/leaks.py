"""Find answers that leak into student copies: reference imports and inline solutions (issue 13)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from course_lib.tools.student import BEGIN, END

MIN_CALLS = 3  # a solution line is a fingerprint when it chains at least this many calls


def checker_references(code: str) -> dict[str, str]:
    """Exercise checker -> its reference "module:name", for the checkers a notebook calls."""
    from course_lib import checks

    refs = {}
    for name in sorted(set(re.findall(r"checks\.(check_\w+)\(", code))):
        checker = getattr(checks, name, None)
        ref = getattr(checker, "reference", None)
        if ref:
            refs[name] = ref
    return refs


def _calls(node: ast.AST) -> list[str]:
    """The names of the calls in a statement, in source order (`np.diff(x)` -> 'diff')."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    names = []
    for call in found:
        f = call.func
        names.append(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "?"))
    return names


def _statements(code: str) -> list[ast.stmt]:
    """The simple statements of a cell (IPython magics dropped), or none if it does not parse."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and not isinstance(
        n, ast.FunctionDef | ast.ClassDef | ast.For | ast.If | ast.With | ast.While | ast.Try)]


def solution_fingerprints(source_nb: nbformat.NotebookNode) -> list[tuple[str, tuple[str, ...]]]:
    """(solution line, its chain of calls) for every solution line with enough calls."""
    prints = []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        region = cell.source.split(BEGIN, 1)[1].split(END, 1)[0]
        body = "\n".join(line.strip() for line in region.splitlines())  # statements, no function around
        for stmt in _statements(body):
            chain = tuple(_calls(stmt))
            if len(chain) >= MIN_CALLS:
                prints.append((ast.unparse(stmt), chain))
    return prints


def _contains(seq: list[str], sub: tuple[str, ...]) -> bool:
    return any(tuple(seq[i:i + len(sub)]) == sub for i in range(len(seq) - len(sub) + 1))


def find_leaks(student_nb: nbformat.NotebookNode, source_nb: nbformat.NotebookNode) -> list[str]:
    """Where a student copy gives an exercise's answer away; empty when it does not."""
    leaks = []
    code = [(i, c.source) for i, c in enumerate(student_nb.cells) if c.cell_type == "code"]
    refs = checker_references("\n".join(s for _, s in code))
    prints = solution_fingerprints(source_nb)
    for i, src in code:
        for checker, ref in refs.items():
            module, _, name = ref.partition(":")
            short = module.rsplit(".", 1)[-1]
            if re.search(rf"from\s+{re.escape(module)}\s+import\s[^\n]*\b{name}\b", src) or \
                    re.search(rf"from\s+{re.escape(module)}\s+import\s*\([^)]*\b{name}\b", src) or \
                    re.search(rf"\b{short}\.{name}\b", src):
                leaks.append(f"cell {i}: uses the reference of {checker} ({ref})")
        for stmt in _statements(src):
            calls = _calls(stmt)
            for line, chain in prints:
                if _contains(calls, chain):
                    leaks.append(f"cell {i}: `{ast.unparse(stmt)[:80]}` repeats the solution line `{line[:80]}`")
    return leaks


def leaks_in_copies(src_dir: Path, dst_dir: Path) -> dict[str, list[str]]:
    """find_leaks for every student copy beside its source notebook."""
    out = {}
    for src in sorted(src_dir.glob("*.ipynb")):
        dst = dst_dir / src.name
        if dst.exists():
            found = find_leaks(nbformat.read(dst, as_version=4), nbformat.read(src, as_version=4))
            if found:
                out[src.name] = found
    return out
