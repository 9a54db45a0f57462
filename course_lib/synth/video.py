"""Synthetic laparoscopic cholecystectomies with ground truth: phases, tools, kinematics (notebook 10).

A procedure is simulated in three layers: the workflow (Cholec80's seven phases, their order and
durations, which instrument is in which hand), the surgeon's hands (instrument-tip kinematics at
KIN_HZ, smoother and quicker for a more skilled surgeon) and the picture (a moving laparoscope over
liver and gallbladder whose state follows the phase, instruments drawn at the kinematic tips,
smoke from the hook and bleeding events). Everything is scaled down so a CPU runs it in seconds:
64 x 64 pixels, FPS frames per second, about a minute per procedure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import gaussian_filter

# Cholec80's phase and tool names, spelled as in its annotation files.
PHASES = ("Preparation", "CalotTriangleDissection", "ClippingCutting", "GallbladderDissection",
          "GallbladderPackaging", "CleaningCoagulation", "GallbladderRetraction")
TOOLS = ("Grasper", "Bipolar", "Hook", "Scissors", "Clipper", "Irrigator", "SpecimenBag")
FPS, KIN_HZ, SIZE, CANVAS = 5, 25, 64, 112
VERSION = 2  # bump when the generator changes: part of the on-disk cache key

# Mean phase durations in seconds of synthetic video (the two dissections take longest).
MEAN_DURATION = np.array([2.5, 10.0, 3.5, 9.0, 2.5, 3.5, 2.5])
# (shaft colour, shaft width px, tip colour, tip radius px) per tool; the bag is drawn apart.
TOOL_LOOK = {
    "Grasper": ((70, 70, 75), 3.0, (190, 190, 195), 2.2),
    "Bipolar": ((55, 55, 60), 3.0, (60, 90, 215), 2.6),
    "Hook": ((22, 22, 22), 2.4, (240, 240, 215), 1.3),
    "Scissors": ((40, 40, 45), 3.0, (240, 175, 30), 2.4),
    "Clipper": ((95, 95, 100), 4.0, (175, 120, 225), 3.0),
    "Irrigator": ((175, 175, 180), 4.6, (205, 205, 210), 1.8),
}
PORTS = {"left": np.array([-25.0, 135.0]), "right": np.array([137.0, 130.0])}  # canvas (x, y)


@dataclass
class Procedure:
    """One synthetic procedure and its ground truth (notebook 10)."""

    frames: np.ndarray  # (T, SIZE, SIZE, 3) uint8 RGB at `fps`
    phase: np.ndarray  # (T,) int phase index per frame
    tools: np.ndarray  # (T, 7) bool, tool tip visible in the frame
    kinematics: np.ndarray  # (K, 4) float32 tips [left x, left y, right x, right y] in mm at kin_hz
    skill: float  # hidden skill in [0, 1] (1 = expert)
    sync_offset_s: float  # the kinematics recording started this many seconds before the video
    bleeding_onsets: list[int] = field(default_factory=list)  # frame indices
    smoke: np.ndarray | None = None  # (T,) smoke opacity
    fps: int = FPS
    kin_hz: int = KIN_HZ

    @property
    def duration_s(self) -> float:
        return len(self.phase) / self.fps


def phase_sequence(rng: np.random.Generator, skill: float) -> tuple[list[int], np.ndarray]:
    """Phase order and durations (s): 1-4 in order, packaging and cleaning either way, retraction last."""
    order = [0, 1, 2, 3] + ([5, 4] if rng.random() < 0.3 else [4, 5]) + [6]
    slow = np.where(np.isin(np.arange(7), [1, 3]), 0.7, 0.3) * (1 - skill)  # novices dissect slowly
    dur = MEAN_DURATION * rng.lognormal(0, 0.2, 7) * (1 + slow)
    return order, np.maximum(dur[order], 1.6)


def _segments(rng, start, end, on_mean, off_mean):
    """Alternating in-use / out-of-view intervals of one instrument within [start, end)."""
    out, t = [], start + rng.exponential(0.3)
    while t < end:
        d = 1.0 + rng.exponential(on_mean)
        out.append((t, min(t + d, end)))
        t += d + rng.exponential(off_mean)
    return out


def tool_schedule(rng, order, durations) -> tuple[list, list]:
    """(tool, start, end) intervals for the left and the right hand, phase by phase."""
    left, right, t0 = [], [], 0.0
    for p, d in zip(order, durations, strict=True):
        t1 = t0 + d
        name = PHASES[p]
        left += [("Grasper", a, b) for a, b in _segments(rng, t0, t1, 4.0 if p != 5 else 1.0, 0.6)]
        if name == "ClippingCutting":  # clip the cystic duct and artery, then cut between clips
            cut = t0 + 0.5 * d
            right += [("Clipper", a, b) for a, b in _segments(rng, t0, cut, 1.5, 0.4)]
            right += [("Scissors", a, b) for a, b in _segments(rng, cut, t1, 1.0, 0.3)]
        elif name in ("CalotTriangleDissection", "GallbladderDissection"):
            for a, b in _segments(rng, t0, t1, 2.5, 0.6):  # mostly the hook; the bipolar coagulates
                right.append(("Hook" if rng.random() < 0.8 else "Bipolar", a, b))
        elif name == "Preparation" and rng.random() < 0.4:
            right += [("Hook", a, b) for a, b in _segments(rng, t0 + 0.4 * d, t1, 1.0, 1.0)]
        elif name == "CleaningCoagulation":
            for a, b in _segments(rng, t0, t1, 1.2, 0.4):
                right.append(("Irrigator" if rng.random() < 0.5 else "Bipolar", a, b))
        if name in ("GallbladderPackaging", "GallbladderRetraction"):
            start = t0 + 0.1 * d if name == "GallbladderPackaging" else t0  # the bag comes in, then out
            right.append(("SpecimenBag", start, t1))
        t0 = t1
    return left, right


def _min_jerk(a, b, n):
    s = np.linspace(0, 1, n)[:, None]
    return a + (b - a) * (10 * s**3 - 15 * s**4 + 6 * s**5)


def hand_path(rng, centres, skill, spread, hz=KIN_HZ, style=(1.0, 1.0)) -> np.ndarray:
    """A tip path (K, 2) visiting targets around `centres` (K, 2): reach, dwell, tremor (notebook 10).

    `style` scales this surgeon's dwell time and tremor: people of equal skill still differ.
    """
    k_total = len(centres)
    path = np.empty((k_total, 2))
    pos, k = centres[0].copy(), 0
    while k < k_total:
        target = centres[min(k + hz // 2, k_total - 1)] + rng.normal(0, spread, 2)
        if rng.random() < 0.7 * (1 - skill):  # a novice overshoots and corrects
            target = target + rng.normal(0, 4 + 6 * (1 - skill), 2)
        n = int(hz * (0.35 + 0.04 * np.linalg.norm(target - pos) + 0.4 * (1 - skill) * rng.random()))
        n = max(n, 3)
        seg = _min_jerk(pos, target, n)
        dwell = int(hz * rng.exponential((0.2 + 1.2 * (1 - skill)) * style[0]))  # idle grows with inexperience
        seg = np.vstack([seg, np.repeat(target[None], dwell, 0)])
        take = min(len(seg), k_total - k)
        path[k:k + take] = seg[:take]
        pos, k = target, k + take
    tremor = gaussian_filter(rng.normal(0, 1, (k_total, 2)), (1.2, 0))
    return path + tremor * (0.15 + 0.5 * (1 - skill)) * style[1]


def _anatomy(rng):
    """Per-procedure canvas layers: liver, gallbladder, fat over Calot's triangle, bed, duct, clips."""
    yy, xx = np.mgrid[0:CANVAS, 0:CANVAS].astype(np.float32)
    tex = gaussian_filter(rng.normal(0, 1, (CANVAS, CANVAS)), 2.5).astype(np.float32)
    tex = 1 + 0.22 * tex / tex.std() + 0.1 * gaussian_filter(rng.normal(0, 1, (CANVAS, CANVAS)), 8) * 8
    liver = np.stack([120 * tex, 42 * tex, 38 * tex], -1) * rng.uniform(0.85, 1.15, 3)
    centre = np.array([56, 50]) + rng.normal(0, 4, 2)
    ang = rng.uniform(-0.5, 0.5) + 0.6
    u = ((xx - centre[0]) * np.cos(ang) + (yy - centre[1]) * np.sin(ang)) / 24  # long axis, neck at u<0
    v = (-(xx - centre[0]) * np.sin(ang) + (yy - centre[1]) * np.cos(ang)) / 11
    gb = np.clip((1.15 - np.sqrt(u**2 + v**2)) * 6, 0, 1)
    neck = centre + 24 * np.array([-np.cos(ang), -np.sin(ang)])  # Calot's triangle lies below the neck
    fat = np.clip(1.4 - np.hypot(xx - neck[0], yy - neck[1]) / 9, 0, 1)
    duct_dir = np.array([-np.cos(ang + 0.5), -np.sin(ang + 0.5)])
    s = np.clip((xx - neck[0]) * duct_dir[0] + (yy - neck[1]) * duct_dir[1], 0, 14)
    duct = np.clip(1.6 - np.hypot(xx - neck[0] - s * duct_dir[0], yy - neck[1] - s * duct_dir[1]), 0, 1)
    clip_pts = [neck + duct_dir * d for d in (4.0, 6.0, 10.0)]
    clips = sum(np.clip(1.3 - np.hypot(xx - c[0], yy - c[1]), 0, 1) for c in clip_pts)
    return {"liver": liver, "gb": gb, "gb_u": (u + 1) / 2, "fat": fat, "duct": duct,
            "clips": np.clip(clips, 0, 1), "neck": neck, "centre": centre, "axis": -duct_dir,
            "fundus": centre + 22 * np.array([np.cos(ang), np.sin(ang)]), "ang": ang}


