"""Notebook 07's models and explanations: strands, shapes, ISM against brute force, PWM matching."""

import numpy as np
import torch

from course_lib.explain.genomics import (
    filters_to_pwms,
    in_silico_mutagenesis,
    match_filters,
    peak_in_sites,
    position_importance,
    pwm_similarity,
    saliency,
)
from course_lib.models.genomics import DeepBindCNN, ExpressionVAE, KmerBert
from course_lib.preprocess.genomics import one_hot, reverse_complement_onehot
from course_lib.synth.sequences import make_motif_task, motif_probabilities


def test_deepbind_sees_both_strands():
    torch.manual_seed(0)
    model = DeepBindCNN(n_filters=4, width=7).eval()
    x = one_hot(make_motif_task(4, 50, seed=0).codes)
    rc = np.ascontiguousarray(reverse_complement_onehot(x))
    with torch.no_grad():
        assert torch.allclose(model(torch.from_numpy(x)), model(torch.from_numpy(rc)), atol=1e-5)
        assert model.scan(torch.from_numpy(x)).shape == (4, 4, 44)


def test_kmer_bert_and_vae_shapes():
    torch.manual_seed(0)
    bert = KmerBert(vocab_size=69, max_len=12, hidden=16, layers=1, heads=2)
    assert bert(torch.randint(5, 69, (3, 12))).shape == (3,)
    assert bert.config.num_hidden_layers == 1 and bert.config.hidden_size == 16
    vae = ExpressionVAE(20, latent=2)
    x = torch.randn(5, 20)
    recon, mu, logvar = vae(x)
    assert recon.shape == (5, 20) and mu.shape == (5, 2) and torch.isfinite(vae.loss(x))


def test_ism_matches_brute_force_and_saliency_shape():
    torch.manual_seed(0)
    model = DeepBindCNN(n_filters=3, width=5).eval()
    x = one_hot(make_motif_task(2, 60, seed=1).codes)[:, :30]
    ism = in_silico_mutagenesis(model, x)
    assert ism.shape == (2, 30, 4)
    with torch.no_grad():
        ref = model(torch.from_numpy(x[:1])).item()
        for pos, base in [(0, 2), (17, 1), (29, 3)]:
            mutant = x[:1].copy()
            mutant[0, pos] = np.eye(4)[base]
            assert np.isclose(model(torch.from_numpy(mutant)).item() - ref, ism[0, pos, base], atol=1e-5)
    assert np.allclose(ism[x == 1], 0, atol=1e-6)  # the reference base changes nothing
    assert saliency(model, x).shape == (2, 30)
    assert (position_importance(ism) >= 0).all()


def test_pwm_similarity_finds_identity_shift_and_strand():
    p = motif_probabilities("CTCF")
    assert np.isclose(pwm_similarity(p, p)[0], 1.0)
    score, offset, strand = pwm_similarity(np.vstack([np.full((3, 4), 0.25), p]), p[::-1, ::-1])
    assert score > 0.99 and offset == 3 and strand == "-"


def test_a_filter_set_to_a_motif_is_recovered():
    """Write a CTCF log-odds matrix into a filter: its extracted PWM must match CTCF best."""
    task = make_motif_task(300, 100, seed=2, motifs=("CTCF",))
    model = DeepBindCNN(n_filters=2, width=15)
    with torch.no_grad():
        model.conv.weight.zero_()
        model.conv.bias.zero_()
        model.conv.weight[0] = torch.tensor(np.log(motif_probabilities("CTCF") / 0.25).T, dtype=torch.float32)
        model.conv.bias[0] = -5.0
    pwms = filters_to_pwms(model, one_hot(task.codes))
    table = match_filters(pwms, {"CTCF": motif_probabilities("CTCF"), "CEBPB": motif_probabilities("CEBPB")})
    assert table.loc["CTCF", "best filter"] == 0 and table.loc["CTCF", "similarity"] > 0.9


def test_peak_in_sites_with_tolerance():
    imp = np.zeros((2, 10))
    imp[0, 4], imp[1, 8] = 1, 1
    mask = np.zeros((2, 10), bool)
    mask[:, 5:7] = True
    assert peak_in_sites(imp, mask).tolist() == [False, False]
    assert peak_in_sites(imp, mask, tolerance=2).tolist() == [True, True]
