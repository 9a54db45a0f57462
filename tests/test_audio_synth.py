"""Notebook 06's lung-sound generator: physiology, ground truth, determinism, cohort link."""

import numpy as np
import pandas as pd
import pytest

from course_lib.synth.audio import (
    DEVICES,
    LOBE_SITE_GAIN,
    SITES,
    lung_sounds_for_cohort,
    random_lung_patients,
    recording_params,
    simulate_lung_sounds,
)
from course_lib.synth.config import STREAMS
from course_lib.widgets.audio import lung_sound_params, lung_sound_widget, render_lung_sound


@pytest.fixture(scope="module")
def clinic():
    state, rr = random_lung_patients(40, seed=3)
    params = recording_params(state, rr, seed=4)
    return params, simulate_lung_sounds(params, duration=6.0, seed=5)


def test_shapes_and_determinism(clinic):
    params, batch = clinic
    assert batch.audio.shape == (len(params), 24000) and batch.audio.dtype == np.float32
    again = simulate_lung_sounds(params, duration=6.0, seed=5)
    assert np.array_equal(batch.audio, again.audio)
    assert all(np.array_equal(a, b) for a, b in zip(batch.crackles, again.crackles, strict=True))


def test_other_device_same_sounds_other_spectrum(clinic):
    params, batch = clinic
    sub = params.iloc[:8]
    a = simulate_lung_sounds(sub, duration=6.0, seed=9)
    b = simulate_lung_sounds(sub, duration=6.0, seed=9, device="acoustic")
    assert all(np.array_equal(x, y) for x, y in zip(a.crackles, b.crackles, strict=True))
    assert all(np.array_equal(x, y) for x, y in zip(a.cycles, b.cycles, strict=True))
    spec = lambda x: np.abs(np.fft.rfft(x, axis=1)) ** 2  # noqa: E731
    share = lambda x: spec(x)[:, 800 * 6:].sum() / spec(x).sum()  # noqa: E731 (power above 800 Hz)
    assert share(b.audio) < 0.3 * share(a.audio)  # the acoustic device is dull
    assert set(DEVICES) == {"electronic", "acoustic"}


def test_crackles_wheezes_follow_the_truth(clinic):
    params, batch = clinic
    table = batch.cycle_table()
    assert set(table["label"]) <= {0, 1, 2, 3} and table["crackle"].any() and table["wheeze"].any()
    for i in range(len(batch)):
        if params["crackle_gain"].iloc[i] == 0:
            assert len(batch.crackles[i]) == 0
        for a, b in batch.wheezes[i]:
            assert b - a >= 0.08 * batch.fs  # a wheeze lasts at least 80 ms
        # fine crackles are late-inspiratory: in inspiration, after its first third
        if params["crackle_kind"].iloc[i] == "fine":
            for c in batch.crackles[i]:
                cyc = [(s, e) for (s, _), e in zip(batch.cycles[i], batch.inspiration_end[i], strict=True)
                       if s <= c < e]
                for s, e in cyc:
                    assert c >= s + 0.1 * (e - s)


def test_wheezes_mostly_expiratory(clinic):
    _, batch = clinic
    inside = total = 0
    for i in range(len(batch)):
        for a, _b in batch.wheezes[i]:
            for (s, e), ie in zip(batch.cycles[i], batch.inspiration_end[i], strict=True):
                total += 1 if s <= a < e else 0
                inside += 1 if s <= a < e and a >= ie else 0
    assert total and inside / total > 0.9


def test_sites_follow_the_lobe():
    state, rr = random_lung_patients(60, seed=0)
    params = recording_params(state, rr, seed=1)
    for i, lobe in enumerate(state["crackles"]):
        gains = params.loc[params["patient"] == i].set_index("site")["crackle_gain"]
        expected = LOBE_SITE_GAIN.get(lobe, {})
        assert all(gains[s] == expected.get(s, 0.0) for s in SITES)
    two = recording_params(state, rr, seed=1, sites_per_patient=2)
    assert (two.groupby("patient").size() == 2).all()


def test_cohort_link_uses_its_own_stream():
    from course_lib.synth import make_cohort

    assert STREAMS["audio"] not in [v for k, v in STREAMS.items() if k != "audio"]
    cohort = make_cohort(30, seed=0, images=False, cache=False)
    before = cohort.state.copy()
    batch = lung_sounds_for_cohort(cohort.state, cohort.vitals_frame()["resp_rate"].to_numpy(), duration=3.2)
    pd.testing.assert_frame_equal(before, cohort.state)
    assert len(batch) == 4 * len(cohort)
    crackling = cohort.state["crackles"] != "none"
    has = np.array([len(c) > 0 for c in batch.crackles]).reshape(len(cohort), 4).any(1)
    assert not has[~crackling.to_numpy()].any()


def test_bad_input():
    with pytest.raises(ValueError, match="lacks columns"):
        simulate_lung_sounds(pd.DataFrame({"patient": [0]}))
    with pytest.raises(ValueError, match="unknown device"):
        simulate_lung_sounds(lung_sound_params(), device="tin can")
    with pytest.raises(ValueError, match="unknown sound"):
        lung_sound_params("gurgle")


def test_widget_logic():
    import matplotlib.pyplot as plt

    fig, wave = render_lung_sound("pleural rub", site="Pr", duration=4.0)
    assert wave.shape == (16000,) and len(fig.axes) >= 2
    plt.close(fig)
    assert len(lung_sound_widget().children) == 3  # built without rendering (renders on demand)
