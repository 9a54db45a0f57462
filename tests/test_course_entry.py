"""course.py, the one entry point (issue 31): paths per platform, the install stamp, the
failure messages, and the Makefile and CI calling it. Nothing here creates a venv or installs."""

import ast
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections import namedtuple

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("course_entry", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)

Usage = namedtuple("Usage", "total used free")


# --- platform paths and flags -----------------------------------------------------------

@pytest.mark.parametrize("os_name, venv, expected", [
    ("nt", r"C:\Users\ana\course\.venv", r"C:\Users\ana\course\.venv\Scripts\python.exe"),
    ("posix", "/Users/ana/course/.venv", "/Users/ana/course/.venv/bin/python"),  # macOS
    ("posix", "/home/ana/course/.venv", "/home/ana/course/.venv/bin/python"),  # Linux
])
def test_venv_python_per_platform(os_name, venv, expected):
    assert course.venv_python(venv, os_name) == expected


def test_allow_root_only_for_root_on_posix(monkeypatch):
    assert course.root_flag("posix", euid=0) == ["--allow-root"]
    assert course.root_flag("posix", euid=501) == []
    monkeypatch.delattr(os, "geteuid", raising=False)  # Windows has no geteuid
    assert course.root_flag("nt") == []


def test_lab_command_windows_and_root_linux():
    win = course.tool_command("lab", r"C:\c\.venv\Scripts\python.exe", ["--port", "8899"], "nt")
    assert win[:4] == [r"C:\c\.venv\Scripts\python.exe", "-m", "jupyter", "lab"]
    assert "--allow-root" not in win and win[-2:] == ["--port", "8899"]
    assert f"--ServerApp.root_dir={course.ROOT}" in win
    assert "--LabApp.default_url=/lab/tree/notebooks" in win
    linux = course.tool_command("lab", "/c/.venv/bin/python", ["--no-browser"], "posix", euid=0)
    assert linux[-2:] == ["--allow-root", "--no-browser"]
    assert "--allow-root" not in course.tool_command("lab", "py", [], "posix", euid=1000)


def test_commands_pass_arguments_through(tmp_path):
    py = "/v/bin/python"
    assert course.tool_command("test", py, ["-k", "ecg"]) == [py, "-m", "pytest", "-k", "ecg"]
    assert course.tool_command("lint", py, []) == [py, "-m", "ruff", "check", "."]
    assert course.tool_command("lint", py, ["course_lib/"]) == [py, "-m", "ruff", "check", "course_lib/"]
    assert course.tool_command("student", py, []) == [py, "-m", "course_lib.tools.student"]
    assert course.tool_command("bench", py, ["notebooks/05_ecg.ipynb"])[-1] == "notebooks/05_ecg.ipynb"
    assert course.tool_command("robustness", py, [])[2] == "course_lib.tools.robustness"
    assert course.tool_command("venv", py, []) is None
    # grade's folder is named from where the user stands; the tool runs in the repository root
    grade = course.tool_command("grade", py, ["subs/", "--timeout", "60"], cwd=str(tmp_path))
    assert grade == [py, "-m", "course_lib.tools.grade", str(tmp_path / "subs"), "--timeout", "60"]
    with pytest.raises(course.CourseError, match="usage: python course.py grade"):
        course.tool_command("grade", py, [])


def test_environment_like_the_makefile():
    user = {"HF_HUB_OFFLINE": "0", "MPLBACKEND": "TkAgg", "KEEP": "1"}
    for command in ("test", "bench", "grade", "robustness"):
        env = course.tool_env(command, user)
        assert env["HF_HUB_OFFLINE"] == "1" and env["MPLBACKEND"] == "Agg" and env["KEEP"] == "1"
    lab = course.tool_env("lab", user)
    assert lab["HF_HUB_OFFLINE"] == "1" and lab["MPLBACKEND"] == "TkAgg"


