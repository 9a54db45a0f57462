"""Notebook 04's heatmaps, their scores against the truth, and the slide viewer's logic."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from course_lib.datasets.pathology import open_slide  # noqa: E402
from course_lib.explain.pathology import froc_lite, heatmap, patch_auc, sensitivity_at  # noqa: E402
from course_lib.synth import pathology as synth  # noqa: E402
from course_lib.widgets.pathology import render_slide_view, view_window  # noqa: E402


def test_heatmap_puts_values_where_the_patches_are():
    coords = pd.DataFrame({"x": [0, 128], "y": [0, 64]})
    heat = heatmap(coords, [0.2, 0.9], (8, 8), patch_px0=64, downsample=32)
    assert heat[0, 0] == heat[1, 1] == 0.2 and heat[2, 4] == heat[3, 5] == 0.9
    assert np.isnan(heat[0, 4]) and np.isnan(heat).sum() == 64 - 8


def test_patch_auc_and_froc():
    truth = [np.array([0, 0, 1, 1.0]), np.array([0, 0, 0, 0.0]), np.array([1, 0, 0, 0.0])]
    perfect = [np.array([0.1, 0.2, 0.9, 0.8]), np.array([0.1, 0.1, 0.1, 0.1]), np.array([0.9, 0, 0, 0.0])]
    assert patch_auc(perfect, truth) == 1.0  # the all-normal slide is skipped
    froc = froc_lite(perfect, truth, thresholds=np.array([0.05, 0.5, 0.95]))
    assert froc["sensitivity"].tolist() == [1.0, 1.0, 0.0]
    assert froc["fp_per_slide"].tolist() == [2.0, 0.0, 0.0]
    assert froc["fp_per_slide"].is_monotonic_decreasing
    assert sensitivity_at(froc, (0.25, 8))[8] == 1.0
    with pytest.raises(ValueError, match="no slide"):
        patch_auc([np.zeros(3)], [np.zeros(3)])


def test_view_window_and_render(tmp_path):
    slide_file = synth.make_slide_cohort(tmp_path, n=2, seed=0, size=256)[0].path
    slide = open_slide(slide_file)
    rgb, box = view_window(slide, 0, 0.99, 0.0, size=100)
    assert rgb.shape == (100, 100, 3) and box == (156, 0, 256, 100)  # clipped to the slide
    rgb, box = view_window(slide, 1, 0.5, 0.5, size=500)
    assert rgb.shape == (64, 64, 3) and box == (0, 0, 256, 256)  # the whole level
    with pytest.raises(ValueError, match="level"):
        view_window(slide, 5, 0.5, 0.5)
    heat = np.zeros((16, 16))
    heat[4:8, 4:8] = 0.9
    fig = render_slide_view(slide, heat, 16.0, level=0, threshold=0.5, size=256)
    assert "16 heatmap pixels" in fig.axes[0].get_xlabel()
    plt.close(fig)
    fig = render_slide_view(slide, None, 16.0, level=1, show_heat=False)
    assert "0.51 x 0.51 mm" in fig.axes[0].get_title()
    plt.close(fig)


def test_slide_widget_builds(tmp_path):
    from course_lib.widgets.pathology import slide_widget

    slide = open_slide(synth.make_slide_cohort(tmp_path, n=2, seed=0, size=256)[0].path)
    box = slide_widget(slide, np.zeros((16, 16)), 16.0)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["level", "x", "y"]
    before = bytes(box.children[2].value)
    sliders[0].value = 1  # moving a slider (here: to the other level) redraws the view
    after = bytes(box.children[2].value)
    assert after[:4] == b"\x89PNG" and after != before
    plt.close("all")


def test_heatmap_outline_sits_on_the_truth():
    from course_lib.viz.pathology import plot_heatmap

    thumb = np.full((64, 64, 3), 240, np.uint8)
    truth = np.zeros((64, 64), bool)
    truth[5:20, 40:60] = True  # top right
    fig, ax = plt.subplots()
    plot_heatmap(ax, thumb, np.where(truth, 1.0, np.nan), truth)
    ys = np.concatenate([p.vertices[:, 1] for c in ax.collections for p in c.get_paths()])
    xs = np.concatenate([p.vertices[:, 0] for c in ax.collections for p in c.get_paths()])
    assert 3 < ys.min() and ys.max() < 22 and 38 < xs.min()
    plt.close(fig)
