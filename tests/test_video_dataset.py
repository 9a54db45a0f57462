"""Notebook 10's loader on fixtures in Cholec80's exact layout (25 fps, tools every 25th frame)."""

import json

import cv2
import numpy as np
import pytest

from course_lib.datasets import video as cholec
from course_lib.synth.video import (
    PHASES,
    TOOLS,
    make_procedures,
    synthetic_cholec80,
    write_cholec80_layout,
)


def write_real_layout(root, n_frames=100, fps=25):
    """One video as Cholec80 ships it: 25 fps MP4, a phase line per frame, a tool line per 25 frames."""
    for sub in ("videos", "phase_annotations", "tool_annotations"):
        (root / sub).mkdir(parents=True)
    writer = cv2.VideoWriter(str(root / "videos" / "video01.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps, (48, 32))
    for i in range(n_frames):
        writer.write(np.full((32, 48, 3), (9 * i) % 256, np.uint8))  # neighbours differ by 9
    writer.release()
    phases = [PHASES[0]] * 40 + [PHASES[1]] * 60
    (root / "phase_annotations" / "video01-phase.txt").write_text(
        "Frame\tPhase\n" + "".join(f"{i}\t{p}\n" for i, p in enumerate(phases)))
    rows = "".join(f"{i}\t" + "\t".join("1" if (j == 0 or (j == 2 and i >= 50)) else "0" for j in range(7)) + "\n"
                   for i in range(0, n_frames, fps))
    (root / "tool_annotations" / "video01-tool.txt").write_text("Frame\t" + "\t".join(TOOLS) + "\n" + rows)


def test_reads_the_cholec80_layout_at_1_fps(tmp_path):
    write_real_layout(tmp_path)
    assert cholec.cholec80_available(tmp_path) and cholec.video_ids(tmp_path) == ["video01"]
    info = cholec.video_info(tmp_path / "videos" / "video01.mp4")
    assert info["fps"] == 25 and info["frames"] == 100 and (info["width"], info["height"]) == (48, 32)
    d = cholec.load_procedure(tmp_path, "video01", fps=1)
    assert list(d["frame_index"]) == [0, 25, 50, 75]
    assert list(d["phase"]) == [0, 0, 1, 1]  # frames 0-39 are Preparation
    assert d["tools"][:, 0].tolist() == [1, 1, 1, 1] and d["tools"][:, 2].tolist() == [0, 0, 1, 1]
    assert d["frames"].shape == (4, 32, 48, 3)
    assert abs(d["frames"][1].mean() - 225) < 4.5  # frame 25 was written with value 225, not 216 or 234


def test_tools_are_not_invented_between_annotations(tmp_path):
    write_real_layout(tmp_path)
    d = cholec.load_procedure(tmp_path, "video01", fps=5)
    annotated = np.isin(d["frame_index"], [0, 25, 50, 75])
    assert (d["tools"][~annotated] == -1).all() and (d["tools"][annotated] >= 0).all()
    filled = cholec.load_procedure(tmp_path, "video01", fps=5, tools_at_annotations_only=False)
    assert (filled["tools"] >= 0).all()


def test_bad_files_give_clear_errors(tmp_path):
    write_real_layout(tmp_path)
    bad = tmp_path / "phase_annotations" / "video01-phase.txt"
    bad.write_text("Frame\tPhase\n0\tSuturing\n")
    with pytest.raises(ValueError, match="unknown phase"):
        cholec.read_phase_annotations(bad)
    with pytest.raises(ValueError, match="choose a rate"):
        cholec.read_video(tmp_path / "videos" / "video01.mp4", fps=50)
    with pytest.raises(FileNotFoundError):
        cholec.read_video(tmp_path / "videos" / "missing.mp4")


def test_synthetic_round_trip_and_cache(tmp_path, data_dir):
    procs = make_procedures(2, seed=1)
    names = write_cholec80_layout(procs, tmp_path)
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    d = cholec.load_procedure(tmp_path, names[1], fps=procs[1].fps)
    assert np.array_equal(d["phase"], procs[1].phase) and truth[names[1]]["skill"] == procs[1].skill
    assert np.abs(d["frames"].astype(int) - procs[1].frames).mean() < 12  # lossy MP4, same picture
    annotated = d["tools"][:, 0] >= 0
    assert np.array_equal(d["tools"][annotated], procs[1].tools[annotated])
    kin = cholec.load_kinematics(tmp_path, names[0])
    assert np.allclose(kin[:, 1:], procs[0].kinematics, atol=1e-3)
    root = synthetic_cholec80(n=2, seed=1)
    stamp = (root / "ground_truth.json").stat().st_mtime
    assert synthetic_cholec80(n=2, seed=1) == root and (root / "ground_truth.json").stat().st_mtime == stamp


def test_fetch_script_explains_access_and_extracts(tmp_path, data_dir, capsys):
    import importlib.util
    import zipfile

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("fetch_cholec80", ROOT / "data_scripts" / "fetch_cholec80.py")
    fetch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch)
    assert fetch.main([]) == 2 and "permission" in capsys.readouterr().err
    src = tmp_path / "src" / "cholec80"
    write_real_layout(src)
    archive = tmp_path / "cholec80.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in src.rglob("*"):
            if f.is_file():
                zf.write(f, f.relative_to(tmp_path / "src"))
    assert fetch.main(["--archive", str(archive)]) == 0
    assert cholec.video_ids(cholec.cholec80_dir()) == ["video01"]
