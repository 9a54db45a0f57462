"""ruff over library, tests and notebooks; `make lab` (via course.py) serves JupyterLab."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def test_ruff_is_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_answers_http(tmp_path):
    """Runs the Makefile's lab recipe (make -> course.py -> jupyter) against this environment."""
    venv = BIN.parent
    port = free_port()
    cmd = ["make", "-C", str(ROOT), "lab", f"VENV={venv}",
           f"LAB_ARGS=--no-browser --port={port} --ServerApp.port_retries=0"]
    # COURSE_SKIP_INSTALL: use this environment as it is, whatever its install stamp says.
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "COURSE_SKIP_INSTALL": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        deadline, answer = time.time() + 90, None
        while time.time() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as r:
                    answer = r.status, r.read().decode()
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(1)
        assert answer and answer[0] == 200 and "version" in answer[1], "JupyterLab did not answer"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
