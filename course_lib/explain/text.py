"""Token attributions: Integrated Gradients on a text model's embedding layer (notebook 14)."""

from __future__ import annotations

import pandas as pd
import torch
from captum.attr import LayerIntegratedGradients

from course_lib.models.text import TextCNN, Vocabulary, words


def token_attributions(model: TextCNN, vocab: Vocabulary, text: str, target: int = 0,
                       n_steps: int = 50) -> pd.DataFrame:
    """IG of each word of `text` for output `target`, baseline = all padding (notebook 14).

    Attributions are summed over the embedding dimensions, one number per word: positive pushes
    the logit up, negative pushes it down. Their sum equals logit(text) - logit(baseline) up to
    the IG approximation error (the completeness axiom), returned in .attrs["delta"].
    """
    model = model.eval()
    toks = words(text)
    ids = vocab.encode([text], length=max(len(toks), 1))  # (1, L)
    lig = LayerIntegratedGradients(model, model.embedding)
    attr, delta = lig.attribute(ids, baselines=torch.zeros_like(ids), target=target, n_steps=n_steps,
                                return_convergence_delta=True)  # (1, L, D)
    with torch.no_grad():
        prob = torch.sigmoid(model(ids))[0, target].item()
    table = pd.DataFrame({"word": toks, "attribution": attr.sum(-1)[0, :len(toks)].detach().numpy()})
    table.attrs.update(probability=prob, delta=float(delta.abs().item()))
    return table
