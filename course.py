#!/usr/bin/env python3
"""Multimodal Medical AI, hands-on: one entry point on Windows, macOS and Linux.

    python course.py lab       open JupyterLab on the notebooks (py course.py lab on Windows)
    python course.py test      run every test (library, notebooks, student copies, lint)
    python course.py student   regenerate student/ from notebooks/
    python course.py bench     run every notebook, write benchmarks/ and the README table
    python course.py grade DIR grade the submitted notebooks in DIR (writes grades.csv there)
    python course.py robustness  rerun notebooks with shifted seeds (slow; before a release)
    python course.py lint      ruff over the library, tests and notebooks
    python course.py venv      only create .venv and install the course

Every command first creates .venv if it is missing and installs the pinned stack
(requirements.txt, then the course library with `pip install --no-deps -e .`); it
reinstalls when requirements.txt or pyproject.toml is newer than .venv/.installed.
Arguments after the command go to the tool: `python course.py lab --port 8899 --no-browser`,
`python course.py test -k ecg`. Options before the command: --venv PATH (another place for
the environment; also the COURSE_VENV variable). COURSE_SKIP_INSTALL=1 uses the environment
as it is. `make lab`, `make test`, ... call this file: there is one implementation.

Standard library only, and written so that old Pythons (even 2.7) can read it far enough
to say that they are too old.
"""

# Old Pythons must parse this file (to say they are too old): no f-strings, no annotations.
# ruff: noqa: B904, UP010, UP025, UP031, UP036
from __future__ import print_function

import os
import sys

MIN_PYTHON = (3, 10)  # pyproject.toml's requires-python; tests/test_course_entry.py checks it
ROOT = os.path.dirname(os.path.abspath(__file__))
STAMP_NAME = ".installed"
FRESH_INSTALL_GB = 7.0  # the full stack (PyTorch, JupyterLab, ...) measured about 7 GB
UPDATE_INSTALL_GB = 3.0  # reinstalling into an existing .venv (e.g. a new PyTorch wheel)
COMMANDS = ("lab", "test", "student", "bench", "grade", "robustness", "lint", "venv")
HEADLESS = ("test", "bench", "grade", "robustness")  # MPLBACKEND=Agg, as the Makefile did
NETWORK_SIGNS = (
    "ProxyError", "Cannot connect to proxy", "NewConnectionError",
    "Failed to establish a new connection", "Max retries exceeded", "ConnectTimeoutError",
    "Read timed out", "Temporary failure in name resolution", "Name or service not known",
    "getaddrinfo failed", "nodename nor servname", "Network is unreachable",
    "Could not fetch URL", "SSLError", "CERTIFICATE_VERIFY_FAILED", "connection broken by",
    "(from versions: none)", "407 Proxy Authentication Required",
)


class CourseError(Exception):
    """A failure with a message that says what to do."""


def say(message):
    print("course.py: " + message)
    sys.stdout.flush()


# --- checks that need no installed package -------------------------------------------------

def python_too_old_message(version_info, executable):
    """The message for a Python older than MIN_PYTHON, or None when it is new enough."""
    if tuple(version_info[:2]) >= MIN_PYTHON:
        return None
    need = "%d.%d" % MIN_PYTHON
    have = "%d.%d.%d" % tuple(version_info[:3])
    return "\n".join([
        "This course needs Python %s or newer; this is Python %s (%s)." % (need, have, executable),
        "Install a newer Python, then run the same command with it:",
        "  Windows: python.org (tick 'Add python.exe to PATH') or `winget install Python.Python.3.12`;"
        " then `py -3.12 course.py lab`",
        "  macOS:   python.org or `brew install python@3.12`; then `python3.12 course.py lab`",
        "  Linux:   `sudo apt install python3.12 python3.12-venv` (Ubuntu/Debian) or your"
        " distribution's package; then `python3.12 course.py lab`",
        "Or use Colab (no install): see 'Colab' in README.md.",
    ])


def missing_venv_message(find_spec, version_info):
    """The message when this Python cannot create virtual environments, or None."""
    missing = [name for name in ("venv", "ensurepip") if find_spec(name) is None]
    if not missing:
        return None
    minor = "python%d.%d" % tuple(version_info[:2])
    return "\n".join([
        "This Python cannot create a virtual environment (missing module: %s)." % ", ".join(missing),
        "  Debian/Ubuntu: sudo apt install python3-venv   (or %s-venv to match this Python)" % minor,
        "  Fedora/RHEL:   sudo dnf install python3        (venv is part of it)",
        "  Windows/macOS: install Python from python.org (it includes venv)",
        "Then run the same command again. No admin rights? Use Colab (see README.md).",
    ])


