"""Notebook 10's synthetic procedures: Cholec80's workflow, tools, kinematics, determinism, skill."""

import numpy as np
import pytest

from course_lib.synth.video import (
    FPS,
    KIN_HZ,
    PHASES,
    SIZE,
    TOOLS,
    make_procedures,
    simulate_procedure,
)


@pytest.fixture(scope="module")
def procs():
    return make_procedures(6, seed=3)


def test_shapes_and_vocabulary(procs):
    p = procs[0]
    t = len(p.phase)
    assert p.frames.shape == (t, SIZE, SIZE, 3) and p.frames.dtype == np.uint8
    assert p.tools.shape == (t, len(TOOLS)) and len(PHASES) == 7 and len(TOOLS) == 7
    assert p.kinematics.shape[1] == 4 and abs(len(p.kinematics) / KIN_HZ - (t / FPS + p.sync_offset_s)) < 0.5


def test_deterministic_from_seed():
    a, b = simulate_procedure(11), simulate_procedure(11)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.kinematics, b.kinematics)
    assert not np.array_equal(a.frames[:5], simulate_procedure(12).frames[:5])


def test_workflow_order(procs):
    for p in procs:
        order = [int(s) for i, s in enumerate(p.phase) if i == 0 or s != p.phase[i - 1]]
        assert order[:4] == [0, 1, 2, 3] and order[-1] == 6 and sorted(order[4:6]) == [4, 5]


def test_tools_follow_the_phase(procs):
    phase, tools = np.concatenate([p.phase for p in procs]), np.concatenate([p.tools for p in procs])
    col = {t: i for i, t in enumerate(TOOLS)}
    assert tools[phase == 2, col["Clipper"]].mean() > 0.2 and tools[phase != 2, col["Clipper"]].mean() == 0
    assert tools[np.isin(phase, [1, 3]), col["Hook"]].mean() > 0.5
    assert tools[np.isin(phase, [0, 1, 2, 3]), col["SpecimenBag"]].sum() == 0


def test_novices_take_longer_and_move_more():
    expert, novice = simulate_procedure(5, skill=0.95), simulate_procedure(5, skill=0.05)
    assert novice.duration_s > expert.duration_s

    def path(p):
        return np.abs(np.diff(p.kinematics, axis=0)).sum() / p.duration_s

    assert path(novice) > path(expert)