def _blend(img, mask, colour, alpha=1.0):
    a = (mask * alpha)[..., None].astype(np.float32)
    return img * (1 - a) + a * np.asarray(colour, np.float32)


def _anatomy_state(ana, phase, prog, wet):
    """The canvas (CANVAS, CANVAS, 3) in one workflow state: what has been dissected, clipped, removed."""
    fat_left = {0: 1.0, 1: 1 - 0.8 * prog}.get(phase, 0.2)
    clip_on = float(prog > 0.3) if phase == 2 else float(phase in (3, 4, 5, 6))
    detached = prog if phase == 3 else float(phase in (4, 5, 6))
    img = ana["liver"].astype(np.float32)
    img = _blend(img, ana["gb"], (150, 160, 72))
    img = _blend(img, ana["gb"] * (ana["gb_u"] < detached), (162, 142, 76))  # the bed, from the neck on
    img = _blend(img, ana["duct"] * (fat_left < 0.9), (205, 190, 170), 0.9)
    img = _blend(img, ana["clips"] * clip_on, (200, 200, 210), 0.45)
    img = _blend(img, ana["fat"] * fat_left, (205, 185, 110))
    if phase == 5:  # irrigation fluid glistens
        img = _blend(img, np.clip(wet, 0, 1), (225, 235, 245), 0.8)
    return img