def venv_failed_message(venv, version_info):
    """The message when `python -m venv` itself failed."""
    return "\n".join([
        "Creating the virtual environment in %s failed (its messages are above)." % venv,
        "  Debian/Ubuntu: this usually means the venv package is missing:"
        " sudo apt install python3-venv (or python%d.%d-venv)" % tuple(version_info[:2]),
        "  Elsewhere: delete the half-made folder %s and run the same command again." % venv,
    ])


def free_disk_message(venv, fresh, disk_usage):
    """The message when the disk holding `venv` has too little room for the stack, or None."""
    need = FRESH_INSTALL_GB if fresh else UPDATE_INSTALL_GB
    place = os.path.abspath(venv)
    while not os.path.exists(place) and os.path.dirname(place) != place:
        place = os.path.dirname(place)
    free = disk_usage(place).free / 1e9
    if free >= need:
        return None
    return "\n".join([
        "Only %.1f GB free on the disk of %s; installing the course's Python environment"
        " (PyTorch, JupyterLab, ...) needs about %.0f GB." % (free, os.path.abspath(venv), need),
        "Free some space, or put the environment on another disk:",
        "  python course.py --venv D:\\mmai-venv lab      (Windows; or set COURSE_VENV)",
        "  python3 course.py --venv /other/disk/mmai-venv lab   (make lab VENV=/other/disk/mmai-venv)",
    ])


def pip_failure_message(output, environ=None):
    """What to do after a failed pip run, from the text pip printed."""
    environ = os.environ if environ is None else environ
    if any(sign in output for sign in NETWORK_SIGNS):
        now = ["  (now set: %s=%s; check it)" % (name, environ[name])
               for name in ("HTTPS_PROXY", "https_proxy", "PIP_INDEX_URL") if environ.get(name)]
        return "\n".join(["pip could not reach the package index (or found nothing there)."] + now + [
            "On university and hospital networks this is usually a proxy or firewall.",
            "Ask IT for the proxy address, then:",
            "  Linux/macOS:  export HTTPS_PROXY=http://proxy.example.edu:3128",
            "  Windows cmd:  set HTTPS_PROXY=http://proxy.example.edu:3128",
            "  PowerShell:   $env:HTTPS_PROXY = \"http://proxy.example.edu:3128\"",
            "or point pip at your institution's mirror of PyPI:",
            "  export PIP_INDEX_URL=https://mirror.example.edu/pypi/simple   (Windows: set PIP_INDEX_URL=...)",
            "An SSL/certificate error behind an inspecting proxy: also set PIP_CERT=path/to/your-ca.pem.",
            "Then run the same command again (what is installed already is kept). Or use Colab.",
        ])
    return ("pip failed (its messages are above). Fix what it reports and run the same command "
            "again; if it persists, delete the environment folder and retry, or open an issue "
            "with the output.")


# --- paths and commands ------------------------------------------------------------------

def venv_python(venv, os_name=os.name):
    """The environment's interpreter: .venv\\Scripts\\python.exe on Windows, .venv/bin/python elsewhere."""
    if os_name == "nt":
        import ntpath
        return ntpath.join(venv, "Scripts", "python.exe")
    import posixpath
    return posixpath.join(venv, "bin", "python")


def root_flag(os_name=os.name, euid=None):
    """JupyterLab refuses to run as root unless told: --allow-root on POSIX when euid is 0."""
    if os_name != "posix":
        return []
    if euid is None:
        euid = os.geteuid()
    return ["--allow-root"] if euid == 0 else []


def needs_install(venv, root=ROOT, os_name=os.name):
    """True when the interpreter or the stamp is missing or older than the install files."""
    stamp = os.path.join(venv, STAMP_NAME)
    if not os.path.exists(venv_python(venv, os_name)) or not os.path.exists(stamp):
        return True
    done = os.path.getmtime(stamp)
    return any(os.path.getmtime(os.path.join(root, name)) > done
               for name in ("requirements.txt", "pyproject.toml"))


def tool_command(command, python, args, os_name=os.name, euid=None, cwd=None):
    """The command line one subcommand runs in the environment (args pass through)."""
    args = list(args)
    if command == "lab":
        return ([python, "-m", "jupyter", "lab", "--ServerApp.root_dir=" + ROOT,
                 "--LabApp.default_url=/lab/tree/notebooks"] + root_flag(os_name, euid) + args)
    if command == "test":
        return [python, "-m", "pytest"] + args
    if command == "student":
        return [python, "-m", "course_lib.tools.student"] + args
    if command == "bench":
        return [python, "-m", "course_lib.tools.bench"] + args
    if command == "robustness":
        return [python, "-m", "course_lib.tools.robustness"] + args
    if command == "grade":
        if not args or args[0].startswith("-"):
            raise CourseError("usage: python course.py grade path/to/submissions/ "
                              "(or make grade SUBMISSIONS=path/to/submissions/)")
        # The tool runs in the repository root; the folder was named from where the user is.
        folder = os.path.join(cwd or os.getcwd(), args[0])
        return [python, "-m", "course_lib.tools.grade", os.path.normpath(folder)] + args[1:]
    if command == "lint":  # ruff checks "." unless given paths of its own
        return [python, "-m", "ruff", "check"] + (args or ["."])
    if command == "venv":
        return None
    raise CourseError("unknown command %r; one of: %s" % (command, ", ".join(COMMANDS)))


