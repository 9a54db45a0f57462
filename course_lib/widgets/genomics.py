"""Widget of notebook 07: mutate one base, watch the prediction and the saliency change."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from course_lib.explain.genomics import saliency
from course_lib.preprocess.genomics import one_hot
from course_lib.viz.genomics import plot_importance_track


def mutate(seq: str, position: int, base: str) -> str:
    """The sequence with one substitution (a SNP) at a 0-based position (notebook 07)."""
    if not 0 <= position < len(seq):
        raise ValueError(f"position must be in 0..{len(seq) - 1}, got {position}")
    if base not in "ACGT":
        raise ValueError(f"base must be one of A, C, G, T, got {base!r}")
    return seq[:position] + base + seq[position + 1:]


@torch.no_grad()
def binding_probability(model, seqs: list[str]) -> np.ndarray:
    """(n,) the motif model's probability that each sequence is bound (notebook 07)."""
    model.eval()
    return torch.sigmoid(model(torch.from_numpy(one_hot(seqs)))).numpy()


def variant_effect(model, seq: str, position: int, base: str) -> dict:
    """Reference vs alternative: probabilities and saliency of both sequences (notebook 07)."""
    alt = mutate(seq, position, base)
    p_ref, p_alt = binding_probability(model, [seq, alt])
    sal = saliency(model, one_hot([seq, alt]))
    return {"ref": seq, "alt": alt, "p_ref": float(p_ref), "p_alt": float(p_alt),
            "delta": float(p_alt - p_ref), "saliency_ref": sal[0], "saliency_alt": sal[1]}


def render_variant(model, seq: str, sites: pd.DataFrame, position: int, base: str) -> plt.Figure:
    """Saliency of the reference and the mutated sequence, the mutated base marked (notebook 07)."""
    eff = variant_effect(model, seq, position, base)
    fig, axes = plt.subplots(2, 1, figsize=(11, 3.8), sharex=True, sharey=True)
    plot_importance_track(eff["ref"], eff["saliency_ref"], sites, axes[0],
                          f"reference: P(bound) = {eff['p_ref']:.3f}", "saliency")
    plot_importance_track(eff["alt"], eff["saliency_alt"], sites, axes[1],
                          f"{seq[position]}>{base} at {position}: P(bound) = {eff['p_alt']:.3f} "
                          f"(change {eff['delta']:+.3f})", "saliency")
    for ax in axes:
        ax.axvline(position, color="k", lw=0.8, ls="--")
    axes[1].set_xlabel("position (bp)")
    fig.tight_layout()
    return fig


def variant_widget(model, seq: str, sites: pd.DataFrame, position: int = 0):
    """Pick a position and a base: a live SNP on a sequence with planted sites (notebook 07)."""
    import ipywidgets as w

    controls = {"position": w.IntSlider(value=position, min=0, max=len(seq) - 1, description="position"),
                "base": w.ToggleButtons(options=list("ACGT"), value=seq[position], description="base")}
    out = w.interactive_output(
        lambda position, base: (render_variant(model, seq, sites, position, base), plt.show()), controls)
    return w.VBox([w.HBox(list(controls.values())), out])
