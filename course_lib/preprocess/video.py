"""Classical video processing: frames to tensors, optical flow, colour cues, kinematics (notebook 10)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def frames_to_tensor(frames: np.ndarray, size: int = 32) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB -> (N, 3, size, size) float in [-0.5, 0.5], area-downsampled (notebook 10)."""
    x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255 - 0.5
    if x.shape[-1] != size:
        x = F.adaptive_avg_pool2d(x, size)
    return x


def sampled_indices(n_frames: int, native_fps: float, fps: float) -> np.ndarray:
    """Indices of the frames kept when a native_fps video is sampled at fps (notebook 10)."""
    if not 0 < fps <= native_fps:
        raise ValueError(f"fps={fps}: choose a rate in (0, {native_fps:g}]")
    return np.unique(np.round(np.arange(0, n_frames, native_fps / fps)).astype(int).clip(0, n_frames - 1))


def optical_flow(frames: np.ndarray) -> np.ndarray:
    """Dense Farnebäck optical flow between consecutive frames: (N, H, W, 3) -> (N-1, H, W, 2) px/frame."""
    import cv2

    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    return np.stack([cv2.calcOpticalFlowFarneback(a, b, None, pyr_scale=0.5, levels=2, winsize=9,
                                                  iterations=3, poly_n=5, poly_sigma=1.1, flags=0)
                     for a, b in zip(gray[:-1], gray[1:], strict=True)])


def motion_split(flow: np.ndarray, inside: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame camera motion (median flow, px) and instrument motion (95th pct of the rest) (notebook 10).

    The whole picture moves with the laparoscope; instruments move against it. `inside` (H, W)
    restricts to the endoscope's round field of view.
    """
    inside = np.ones(flow.shape[1:3], bool) if inside is None else inside
    v = flow[:, inside]  # (N, P, 2)
    camera = np.median(v, axis=1)  # (N, 2)
    residual = np.linalg.norm(v - camera[:, None], axis=-1)
    return np.linalg.norm(camera, axis=-1), np.percentile(residual, 95, axis=1)


def red_fraction(frames: np.ndarray, min_red: int = 140, ratio: float = 5.0) -> np.ndarray:
    """Share of pixels that look like fresh blood: bright, saturated red (notebook 10).

    Liver is red too, but darker and less saturated (red about 3x green); fresh blood is red >= 5x.
    """
    f = frames.astype(np.int32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    return ((r >= min_red) & (r >= ratio * np.maximum(g, b))).mean(axis=(1, 2))


def alarm_onsets(score: np.ndarray, threshold: float, hold: int = 2) -> list[int]:
    """Frames where `score` first stays above threshold for `hold` frames (one alarm per crossing)."""
    above = score > threshold
    run = np.convolve(above, np.ones(hold), "full")[: len(above)] >= hold
    starts = np.flatnonzero(run & ~np.r_[False, run[:-1]])
    return [int(s - hold + 1) for s in starts]


def tip_speed(kin: np.ndarray, hz: float) -> np.ndarray:
    """Speed (mm/s) of each tip: kin (K, 2 * hands) -> (K, hands), from central differences."""
    xy = kin.reshape(len(kin), -1, 2)
    return np.linalg.norm(np.gradient(xy, axis=0), axis=-1) * hz


def skill_metrics(kin: np.ndarray, hz: float, idle_speed: float = 2.0) -> dict:
    """Motion metrics used in skill assessment, both hands together (notebook 10).

    path length (mm), duration (s), idle fraction (speed < idle_speed mm/s, measured on the path
    smoothed over 0.2 s so that tremor does not count as moving), mean jerk (mm/s^3):
    experts move less, wait less and move more smoothly.
    """
    from scipy.ndimage import gaussian_filter1d

    speed = tip_speed(kin, hz)
    steady = tip_speed(gaussian_filter1d(kin, 0.2 * hz, axis=0), hz)
    xy = kin.reshape(len(kin), -1, 2)
    jerk = np.linalg.norm(np.diff(xy, n=3, axis=0), axis=-1) * hz**3
    return {"path length (mm)": float(speed.sum() / hz), "duration (s)": len(kin) / hz,
            "idle fraction": float((steady < idle_speed).mean()), "jerk (mm/s³)": float(jerk.mean())}


def best_lag(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[int, np.ndarray]:
    """The shift s (in samples) that best aligns b[t + s] with a[t], by normalised cross-correlation."""
    a = (a - a.mean()) / (a.std() + 1e-9)
    b = (b - b.mean()) / (b.std() + 1e-9)
    scores = []
    for s in range(max_lag + 1):
        n = min(len(a), len(b) - s)
        scores.append(float(np.mean(a[:n] * b[s:s + n])) if n > 10 else -np.inf)
    scores = np.array(scores)
    return int(np.argmax(scores)), scores


def kinematics_at(kin: np.ndarray, hz: float, times_s: np.ndarray, offset_s: float) -> np.ndarray:
    """Kinematic rows at video times: video time t is kinematic time t + offset_s (notebook 10)."""
    idx = np.clip(np.round((np.asarray(times_s) + offset_s) * hz).astype(int), 0, len(kin) - 1)
    return kin[idx]
