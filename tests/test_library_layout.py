"""The library's layout: packages by role, modules by modality, imports pointing one way (issue 11)."""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIB = ROOT / "course_lib"
PLUMBING = {"__init__", "setup", "catalog", "project"}  # the only modules allowed at the top level
# Role packages in dependency order: a module may import from its own role or an earlier one.
ROLES = ["synth", "datasets", "preprocess", "models", "training", "explain", "viz", "widgets",
         "checks", "tools"]
RANK = {role: i for i, role in enumerate(ROLES)}
RANK["explain"] = RANK["training"]  # siblings: both sit on models
MAX_LINES = 400


def module_name(path: Path, lib: Path = LIB) -> str:
    """'course_lib.viz.ecg' for course_lib/viz/ecg.py."""
    parts = path.relative_to(lib.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, lib: Path = LIB) -> list[tuple[str, bool]]:
    """(imported course_lib module, at module level?) for every import in a file."""
    tree = ast.parse(path.read_text())
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.split(".")[0] == lib.name and _is_module(name, lib):
                found.append((name, id(node) in top))
    return found


def _is_module(name: str, lib: Path) -> bool:
    rel = Path(*name.split(".")[1:])
    return (lib / rel).with_suffix(".py").exists() or (lib / rel / "__init__.py").exists()


def role_of(module: str) -> str | None:
    """The role package of a module, None for plumbing and the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def layout_violations(lib: Path = LIB) -> list[str]:
    """Top-level modules outside the plumbing, and unknown packages."""
    bad = [f"{p.name}: a module at the top level of {lib.name}/; put it in a role package "
           f"({', '.join(ROLES)})" for p in lib.glob("*.py") if p.stem not in PLUMBING]
    bad += [f"{p.name}/: not a role package ({', '.join(ROLES)})" for p in lib.iterdir()
            if p.is_dir() and p.name not in RANK and not p.name.startswith((".", "__"))]
    return bad


def direction_violations(lib: Path = LIB) -> list[str]:
    """Imports that point from an earlier role to a later one (e.g. models importing viz)."""
    bad = []
    for path in lib.rglob("*.py"):
        src = module_name(path, lib)
        for target, _ in imports_of(path, lib):
            a, b = role_of(src), role_of(target)
            if a and b and RANK[b] > RANK[a]:
                bad.append(f"{src} imports {target}: {a}/ must not depend on {b}/")
    return bad


def import_cycles(lib: Path = LIB) -> list[list[str]]:
    """Cycles among module-level imports (what breaks `import`), by depth-first search."""
    graph = {module_name(p, lib): sorted({t for t, top in imports_of(p, lib) if top})
             for p in lib.rglob("*.py")}
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_only_plumbing_at_the_top_level():
    assert not layout_violations(), "\n".join(layout_violations())


def test_imports_point_one_way():
    assert not direction_violations(), "\n".join(direction_violations())


def test_no_import_cycles():
    assert not import_cycles(), "import cycles: " + "; ".join(" -> ".join(c) for c in import_cycles())


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: str(p.relative_to(LIB)))
def test_modules_stay_small(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)} has {n} lines; split it by topic (<= {MAX_LINES})"


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    lib = tmp_path / "course_lib"
    for rel, text in {"__init__.py": "", **files}.items():
        (lib / rel).parent.mkdir(parents=True, exist_ok=True)
        (lib / rel).write_text(text)
    return lib


def test_the_checks_catch_planted_violations(tmp_path):
    lib = _plant(tmp_path, {
        "ecg_helpers.py": "",  # a new flat module
        "models/__init__.py": "", "models/ecg.py": "from course_lib.viz import ecg\n",  # wrong way
        "viz/__init__.py": "", "viz/ecg.py": "",
        "synth/__init__.py": "", "synth/a.py": "import course_lib.synth.b\n",
        "synth/b.py": "from course_lib.synth import a\n",  # a cycle
    })
    assert any("ecg_helpers.py" in v for v in layout_violations(lib))
    assert any("course_lib.models.ecg imports course_lib.viz" in v for v in direction_violations(lib))
    cycles = import_cycles(lib)
    assert cycles and {"course_lib.synth.a", "course_lib.synth.b"} <= set(cycles[0])


def test_a_clean_tree_passes(tmp_path):
    lib = _plant(tmp_path, {"models/__init__.py": "", "models/ecg.py": "",
                            "viz/__init__.py": "", "viz/ecg.py": "from course_lib.models import ecg\n"})
    assert not layout_violations(lib) and not direction_violations(lib) and not import_cycles(lib)
