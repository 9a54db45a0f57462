"""DNA encodings: one-hot, reverse complement, overlapping k-mers, positional encodings (notebook 07)."""

from __future__ import annotations

from itertools import product

import numpy as np

from course_lib.synth.sequences import ALPHABET, encode

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # BERT's, as DNABERT uses them


def one_hot(seqs) -> np.ndarray:
    """Strings (or (n, L) codes 0..3) -> (n, L, 4) float32 one-hot, channels A, C, G, T (notebook 07)."""
    codes = np.asarray(seqs) if isinstance(seqs, np.ndarray) else encode(seqs)
    if codes.ndim == 1:
        codes = codes[None]
    if codes.size and (codes.max() > 3 or codes.min() < 0):
        raise ValueError("codes must be 0..3 (A, C, G, T); encode strings with synth.sequences.encode")
    return np.eye(4, dtype=np.float32)[codes]


def reverse_complement(seq: str) -> str:
    """The reverse complement of a DNA string: read the other strand 5'->3' (notebook 07)."""
    table = str.maketrans("ACGTacgtN", "TGCAtgcaN")
    bad = set(seq) - set("ACGTacgtN")
    if bad:
        raise ValueError(f"not DNA letters: {sorted(bad)}; use A, C, G, T (or N)")
    return seq.translate(table)[::-1]


def reverse_complement_onehot(x: np.ndarray) -> np.ndarray:
    """(..., L, 4) one-hot in ACGT order -> its reverse complement (flip positions and channels)."""
    return x[..., ::-1, ::-1]  # A<->T and C<->G is the channel order reversed


def kmer_tokens(seq: str, k: int = 3, stride: int = 1) -> list[str]:
    """Overlapping k-mers, as DNABERT tokenises: ACGTA, k=3 -> ACG CGT GTA (notebook 07)."""
    if k < 1 or stride < 1:
        raise ValueError("k and stride must be positive integers")
    return [seq[i:i + k] for i in range(0, len(seq) - k + 1, stride)]


def kmer_vocabulary(k: int) -> dict[str, int]:
    """Token -> id: the special tokens, then all 4**k k-mers in lexicographic order (notebook 07)."""
    kmers = ["".join(p) for p in product(ALPHABET, repeat=k)]
    return {tok: i for i, tok in enumerate(SPECIAL_TOKENS + kmers)}


def kmer_tokenizer(k: int = 3):
    """A `tokenizers` WordLevel tokenizer over k-mers with [CLS] ... [SEP] added (notebook 07)."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit
    from tokenizers.processors import TemplateProcessing

    vocab = kmer_vocabulary(k)
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = WhitespaceSplit()
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    return tok


def tokenize_batch(seqs: list[str], k: int = 3, stride: int = 1) -> np.ndarray:
    """(n, T) int64 token ids: [CLS], the k-mers every `stride` bases, [SEP] (notebook 07).

    stride=1 gives DNABERT's overlapping k-mers (T = L - k + 3); stride=k gives the
    non-overlapping k-mers of the Nucleotide Transformer, k times fewer tokens.
    """
    tok = kmer_tokenizer(k)
    encodings = tok.encode_batch([" ".join(kmer_tokens(s, k, stride)) for s in seqs])
    lengths = {len(e.ids) for e in encodings}
    if len(lengths) > 1:
        raise ValueError("sequences of different lengths; crop or pad them to one length first")
    return np.array([e.ids for e in encodings], dtype=np.int64)


def sinusoidal_positions(length: int, dim: int) -> np.ndarray:
    """(length, dim) sine/cosine positional encodings of 'Attention is all you need' (notebook 07)."""
    pos = np.arange(length)[:, None]
    freq = np.exp(-np.log(10000.0) * np.arange(0, dim, 2) / dim)  # (dim/2,)
    enc = np.zeros((length, dim), dtype=np.float32)
    enc[:, 0::2] = np.sin(pos * freq)
    enc[:, 1::2] = np.cos(pos * freq[: dim // 2])
    return enc


def gc_content(seqs) -> np.ndarray:
    """(n,) fraction of G and C per sequence (notebook 07)."""
    x = one_hot(seqs)
    return x[..., 1:3].sum((-1, -2)) / x.shape[-2]