def simulate_procedure(seed: int, skill: float | None = None) -> Procedure:
    """Simulate one procedure, deterministic from `seed` (notebook 10)."""
    rng = np.random.default_rng([seed, 10])
    skill = float(rng.uniform(0, 1)) if skill is None else float(skill)
    order, dur = phase_sequence(rng, skill)
    total = float(dur.sum())
    n = int(total * FPS)
    t = np.arange(n) / FPS
    bounds = np.concatenate([[0], np.cumsum(dur)])
    seg = np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, 6)
    phase = np.array(order)[seg]
    prog = (t - bounds[seg]) / dur[seg]  # progress within the current phase, 0..1
    ana = _anatomy(rng)
    left, right = tool_schedule(rng, order, dur)

    # --- bleeding: likelier for novices, during a dissection; the bipolar comes to stop it
    onsets = []
    if rng.random() < 0.25 + 0.6 * (1 - skill):
        k = order.index(rng.choice([1, 3]))
        t_bleed = bounds[k] + rng.uniform(0.2, 0.6) * dur[k]
        onsets.append(int(t_bleed * FPS))
        right = [r for r in right if not (r[1] < t_bleed + 5 and r[2] > t_bleed + 2.5)]
        right.append(("Bipolar", t_bleed + 2.5, t_bleed + 5.0))

    # --- kinematics: the right hand works where the phase works, the left retracts the fundus
    offset = float(rng.uniform(0.5, 3.0))
    k_total = int((total + offset) * KIN_HZ) + 1
    tk = np.arange(k_total) / KIN_HZ - offset  # video time of each kinematic sample
    segk = np.clip(np.searchsorted(bounds, np.clip(tk, 0, total - 1e-6), side="right") - 1, 0, 6)
    pk = np.array(order)[segk]
    progk = np.clip((tk - bounds[segk]) / dur[segk], 0, 1)
    work = {0: ana["centre"], 1: ana["neck"] + 3 * ana["axis"], 2: ana["neck"] + 5 * ana["axis"],
            4: ana["centre"] + np.array([0, 10]), 5: ana["centre"], 6: ana["centre"] - np.array([10, 22])}
    centres = np.array([work[p] if p != 3 else ana["neck"] + progk[i] * (ana["fundus"] - ana["neck"])
                        for i, p in enumerate(pk)])
    centres = gaussian_filter(centres, (KIN_HZ * 0.6, 0))  # the hand drifts between phase targets
    style = np.random.default_rng([seed, 11]).lognormal(0, 0.35, 2)  # a stream of its own
    right_tip = hand_path(rng, centres, skill, spread=3.5, style=style)
    hold = 0.55 * ana["fundus"] + 0.45 * centres  # the left grasper retracts the gallbladder
    left_tip = hand_path(rng, gaussian_filter(hold, (KIN_HZ, 0)), skill, spread=1.5, style=style)
    kin = np.hstack([left_tip, right_tip]).astype(np.float32)

    # --- camera follows the working instrument, slowly (the assistant holds the laparoscope)
    ki = np.clip(np.round((t + offset) * KIN_HZ).astype(int), 0, k_total - 1)
    cam = gaussian_filter(right_tip[ki], (FPS * 1.2, 0)) + gaussian_filter(rng.normal(0, 4, (n, 2)),
                                                                           (FPS * 2, 0)) * 3
    cam = np.clip(np.round(cam - SIZE / 2), 0, CANVAS - SIZE).astype(int)  # (T, 2) top-left x, y
    ys = cam[:, 1, None, None] + np.arange(SIZE)[None, :, None]
    xs = cam[:, 0, None, None] + np.arange(SIZE)[None, None, :]

    # --- anatomy state from the workflow: fat dissected, clips, gallbladder off its bed, then gone.
    # The state changes slowly, so the canvas is drawn once per (phase, progress step) and every
    # frame is a crop of its state's canvas: one gather instead of a blend per frame.
    step = np.round(prog * 4).astype(int)
    states, sidx = np.unique(phase * 10 + step, return_inverse=True)
    wet = gaussian_filter((rng.random((CANVAS, CANVAS)) > 0.985).astype(np.float32), 0.7) * 4
    canvases = np.stack([_anatomy_state(ana, s // 10, (s % 10) / 4, wet) for s in states])
    img = canvases[sidx[:, None, None], ys, xs]  # (T, SIZE, SIZE, 3)
    if onsets:
        b0 = onsets[0] / FPS
        src = right_tip[int((b0 + offset) * KIN_HZ)] + np.array([2.0, 2.0])
        yy, xx = np.mgrid[0:CANVAS, 0:CANVAS]
        dist = np.hypot(xx - src[0], yy - src[1]).astype(np.float32)
        radius = np.clip((t - b0) / 3.0, 0, 1) * 7 * np.clip(1 - (t - b0 - 5.0) / 2.0, 0, 1)
        idx = np.flatnonzero(radius > 0)
        blood = np.clip(radius[idx, None, None] - dist[ys[idx], xs[idx]], 0, 1)
        img[idx] = _blend(img[idx], blood, (205, 18, 24))
    img = _draw_tools(img, left, right, kin, t, offset, cam)

    # --- smoke from the electrocautery hook, the laparoscope's round view, sensor noise
    smoke = np.zeros(n)
    for name, a, b in right:
        if name == "Hook":
            for s0 in np.sort(rng.uniform(a, b, rng.poisson((b - a) * 0.35))):
                smoke += rng.uniform(0.25, 0.5) * np.exp(-(t - s0) / 1.0) * (t >= s0)
    smoke = np.clip(smoke, 0, 0.6)
    sm = smoke.astype(np.float32)[:, None, None, None]
    img = img * (1 - sm) + sm * 215
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    vignette = np.clip((SIZE * 0.62 - np.hypot(xx - SIZE / 2, yy - SIZE / 2)) / 4, 0.05, 1)
    img *= (vignette * rng.uniform(0.85, 1.1)).astype(np.float32)[None, ..., None]
    img += 3 * rng.standard_normal(img.shape, dtype=np.float32)
    frames = np.clip(img, 0, 255).astype(np.uint8)
    tools = _tool_labels(left, right, kin, t, offset, cam)
    return Procedure(frames, phase.astype(np.int64), tools, kin, skill, offset, onsets, smoke)


def _tips_in_view(tip, cam, margin=1.0):
    rel = tip - cam
    return (rel >= margin).all(-1) & (rel <= SIZE - 1 - margin).all(-1), rel


def _active(intervals, name, t):
    on = np.zeros(len(t), bool)
    for tool, a, b in intervals:
        if tool == name:
            on |= (t >= a) & (t < b)
    return on


def _draw_tools(img, left, right, kin, t, offset, cam):
    """Draw each instrument as a shaft from its trocar port to its tip, tip coloured by type (cv2)."""
    import cv2

    ki = np.clip(np.round((t + offset) * KIN_HZ).astype(int), 0, len(kin) - 1)
    sub = 16  # cv2 draws with 4 fractional bits: sub-pixel positions, smooth motion

    def pt(xy):
        return tuple(int(round(v * sub)) for v in xy)

    for hand, intervals, cols in [("left", left, slice(0, 2)), ("right", right, slice(2, 4))]:
        tips = kin[ki, cols] - cam
        for name, a, b in intervals:
            for i in np.flatnonzero((t >= a) & (t < b)):
                frame, tip = img[i], tips[i]
                if name == "SpecimenBag":  # a translucent bag held by the left grasper
                    bag = frame.copy()
                    centre = kin[ki[i], 0:2] - cam[i] + np.array([4.0, 6.0])
                    cv2.circle(bag, pt(centre), 7 * sub, (228, 228, 235), -1, cv2.LINE_AA, 4)
                    img[i] = cv2.addWeighted(bag, 0.8, frame, 0.2, 0)
                    continue
                shaft_c, width, tip_c, radius = TOOL_LOOK[name]
                port = PORTS[hand] - cam[i]
                cv2.line(frame, pt(port), pt(tip), shaft_c, max(int(round(width)), 1), cv2.LINE_AA, 4)
                cv2.circle(frame, pt(tip), int(radius * sub), tip_c, -1, cv2.LINE_AA, 4)
                if name == "Hook":  # the L-shaped electrode
                    cv2.line(frame, pt(tip), pt(tip + np.array([2.5, -1.5])), tip_c, 1, cv2.LINE_AA, 4)
                elif name in ("Bipolar", "Scissors"):  # insulated jaws / blades along the shaft's end
                    back = tip + 5 * (port - tip) / (np.linalg.norm(port - tip) + 1e-6)
                    cv2.line(frame, pt(tip), pt(back), tip_c, 3, cv2.LINE_AA, 4)
    return img


def _tool_labels(left, right, kin, t, offset, cam) -> np.ndarray:
    """Tool presence per frame: in use and its tip (the bag: its centre) inside the picture."""
    ki = np.clip(np.round((t + offset) * KIN_HZ).astype(int), 0, len(kin) - 1)
    out = np.zeros((len(t), len(TOOLS)), bool)
    for intervals, cols in [(left, slice(0, 2)), (right, slice(2, 4))]:
        for j, name in enumerate(TOOLS):
            on = _active(intervals, name, t)
            if name == "SpecimenBag":
                inside, _ = _tips_in_view(kin[ki, 0:2] + np.array([4.0, 6.0]), cam, margin=-3)
            else:
                inside, _ = _tips_in_view(kin[ki, cols], cam)
            out[:, j] |= on & inside
    return out


def make_procedures(n: int, seed: int = 0) -> list[Procedure]:
    """n procedures with skills spread over [0, 1], deterministic from `seed` (notebook 10)."""
    return [simulate_procedure(seed * 100_003 + i) for i in range(n)]


def write_cholec80_layout(procs: list[Procedure], root, first_id: int = 1) -> list[str]:
    """Write procedures as Cholec80 does: videos/videoNN.mp4, phase and tool annotations (notebook 10).

    Phase annotations: one line per frame ("Frame<TAB>Phase"); tool annotations: one line per
    second ("Frame<TAB>Grasper<TAB>...", 0/1). The synthetic extras that Cholec80 lacks go to
    kinematics/videoNN-kinematics.csv and ground_truth.json.
    """
    import json
    from pathlib import Path

    import cv2

    root = Path(root)
    for sub in ("videos", "phase_annotations", "tool_annotations", "kinematics"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    names, truth = [], {}
    for k, p in enumerate(procs):
        name = f"video{first_id + k:02d}"
        writer = cv2.VideoWriter(str(root / "videos" / f"{name}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"),
                                 p.fps, (SIZE, SIZE))
        if not writer.isOpened():
            raise RuntimeError("OpenCV cannot write MP4 here; reinstall opencv-python-headless")
        for frame in p.frames:
            writer.write(frame[..., ::-1])  # OpenCV stores BGR
        writer.release()
        rows = "".join(f"{i}\t{PHASES[c]}\n" for i, c in enumerate(p.phase))
        (root / "phase_annotations" / f"{name}-phase.txt").write_text("Frame\tPhase\n" + rows)
        step = p.fps  # one tool annotation per second, as Cholec80's 1-in-25 frames at 25 fps
        rows = "".join(f"{i}\t" + "\t".join(str(int(v)) for v in p.tools[i]) + "\n"
                       for i in range(0, len(p.phase), step))
        (root / "tool_annotations" / f"{name}-tool.txt").write_text("Frame\t" + "\t".join(TOOLS) + "\n" + rows)
        t = np.arange(len(p.kinematics)) / p.kin_hz
        np.savetxt(root / "kinematics" / f"{name}-kinematics.csv", np.c_[t, p.kinematics], fmt="%.3f",
                   delimiter=",", header="t_s,left_x_mm,left_y_mm,right_x_mm,right_y_mm", comments="")
        truth[name] = {"skill": p.skill, "sync_offset_s": p.sync_offset_s, "fps": p.fps,
                       "kin_hz": p.kin_hz, "bleeding_onsets": p.bleeding_onsets}
        names.append(name)
    (root / "ground_truth.json").write_text(json.dumps(truth, indent=1))
    return names


def synthetic_cholec80(n: int = 32, seed: int = 0, root=None):
    """Generate n procedures once and cache them in the Cholec80 layout; returns the folder (notebook 10)."""
    from pathlib import Path

    if root is None:
        from course_lib.setup import data_dir

        root = data_dir() / "synthetic_cholec80" / f"v{VERSION}_seed{seed}_n{n}"
    root = Path(root)
    if not (root / "ground_truth.json").exists():
        write_cholec80_layout(make_procedures(n, seed), root)
    return root
