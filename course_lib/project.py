"""Where the course lives (the repository URL) and what it runs on (PyTorch range), notebook 00."""

import re

# A fork changes these two lines; `make student` and the README table follow.
REPO_URL = "https://github.com/mmai-course/multimodal-medical-ai-handson"
BRANCH = "main"


def colab_url(path: str) -> str:
    """Open-in-Colab link for a notebook path inside the repository (notebook 00)."""
    slug = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{BRANCH}/{path}"


def colab_badge(path: str) -> str:
    """Markdown 'Open in Colab' badge for a notebook path (notebook 00)."""
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open in Colab]({badge})]({colab_url(path)})"


# PyTorch versions the course supports: at least TORCH_MIN (pyproject.toml's `torch>=`,
# so Colab keeps its own torch) and tested below TORCH_TESTED_BELOW (the next minor after
# requirements.txt's pin). tests/test_course_entry.py keeps both files in step with these.
TORCH_MIN = "2.2"
TORCH_TESTED_BELOW = "2.15"


def _major_minor(version: str) -> tuple[int, int] | None:
    """(2, 14) from '2.14.1+cu128' or '2.14'; None when it is not a version."""
    found = re.match(r"(\d+)\.(\d+)", version.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def torch_version_warning(version: str) -> str | None:
    """A warning when a torch version is outside the supported range, else None."""
    low, high = _major_minor(TORCH_MIN), _major_minor(TORCH_TESTED_BELOW)
    have = _major_minor(version)
    if have is None:
        return f"WARNING: cannot read the PyTorch version {version!r}; the course needs >= {TORCH_MIN}."
    if have < low:
        return (f"WARNING: PyTorch {version} is older than this course needs (>= {TORCH_MIN}). "
                f'Run  !pip install -q "torch>={TORCH_MIN}" torchvision  then Runtime > Restart session.')
    if have >= high:
        return (f"WARNING: this runtime's PyTorch {version} is newer than the versions the course "
                f"was tested with ({TORCH_MIN} to below {TORCH_TESTED_BELOW}). The notebooks usually "
                "still run. If a cell fails inside torch, please report it at "
                f'{REPO_URL}/issues and meanwhile run  !pip install -q "torch<{TORCH_TESTED_BELOW}" '
                "torchvision  then Runtime > Restart session.")
    return None


def check_colab_torch() -> str | None:
    """Print (and return) a warning when the runtime's torch is outside the supported range."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("torch")
    except PackageNotFoundError:
        installed = "0.0"
    warning = torch_version_warning(installed)
    print(warning or f"PyTorch {installed}: within the course's tested range.")
    return warning


def colab_setup_cell() -> str:
    """Source of every notebook's first code cell: installs the course on Colab only."""
    return (
        "# Colab only (elsewhere this cell does nothing): installs the course package from GitHub\n"
        "# with the few libraries Colab lacks (pydicom, wfdb, neurokit2, OpenSlide, PyTorch\n"
        "# Geometric, captum); Colab's own PyTorch is kept. Takes about 1-2 minutes, once per session.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        '    print("Installing the course package (about 1-2 minutes)...")\n'
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "git+{REPO_URL}@{BRANCH}"],\n'
        "        check=True,\n"
        "    )\n"
        "    from course_lib.project import check_colab_torch\n"
        "\n"
        "    check_colab_torch()  # warns (does not stop) if Colab's PyTorch moved past the tested range"
    )
