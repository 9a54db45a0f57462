"""Notebook 07's sequence generator and encodings: planted truth, strands, tokens."""

import numpy as np
import pytest

from course_lib.preprocess.genomics import (
    gc_content,
    kmer_tokenizer,
    kmer_tokens,
    kmer_vocabulary,
    one_hot,
    reverse_complement,
    reverse_complement_onehot,
    sinusoidal_positions,
    tokenize_batch,
)
from course_lib.synth.sequences import (
    JASPAR_2024,
    decode,
    encode,
    make_grammar_task,
    make_motif_task,
    motif_probabilities,
    reverse_complement_codes,
)


def test_jaspar_matrices_are_probabilities_with_their_ids():
    assert {v[0] for v in JASPAR_2024.values()} == {"MA0139.2", "MA0466.4", "MA0105.4"}
    for name in JASPAR_2024:
        p = motif_probabilities(name)
        assert p.shape[1] == 4 and np.allclose(p.sum(1), 1)
    # CEBPB's core is the palindrome TTGCGCAA: positions 1-8 of MA0466.4
    assert "".join("ACGT"[i] for i in motif_probabilities("CEBPB").argmax(1))[1:9] == "TTGCGCAA"


def test_motif_task_is_deterministic_and_sites_are_where_it_says():
    a, b = make_motif_task(200, 100, seed=3), make_motif_task(200, 100, seed=3)
    assert np.array_equal(a.codes, b.codes) and a.sites.equals(b.sites)
    assert not np.array_equal(a.codes, make_motif_task(200, 100, seed=4).codes)
    real = a.sites[~a.sites["decoy"]]
    assert set(real["seq"]) == set(np.flatnonzero(a.labels))  # positives, and only they, hold real sites
    assert (a.sites.groupby("seq")["decoy"].sum() == 1).all()  # one decoy in every sequence
    scores = []
    for r in real.itertuples(index=False):
        site = a.codes[r.seq, r.start:r.end]
        site = site if r.strand == "+" else reverse_complement_codes(site)
        p = motif_probabilities(r.motif)
        scores.append(np.log(p[np.arange(len(p)), site] / 0.25).sum())
    assert np.median(scores) > 8  # planted sites score far above background (log-odds, nats)


def test_gc_content_is_human_like():
    s = make_motif_task(300, 100, seed=0)
    assert 0.38 < gc_content(s.codes).mean() < 0.47


def test_grammar_task_label_is_the_order():
    g = make_grammar_task(300, 100, seed=1, min_distance=30)
    for seq, rows in g.sites.groupby("seq"):
        first = rows.set_index("motif").loc["CEBPB", "start"] < rows.set_index("motif").loc["NFKB1", "start"]
        assert int(first) == g.labels[seq]
        starts, ends = sorted(rows["start"]), sorted(rows["end"])
        assert starts[1] - ends[0] >= 30


def test_encode_decode_and_errors():
    seqs = ["ACGTA", "TTGCA"]
    assert decode(encode(seqs)) == seqs
    with pytest.raises(ValueError, match="other than A, C, G, T"):
        encode(["ACGN"])
    with pytest.raises(ValueError, match="different lengths"):
        encode(["ACG", "AC"])


def test_one_hot_and_reverse_complement_agree():
    seq = "AACGTTTGCAG"
    x = one_hot([seq])[0]
    assert x.shape == (11, 4) and np.array_equal(x.argmax(1), encode(seq)[0])
    rc = reverse_complement(seq)
    assert rc == "CTGCAAACGTT"
    assert np.array_equal(reverse_complement_onehot(x), one_hot([rc])[0])
    assert decode(reverse_complement_codes(encode(seq)))[0] == rc
    with pytest.raises(ValueError, match="not DNA"):
        reverse_complement("ACGU")


def test_kmers_and_tokenizer_match_the_vocabulary():
    assert kmer_tokens("ATGCG", 3) == ["ATG", "TGC", "GCG"]
    assert kmer_tokens("ATGCGA", 3, stride=3) == ["ATG", "CGA"]
    vocab = kmer_vocabulary(3)
    assert len(vocab) == 64 + 5 and vocab["[PAD]"] == 0
    enc = kmer_tokenizer(3).encode(" ".join(kmer_tokens("ATGCG", 3)))
    assert enc.tokens == ["[CLS]", "ATG", "TGC", "GCG", "[SEP]"]
    assert enc.ids == [vocab[t] for t in enc.tokens]
    ids = tokenize_batch(["ACGTACGTAC", "TTTTGGGGCC"], k=4, stride=4)
    assert ids.shape == (2, 2 + 2)
    with pytest.raises(ValueError, match="positive"):
        kmer_tokens("ACGT", 0)


def test_sinusoidal_positions_formula():
    pe = sinusoidal_positions(50, 16)
    pos, i = 7, 3
    assert np.isclose(pe[pos, 2 * i], np.sin(pos / 10000 ** (2 * i / 16)), atol=1e-6)
    assert np.isclose(pe[pos, 2 * i + 1], np.cos(pos / 10000 ** (2 * i / 16)), atol=1e-6)