def test_parse_options_before_command_and_passthrough_after(tmp_path):
    venv, command, args = course.parse(["--venv", str(tmp_path), "lab", "--port", "8899", "--no-browser"], {})
    assert (venv, command, args) == (str(tmp_path), "lab", ["--port", "8899", "--no-browser"])
    assert course.parse([f"--venv={tmp_path}", "test", "-h"], {})[1:] == ("test", ["-h"])
    assert course.parse(["test"], {"COURSE_VENV": str(tmp_path)})[0] == str(tmp_path)
    assert course.parse(["test"], {})[0] == os.path.join(course.ROOT, ".venv")
    assert course.parse([], {})[1] == "help"
    with pytest.raises(course.CourseError, match="unknown command"):
        course.parse(["labb"], {})


def test_main_runs_the_tool_after_ensuring_the_environment(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(course, "ensure_environment", lambda venv: calls.append(("ensure", venv)))
    monkeypatch.setattr(course, "run_tool", lambda cmd, env: calls.append((cmd, env["MPLBACKEND"])) or 0)
    assert course.main(["--venv", str(tmp_path), "test", "-k", "ecg"]) == 0
    python = course.venv_python(str(tmp_path))
    assert calls == [("ensure", str(tmp_path)), ([python, "-m", "pytest", "-k", "ecg"], "Agg")]
    calls.clear()
    assert course.main(["grade"]) == 2 and calls == []  # usage error before any install


# --- the install stamp ------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A fake repository root with the two install files, and course.ROOT pointing at it."""
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_text("x\n")
        os.utime(tmp_path / name, (1000, 1000))
    monkeypatch.setattr(course, "ROOT", str(tmp_path))
    monkeypatch.delenv("COURSE_SKIP_INSTALL", raising=False)
    return tmp_path


def make_venv(root, stamp_time=None):
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    if stamp_time is not None:
        (venv / ".installed").write_text("")
        os.utime(venv / ".installed", (stamp_time, stamp_time))
    return venv


def test_stamp_logic(repo):
    assert course.needs_install(str(repo / ".venv"), str(repo), "posix")  # no venv at all
    venv = make_venv(repo)
    assert course.needs_install(str(venv), str(repo), "posix")  # venv but never installed
    (venv / ".installed").write_text("")
    os.utime(venv / ".installed", (2000, 2000))
    assert not course.needs_install(str(venv), str(repo), "posix")
    os.utime(repo / "pyproject.toml", (3000, 3000))
    assert course.needs_install(str(venv), str(repo), "posix")  # pyproject.toml newer
    os.utime(repo / "pyproject.toml", (1000, 1000))
    os.utime(repo / "requirements.txt", (3000, 3000))
    assert course.needs_install(str(venv), str(repo), "posix")  # requirements.txt newer
    os.utime(venv / ".installed", (3000, 3000))
    assert not course.needs_install(str(venv), str(repo), "posix")  # same time: done, as make


class FakePip:
    """Stands in for subprocess.Popen running pip: records commands, prints given output."""

    def __init__(self, output="", returncode=0):
        self.calls, self.output, self.returncode = [], output, returncode

    def __call__(self, cmd, **kwargs):
        self.calls.append(cmd)
        fake = type("Proc", (), {})()
        fake.stdout = iter(self.output.splitlines(True))
        fake.wait = lambda: self.returncode
        return fake


def fake_venv_creator(calls):
    def run(cmd):
        calls.append(cmd)
        python = course.venv_python(cmd[-1])
        os.makedirs(os.path.dirname(python))
        open(python, "w").close()
        return 0
    return run


def plenty(path):
    return Usage(100e9, 10e9, 90e9)


def test_first_run_creates_venv_installs_once_then_nothing(repo):
    venv, created, pip = str(repo / ".venv"), [], FakePip()
    kwargs = dict(run=fake_venv_creator(created), popen=pip, disk_usage=plenty,
                  find_spec=lambda name: object(), os_name="posix", environ={})
    assert course.ensure_environment(venv, **kwargs)
    assert created == [[sys.executable, "-m", "venv", venv]]
    assert [c[5:] for c in pip.calls] == [["--upgrade", "pip"],
                                          ["-r", str(repo / "requirements.txt")],
                                          ["--no-deps", "-e", str(repo)]]
    assert all(c[:5] == [course.venv_python(venv), "-m", "pip", "install", "--quiet"] for c in pip.calls)
    assert os.path.exists(os.path.join(venv, ".installed"))
    created.clear(), pip.calls.clear()
    assert not course.ensure_environment(venv, **kwargs)
    assert created == [] and pip.calls == []


def test_newer_requirements_reinstall_without_new_venv(repo):
    venv = make_venv(repo, stamp_time=500)  # older than the install files
    created, pip = [], FakePip()
    assert course.ensure_environment(str(venv), run=fake_venv_creator(created), popen=pip,
                                     disk_usage=plenty, os_name="posix", environ={})
    assert created == [] and len(pip.calls) == 3


def test_skip_install_uses_the_environment_as_it_is(repo):
    pip = FakePip()
    assert not course.ensure_environment(str(repo / ".venv"), popen=pip, environ={"COURSE_SKIP_INSTALL": "1"})
    assert pip.calls == []


# --- failures that say what to do --------------------------------------------------------

def test_python_too_old_message(monkeypatch, capsys):
    assert course.python_too_old_message((3, 10, 0), "python3") is None
    message = course.python_too_old_message((3, 8, 10), "/usr/bin/python3")
    assert "Python 3.10 or newer" in message and "3.8.10" in message and "py -3.12" in message
    monkeypatch.setattr(course.sys, "version_info", (3, 9, 18, "final", 0))
    assert course.main(["lab"]) == 1
    assert "Python 3.10 or newer" in capsys.readouterr().err


def test_min_python_matches_pyproject():
    found = re.search(r'requires-python\s*=\s*">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert found and tuple(map(int, found.groups())) == course.MIN_PYTHON


def test_course_py_parses_on_old_pythons():
    """No syntax newer than Python 2.7/3.0, so an old Python reaches the 'too old' message."""
    tree = ast.parse((ROOT / "course.py").read_text())
    new_syntax = [type(node).__name__ for node in ast.walk(tree) if isinstance(node, (
        ast.JoinedStr, ast.AnnAssign, ast.NamedExpr, ast.Match, ast.AsyncFunctionDef, ast.Nonlocal))]
    new_syntax += ["annotation" for node in ast.walk(tree)
                   if isinstance(node, ast.arg) and node.annotation is not None]
    new_syntax += ["keyword-only argument" for node in ast.walk(tree)
                   if isinstance(node, ast.arguments) and node.kwonlyargs]
    new_syntax += ["raise from" for node in ast.walk(tree) if isinstance(node, ast.Raise) and node.cause]
    assert not new_syntax
    imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    assert "print_function" in imports


def old_pythons():
    found = glob.glob(os.path.expanduser("~/.pyenv/versions/[23].*/bin/python"))
    return [p for p in found if re.search(r"/(2\.7|3\.[6-9])\.\d+/", p)][:2]


@pytest.mark.parametrize("python", old_pythons() or [None])
def test_a_real_old_python_gets_the_message(python):
    if python is None:
        pytest.skip("no Python older than 3.10 on this machine")
    result = subprocess.run([python, str(ROOT / "course.py"), "lab"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "needs Python 3.10 or newer" in result.stderr


def test_no_venv_module_says_apt_install(repo):
    with pytest.raises(course.CourseError, match=r"apt install python3-venv") as err:
        course.ensure_environment(str(repo / ".venv"), find_spec=lambda n: None if n == "ensurepip" else object(),
                                  disk_usage=plenty, os_name="posix", environ={})
    assert "ensurepip" in str(err.value)


def test_failed_venv_creation_says_what_to_do(repo):
    with pytest.raises(course.CourseError, match="python3-venv"):
        course.ensure_environment(str(repo / ".venv"), run=lambda cmd: 1, find_spec=lambda n: object(),
                                  disk_usage=plenty, os_name="posix", environ={})


def test_too_little_disk(repo):
    pip = FakePip()
    small = lambda path: Usage(100e9, 98e9, 2e9)  # noqa: E731
    with pytest.raises(course.CourseError, match=r"Only 2\.0 GB free.*about 7 GB") as err:
        course.ensure_environment(str(repo / ".venv"), run=lambda c: 0, popen=pip, disk_usage=small,
                                  find_spec=lambda n: object(), os_name="posix", environ={})
    assert "--venv" in str(err.value) and pip.calls == []
    venv = make_venv(repo, stamp_time=500)  # an update needs less room
    with pytest.raises(course.CourseError, match="about 3 GB"):
        course.ensure_environment(str(venv), popen=pip, disk_usage=small, os_name="posix", environ={})


PROXY_OUTPUT = """\
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection \
broken by 'ProxyError('Cannot connect to proxy.', NewConnectionError('Failed to establish a new connection'))': /simple/torch/
ERROR: Could not find a version that satisfies the requirement torch==2.14.1 (from versions: none)
ERROR: No matching distribution found for torch==2.14.1
"""


def test_unreachable_index_gives_proxy_advice(repo, capsys):
    venv = make_venv(repo)
    with pytest.raises(course.CourseError) as err:
        course.ensure_environment(str(venv), popen=FakePip(PROXY_OUTPUT, 1), disk_usage=plenty,
                                  os_name="posix", environ={})
    assert "HTTPS_PROXY" in str(err.value) and "PIP_INDEX_URL" in str(err.value)
    assert "ProxyError" in capsys.readouterr().out  # pip's own lines are shown too
    assert not (venv / ".installed").exists()


def test_proxy_advice_names_a_proxy_already_set():
    message = course.pip_failure_message(PROXY_OUTPUT, {"HTTPS_PROXY": "http://wrong:1"})
    assert "now set: HTTPS_PROXY=http://wrong:1" in message.splitlines()[1]


def test_other_pip_failure_is_not_called_a_proxy_problem():
    message = course.pip_failure_message("ERROR: ResolutionImpossible: conflicting dependencies")
    assert "pip failed" in message and "PROXY" not in message


# --- one implementation: the Makefile and CI call course.py ------------------------------

@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target, variables, expected", [
    ("test", ["PYTEST_ARGS=--co -q"], "test --co -q"),
    ("lab", ["LAB_ARGS=--port 8899 --no-browser"], "lab --port 8899 --no-browser"),
    ("bench", ["NOTEBOOKS=notebooks/05_ecg.ipynb"], "bench notebooks/05_ecg.ipynb"),
    ("grade", ["SUBMISSIONS=subs/"], "grade subs/"),
    ("robustness", [], "robustness"),
    ("student", [], "student"),
    ("lint", [], "lint"),
    ("venv", ["VENV=/tmp/v"], "venv"),
])
def test_makefile_targets_call_course_py(target, variables, expected):
    result = subprocess.run(["make", "-n", "-C", str(ROOT), target, *variables],
                            capture_output=True, text=True, check=True)
    lines = [ln.strip() for ln in result.stdout.splitlines() if not ln.startswith(("make", "test -n"))]
    venv = next((v.split("=", 1)[1] for v in variables if v.startswith("VENV=")), ".venv")
    assert lines == [f"python3 course.py --venv {venv} {expected}"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [ln.split("#")[0] for ln in ci.splitlines() if not ln.startswith("#")]
    assert any("python3 course.py test" in c for c in commands)
    assert not any("make " in c for c in commands)
    readme = (ROOT / "README.md").read_text()
    for spelling in ("make lab", "python course.py lab", "py course.py lab", "python course.py test"):
        assert spelling in readme, spelling
