"""Surgical video files and the Cholec80 layout: read frames at a chosen FPS, with annotations (notebook 10).

Cholec80 (Twinanda et al. 2017): 80 cholecystectomy videos at 25 fps, every frame annotated with one
of 7 phases, tool presence (7 tools) annotated once per second (every 25th frame). Layout:
    cholec80/videos/videoNN.mp4
    cholec80/phase_annotations/videoNN-phase.txt   "Frame<TAB>Phase", one line per frame
    cholec80/tool_annotations/videoNN-tool.txt     "Frame<TAB>Grasper<TAB>...<TAB>SpecimenBag", 0/1
The course's synthetic procedures are written in the same layout, so one loader reads both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.synth.video import PHASES, TOOLS

FETCH = "python data_scripts/fetch_cholec80.py"


def cholec80_dir() -> Path:
    """Where Cholec80 lives: COURSE_DATA_DIR/cholec80."""
    from course_lib.setup import data_dir

    return data_dir() / "cholec80"


def cholec80_available(root: Path | None = None) -> bool:
    """True when the Cholec80 folders are present with at least one video."""
    root = Path(root) if root else cholec80_dir()
    return (root / "phase_annotations").is_dir() and any((root / "videos").glob("video*.mp4"))


def video_ids(root: Path) -> list[str]:
    """The video names ("video01", ...) that have a file and a phase annotation."""
    root = Path(root)
    return sorted(p.stem for p in (root / "videos").glob("video*.mp4")
                  if (root / "phase_annotations" / f"{p.stem}-phase.txt").exists())


def video_info(path) -> dict:
    """Container facts of a video file: codec, fps, frame count, size, duration (notebook 10)."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise FileNotFoundError(f"cannot open {path}: not a video file OpenCV can decode")
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode(errors="replace")
    fps, n = cap.get(cv2.CAP_PROP_FPS), int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    info = {"codec": fourcc, "fps": fps, "frames": n, "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), "duration_s": n / fps if fps else float("nan"),
            "bytes": Path(path).stat().st_size}
    cap.release()
    return info


def read_video(path, fps: float | None = None, max_frames: int | None = None):
    """Decode a video, keeping frames at `fps` (None: all). Returns (frames (N, H, W, 3) RGB, indices).

    Every frame must be decoded anyway (inter-frame compression), but skipped frames are only
    grabbed, not converted, which is most of the saving (notebook 10).
    """
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise FileNotFoundError(f"cannot open {path}: not a video file OpenCV can decode")
    native = cap.get(cv2.CAP_PROP_FPS)
    if fps is not None and not 0 < fps <= native:
        raise ValueError(f"fps={fps}: choose a rate in (0, {native:g}] (the file's own frame rate)")
    step = 1.0 if fps is None else native / fps
    frames, idx, i, nxt = [], [], 0, 0.0
    while cap.grab():
        if i >= round(nxt) - 1e-9:
            ok, bgr = cap.retrieve()
            if not ok:
                break
            frames.append(bgr[..., ::-1])
            idx.append(i)
            nxt += step
            if max_frames and len(frames) >= max_frames:
                break
        i += 1
    cap.release()
    if not frames:
        raise ValueError(f"{path}: no frame could be decoded")
    return np.stack(frames), np.array(idx)


def read_phase_annotations(path) -> np.ndarray:
    """Per-frame phase indices (into PHASES) from a Cholec80 videoNN-phase.txt."""
    table = pd.read_csv(path, sep="\t")
    if list(table.columns) != ["Frame", "Phase"]:
        raise ValueError(f"{path}: expected the header 'Frame<TAB>Phase', got {list(table.columns)}")
    unknown = sorted(set(table["Phase"]) - set(PHASES))
    if unknown:
        raise ValueError(f"{path}: unknown phase names {unknown}; Cholec80 uses {PHASES}")
    lookup = {name: i for i, name in enumerate(PHASES)}
    return table.sort_values("Frame")["Phase"].map(lookup).to_numpy()


def read_tool_annotations(path) -> pd.DataFrame:
    """Tool presence table (Frame + one 0/1 column per tool) from a Cholec80 videoNN-tool.txt."""
    table = pd.read_csv(path, sep="\t")
    if list(table.columns) != ["Frame", *TOOLS]:
        raise ValueError(f"{path}: expected the header 'Frame' + {TOOLS}, got {list(table.columns)}")
    return table


def load_procedure(root, name: str, fps: float = 1.0, tools_at_annotations_only: bool = True) -> dict:
    """One video at `fps` with its labels: {"frames", "frame_index", "phase", "tools", "fps"} (notebook 10).

    Phases are annotated on every frame. Tools are annotated once per second: by default only
    frames that carry a tool annotation keep one (others get -1), so no label is invented.
    """
    root = Path(root)
    frames, index = read_video(root / "videos" / f"{name}.mp4", fps=fps)
    phase_all = read_phase_annotations(root / "phase_annotations" / f"{name}-phase.txt")
    index = index[index < len(phase_all)]
    frames = frames[: len(index)]
    tool_table = read_tool_annotations(root / "tool_annotations" / f"{name}-tool.txt").set_index("Frame")
    tools = np.full((len(index), len(TOOLS)), -1, np.int64)
    if tools_at_annotations_only:
        have = np.isin(index, tool_table.index)
        tools[have] = tool_table.loc[index[have], list(TOOLS)].to_numpy()
    else:  # carry the last annotation forward
        pos = np.searchsorted(tool_table.index.to_numpy(), index, side="right") - 1
        tools = tool_table[list(TOOLS)].to_numpy()[np.clip(pos, 0, None)]
    return {"name": name, "frames": frames, "frame_index": index, "phase": phase_all[index],
            "tools": tools, "fps": fps}


def load_kinematics(root, name: str) -> np.ndarray:
    """The synthetic kinematics (K, 5): t_s, left x, y, right x, y in mm (Cholec80 has none)."""
    return np.loadtxt(Path(root) / "kinematics" / f"{name}-kinematics.csv", delimiter=",", skiprows=1)
