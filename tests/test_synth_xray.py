"""The synthetic films show measurable radiological signs, and each site's scanner differs (notebooks 00, 01, 13)."""

import numpy as np
import pandas as pd
import pytest

from course_lib.synth.config import CohortConfig, stream
from course_lib.synth.patients import sample_patients
from course_lib.synth.sites import get_site
from course_lib.synth.xray import plan_xrays, render_xrays
from course_lib.synth.xray_examples import (
    count_posterior_ribs,
    example_film,
    example_plan,
    expected_ribs,
    measured_ctr,
    right_dome_contrast,
    right_heart_border_contrast,
)
from course_lib.synth.xray_marker import burn_marker, marker_bitmap

RML = dict(consolidation_visibility=1.0, consolidation_lobe="RML", consolidation_extent=1.0)
RLL = dict(consolidation_visibility=1.0, consolidation_lobe="RLL", consolidation_extent=1.0)


@pytest.fixture(scope="module")
def films():
    config = CohortConfig()
    state = sample_patients(400, stream(5, "patients"), config)
    rng = stream(5, "xray")
    plan = plan_xrays(state, rng, config)
    images, masks = render_xrays(plan, state, 128, rng, config)
    return state, plan, images, masks


def _mean(measure, size=128, seeds=(0, 1, 2), **findings):
    return np.mean([measure(*example_film(size, seed=s, **findings)[:2]) for s in seeds])


def test_rendered_ctr_matches_the_state(films):
    _, plan, _, masks = films
    pa = np.flatnonzero(plan["view"].to_numpy() == "PA")
    read = np.array([measured_ctr({k: masks[k][i] for k in ("heart", "lungs")}) for i in pa])
    error = read - plan["ctr"].to_numpy()[pa]
    assert np.abs(error).mean() < 0.02, np.abs(error).mean()
    assert np.corrcoef(read, plan["ctr"].to_numpy()[pa])[0, 1] > 0.95


def test_silhouette_sign_right_middle_lobe_hides_the_heart_border_not_the_dome():
    normal_border, normal_dome = _mean(right_heart_border_contrast), _mean(right_dome_contrast)
    rml_border, rml_dome = _mean(right_heart_border_contrast, **RML), _mean(right_dome_contrast, **RML)
    rll_border, rll_dome = _mean(right_heart_border_contrast, **RLL), _mean(right_dome_contrast, **RLL)
    assert normal_border > 0.05 and normal_dome > 0.05
    assert rml_border < 0.4 * normal_border  # RML: the right heart border vanishes...
    assert rml_dome > 0.5 * normal_dome  # ... the dome stays
    assert rll_dome < 0.4 * normal_dome  # RLL: the dome vanishes...
    assert rll_border > 0.7 * normal_border  # ... the heart border stays


def test_more_posterior_ribs_above_the_dome_when_hyperinflated():
    normal = _mean(count_posterior_ribs, size=256, noise=0.0)
    hyper = _mean(count_posterior_ribs, size=256, noise=0.0, hyperinflation_visibility=1.0, ctr=0.40)
    assert hyper >= normal + 1, (normal, hyper)
    assert 7 <= normal <= 11  # 9-10 posterior ribs on a good inspiration, top and bottom partly hidden
    geometric = expected_ribs(example_plan(hyperinflation_visibility=1.0))[0]
    assert geometric > expected_ribs(example_plan())[0]


def test_every_film_has_lungs_and_a_heart_and_images_are_valid(films):
    _, _, images, masks = films
    assert images.dtype == np.float32 and 0 <= images.min() and images.max() <= 1
    assert masks["lungs"].any(axis=(1, 2)).all() and masks["heart"].any(axis=(1, 2)).all()
    lung_mean = (images * masks["lungs"]).sum((1, 2)) / masks["lungs"].sum((1, 2))
    assert (lung_mean < images.mean(axis=(1, 2))).mean() > 0.95  # aerated lungs are dark


def test_small_films_degrade_gracefully():
    for size in (32, 64):
        image, masks, _ = example_film(size, **RML)
        assert image.shape == (size, size) and np.isfinite(image).all()
        assert masks["consolidation"].any() and masks["lungs"].sum() > 0.15 * size * size


def test_pneumonia_visibility_grows_with_time_since_onset(films):
    state, _, _, _ = films
    config = CohortConfig()
    big = sample_patients(3000, stream(6, "patients"), config)
    pneumonia = big["pneumonia"].to_numpy()
    hours = np.where(np.arange(len(big)) % 2 == 0, 6.0, 96.0)
    plan = plan_xrays(big.assign(onset_hours=hours), stream(6, "xray"), config)
    vis = plan["consolidation_visibility"].to_numpy()
    early, late = pneumonia & (hours < 12), pneumonia & (hours > 48)
    assert (vis[early] > 0).mean() < (vis[late] > 0).mean() - 0.12  # early films are often occult
    assert vis[early & (vis > 0)].mean() < vis[late & (vis > 0)].mean()


def test_site_imaging_shift_is_measurable(films):
    state, plan, _, _ = films
    config = CohortConfig()
    stats = {}
    for name in ("A", "B", "C"):
        site = get_site(name)
        images, masks = render_xrays(plan, state, 64, np.random.default_rng(0), config, site=site)
        lungs = masks["lungs"]
        noise = np.diff(images, axis=2)[:, 20:44, 20:40].std()  # pixel-to-pixel: quantum noise
        stats[name] = {"mean": images.mean(), "lung": images[lungs].mean(), "noise": noise}
    assert stats["B"]["noise"] > stats["A"]["noise"] > stats["C"]["noise"], stats
    assert abs(stats["B"]["lung"] - stats["A"]["lung"]) > 0.01 and abs(stats["C"]["lung"] - stats["A"]["lung"]) > 0.01
    ap = {name: (plan_xrays(state, stream(5, "xray"), config, site=get_site(name))["view"] == "AP").mean()
          for name in ("A", "B", "C")}
    assert ap["B"] > ap["A"] > ap["C"], ap


def test_each_site_burns_its_marker_in_its_own_corner():
    corners = {}
    for name in ("A", "B", "C"):
        image, _, _ = example_film(64, site=get_site(name))
        quads = {"top_left": image[:16, :16], "top_right": image[:16, -16:],
                 "bottom_left": image[-16:, :16], "bottom_right": image[-16:, -16:]}
        corners[name] = max(quads, key=lambda q: (quads[q] > 0.95).sum())
        assert corners[name] == get_site(name).imaging.marker
    assert len(set(corners.values())) == 3


def test_marker_and_plan_errors_are_clear():
    with pytest.raises(ValueError, match="marker text"):
        marker_bitmap("?", 64)
    with pytest.raises(ValueError, match="corner"):
        burn_marker(np.zeros((1, 64, 64), np.float32), "R", "middle")
    with pytest.raises(ValueError, match="unknown plan columns"):
        example_plan(pneumothorax=1.0)


def test_rendering_is_deterministic():
    a, _, _ = example_film(64, seed=3, **RML)
    b, _, _ = example_film(64, seed=3, **RML)
    np.testing.assert_array_equal(a, b)
    assert isinstance(example_plan(), pd.DataFrame)