def tool_env(command, environ):
    """The environment the Makefile set: offline hub; headless matplotlib for the batch tools."""
    env = dict(environ)
    env["HF_HUB_OFFLINE"] = "1"
    if command in HEADLESS:
        env["MPLBACKEND"] = "Agg"
    return env


# --- installing ------------------------------------------------------------------------

def run_pip(cmd, popen=None):
    """Run pip, echoing its output, and turn a failure into a message that says what to do."""
    import subprocess
    popen = popen or subprocess.Popen
    try:
        proc = popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     universal_newlines=True, errors="replace", cwd=ROOT)
    except OSError as err:
        raise CourseError("could not start %s: %s" % (cmd[0], err))
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    if proc.wait() != 0:
        raise CourseError(pip_failure_message("".join(lines)))


def ensure_environment(venv, run=None, popen=None, find_spec=None, disk_usage=None,
                       os_name=os.name, environ=None):
    """Create the venv if missing and install the stack once (the stamp says it is done)."""
    import shutil
    import subprocess
    environ = os.environ if environ is None else environ
    if environ.get("COURSE_SKIP_INSTALL") == "1" or not needs_install(venv, ROOT, os_name):
        return False
    python = venv_python(venv, os_name)
    fresh = not os.path.exists(python)
    if fresh:
        import importlib.util
        problem = missing_venv_message(find_spec or importlib.util.find_spec, sys.version_info)
        if problem:
            raise CourseError(problem)
    problem = free_disk_message(venv, fresh, disk_usage or shutil.disk_usage)
    if problem:
        raise CourseError(problem)
    run = run or subprocess.call
    if fresh:
        say("creating the course environment in %s" % venv)
        if run([sys.executable, "-m", "venv", venv]) != 0 or not os.path.exists(python):
            raise CourseError(venv_failed_message(venv, sys.version_info))
    say("installing the pinned stack (first time: a few GB, a few minutes)")
    pip = [python, "-m", "pip", "install", "--quiet"]
    run_pip(pip + ["--upgrade", "pip"], popen)
    run_pip(pip + ["-r", os.path.join(ROOT, "requirements.txt")], popen)
    run_pip(pip + ["--no-deps", "-e", ROOT], popen)
    with open(os.path.join(venv, STAMP_NAME), "w"):
        pass
    say("environment ready: %s" % venv)
    return True


def run_tool(cmd, env):
    """Run the tool in the repository root; on POSIX it replaces this process."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        if os.name == "posix":
            os.chdir(ROOT)
            os.execve(cmd[0], cmd, env)
        import subprocess
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    except OSError as err:
        raise CourseError("cannot run %s: %s. Is the environment complete? Delete it and run "
                          "the same command again to reinstall." % (cmd[0], err))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches the tool too; wait for it to finish
            continue


# --- command line ------------------------------------------------------------------------

def parse(argv, environ):
    """(venv, command, args): options before the command, the rest passes through."""
    venv = environ.get("COURSE_VENV") or os.path.join(ROOT, ".venv")
    argv = list(argv)
    while argv and argv[0].startswith("-"):
        opt = argv.pop(0)
        if opt in ("-h", "--help"):
            return venv, "help", []
        if opt == "--venv" and argv:
            venv = argv.pop(0)
        elif opt.startswith("--venv="):
            venv = opt[len("--venv="):]
        else:
            raise CourseError("unknown option %r (options go before the command; "
                              "the tool's own options after it)" % opt)
    if not argv:
        return venv, "help", []
    if argv[0] not in COMMANDS:
        raise CourseError("unknown command %r; one of: %s" % (argv[0], ", ".join(COMMANDS)))
    return os.path.abspath(venv), argv[0], argv[1:]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    problem = python_too_old_message(sys.version_info, sys.executable)
    if problem:
        print("course.py: " + problem, file=sys.stderr)
        return 1
    try:
        venv, command, args = parse(argv, os.environ)
        if command == "help":
            print(__doc__)
            return 0
        cmd = tool_command(command, venv_python(venv), args)
        ensure_environment(venv)
        if cmd is None:
            return 0
        return run_tool(cmd, tool_env(command, os.environ))
    except CourseError as err:
        print("course.py: " + str(err), file=sys.stderr)
        return 2 if str(err).startswith(("usage:", "unknown")) else 1


if __name__ == "__main__":
    sys.exit(main())
