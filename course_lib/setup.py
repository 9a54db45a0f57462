"""One call at the top of every notebook: seeds, device, offline mode, style (notebook 00)."""

from __future__ import annotations

import os
import platform
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR_VAR = "COURSE_DATA_DIR"


def default_data_dir() -> Path:
    """The data directory when COURSE_DATA_DIR is not set: the user's cache folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "mmai-course"


def data_dir(create: bool = True) -> Path:
    """The course data directory (from COURSE_DATA_DIR), created and checked writable."""
    raw = os.environ.get(DATA_DIR_VAR)
    path = Path(raw).expanduser() if raw else default_data_dir()
    if not create:
        return path
    where = f"{DATA_DIR_VAR}={raw}" if raw else f"the default {path} ({DATA_DIR_VAR} is not set)"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PermissionError(
            f"Cannot create the course data directory from {where}: {err.strerror}. "
            f"Set {DATA_DIR_VAR} to a folder you can write, e.g. export {DATA_DIR_VAR}=$HOME/mmai-data"
        ) from err
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(
            f"The course data directory from {where} is not writable. "
            f"Set {DATA_DIR_VAR} to a folder you can write, e.g. export {DATA_DIR_VAR}=$HOME/mmai-data"
        )
    return path


def pick_device(prefer: str | None = None) -> str:
    """The best available device: cuda, then mps, then cpu (or `prefer` if given)."""
    import torch

    if prefer:
        return prefer
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch, and ask torch for deterministic kernels."""
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (legacy global RNG, still used by many libraries)
    torch.manual_seed(seed)  # also seeds every cuda device
    # warn_only: a few ops (e.g. some scatter/index_add on cuda) have no deterministic
    # kernel; the course prefers a warning to a crash on a student's GPU.
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def set_offline() -> None:
    """Forbid hub downloads: the course runs offline unless a user fetches real data."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"


def set_plot_style() -> None:
    """One plotting style for every figure of the course."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (7, 4),
            "figure.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": "gray",
            "font.size": 10,
        }
    )


@dataclass(frozen=True)
class CourseEnv:
    """What setup_notebook decided: the seed, the device and the data directory."""

    seed: int
    device: str
    data_dir: Path


def versions() -> dict[str, str]:
    """Versions of python and the course's main libraries."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ["torch", "torchvision", "numpy", "scikit-learn", "transformers", "pydicom"]:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def setup_notebook(seed: int = 0, device: str | None = None, quiet: bool = False) -> CourseEnv:
    """Seed everything, pick the device, go offline, set the plot style, print versions."""
    set_offline()
    seed_everything(seed)
    set_plot_style()
    env = CourseEnv(seed=seed, device=pick_device(device), data_dir=data_dir())
    if not quiet:
        print(" | ".join(f"{k} {v}" for k, v in versions().items()))
        print(f"device: {env.device} | seed: {seed} | data: {env.data_dir} | HF_HUB_OFFLINE=1")
    return env


def peak_memory_mb() -> float:
    """This process's peak resident memory in MB (notebook 04).

    Linux: VmHWM, which starts afresh when a program starts. getrusage's ru_maxrss is kept across
    exec, so a kernel started by a large process (pytest, after many tests) would report its
    parent's peak instead of its own; it is the fallback where /proc does not exist (macOS, Windows).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB -> MB
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if platform.system() == "Darwin" else peak / 1024  # macOS: bytes; else kB
