"""Notebook 07's widget logic and figures, called directly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib.models.genomics import DeepBindCNN  # noqa: E402
from course_lib.synth.genomics import make_expression_cohort  # noqa: E402
from course_lib.synth.sequences import make_motif_task, motif_probabilities  # noqa: E402
from course_lib.viz.genomics import information_matrix, plot_latent, plot_logo  # noqa: E402
from course_lib.widgets.genomics import mutate, render_variant, variant_effect, variant_widget  # noqa: E402


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return DeepBindCNN(n_filters=4, width=7)


def test_mutate_and_variant_effect(model):
    assert mutate("ACGT", 1, "T") == "ATGT"
    with pytest.raises(ValueError, match="position"):
        mutate("ACGT", 4, "A")
    with pytest.raises(ValueError, match="base"):
        mutate("ACGT", 0, "N")
    task = make_motif_task(1, 60, seed=0)
    seq = task.seqs[0]
    same = variant_effect(model, seq, 5, seq[5])
    assert same["delta"] == 0 and same["saliency_ref"].shape == (60,)
    render_variant(model, seq, task.sites, 5, "A")
    plt.close("all")
    assert variant_widget(model, seq, task.sites, 3) is not None


def test_logo_and_latent_figures():
    info = information_matrix(motif_probabilities("CEBPB"))
    assert info.shape == (10, 4) and (info.sum(1) <= 2 + 1e-9).all()
    plot_logo(motif_probabilities("CTCF"), title="CTCF")
    plot_latent(np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 3)
    plt.close("all")


def test_expression_cohort_has_its_structure():
    c = make_expression_cohort(300, seed=0)
    assert c.expression.shape == (300, 200) and len(c.genes) == 200 and c.genes[c.driver] == "DRIVER"
    r = np.corrcoef(np.log2(c.copy_number), c.expression[:, c.driver])[0, 1]
    assert r > 0.4  # more copies, more transcripts
    reg, target = c.edges[0]
    assert abs(np.corrcoef(c.expression[:, reg], c.expression[:, target])[0, 1]) > 0.3
    assert np.array_equal(make_expression_cohort(300, seed=0).expression, c.expression)
