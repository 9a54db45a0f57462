"""Sequence models: a DeepBind-style motif CNN and a small k-mer BERT (notebook 07)."""

from __future__ import annotations

import torch
from torch import nn


class DeepBindCNN(nn.Module):
    """Motif scanner: conv filters (= PWMs) on both strands, ReLU, global max pool, MLP (notebook 07).

    As in DeepBind (Alipanahi et al. 2015): each first-layer filter is a learnable position
    weight matrix, the max over positions asks "is the motif anywhere?", and scanning the
    reverse complement too makes the model see both DNA strands.
    """

    def __init__(self, n_filters: int = 16, width: int = 15, hidden: int = 32,
                 both_strands: bool = True):
        super().__init__()
        self.conv = nn.Conv1d(4, n_filters, width)  # a filter is a (4, width) PWM
        self.head = nn.Sequential(nn.Linear(n_filters, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.both_strands = both_strands

    def scan(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, 4) one-hot -> (B, F, L - width + 1) filter activations (max over strands)."""
        act = torch.relu(self.conv(x.transpose(1, 2)))  # (B, F, L')
        if self.both_strands:
            rc = torch.relu(self.conv(x.flip(1, 2).transpose(1, 2)))  # other strand, (B, F, L')
            act = torch.maximum(act, rc.flip(2))  # align the other strand's positions with ours
        return act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, 4) one-hot -> (B,) logits."""
        pooled = self.scan(x).amax(2)  # (B, F): the best match of each filter anywhere
        return self.head(pooled).squeeze(1)


class KmerBert(nn.Module):
    """A tiny BERT over overlapping k-mer tokens, built from a config, no pretrained weights (notebook 07).

    DNABERT's recipe at toy scale: k-mer tokens, learned position embeddings,
    self-attention between every pair of positions, the [CLS] token for the label.
    """

    def __init__(self, vocab_size: int, max_len: int, hidden: int = 64, layers: int = 2,
                 heads: int = 4, dropout: float = 0.1):
        super().__init__()
        from transformers import BertConfig, BertModel

        self.config = BertConfig(
            vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
            num_attention_heads=heads, intermediate_size=2 * hidden, max_position_embeddings=max_len,
            hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout, pad_token_id=0,
            type_vocab_size=1)
        self.bert = BertModel(self.config, add_pooling_layer=False)
        self.head = nn.Linear(hidden, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids -> (B,) logits."""
        out = self.bert(input_ids=ids)
        return self.head(out.last_hidden_state[:, 0]).squeeze(1)  # [CLS] summary, (B,)


class ExpressionVAE(nn.Module):
    """A small variational autoencoder for expression profiles (Kingma & Welling 2014) (notebook 07).

    Encoder -> (mu, log variance) of a low-dimensional latent; a sample z = mu + sigma * eps
    (the reparameterisation trick) is decoded back to the profile.
    """

    def __init__(self, n_genes: int, latent: int = 2, hidden: int = 64):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n_genes, hidden), nn.ReLU())
        self.mu, self.logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, n_genes))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, G) standardised expression -> mu, logvar, each (B, latent)."""
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, G) -> reconstruction (B, G), mu, logvar."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation
        return self.decoder(z), mu, logvar

    def loss(self, x: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
        """Negative ELBO per sample: squared reconstruction error + beta * KL(q(z|x) || N(0, I))."""
        recon, mu, logvar = self(x)
        rec = ((recon - x) ** 2).sum(1)
        kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
        return (rec + beta * kl).mean()
