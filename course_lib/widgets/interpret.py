"""The pick-a-film-and-a-method widget of notebook 14 (logic in plain functions)."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib.explain.attention import upsample_map
from course_lib.explain.imaging import METHODS, attribution_maps, score_maps
from course_lib.viz.interpret import overlay


@dataclass
class InterpretInputs:
    """A trained image model and held-out films with their truth (notebook 14)."""

    model: torch.nn.Module
    layer: torch.nn.Module  # the convolutional block Grad-CAM explains
    X: torch.Tensor  # (n, 1, h, w) model inputs
    films: np.ndarray  # (n, H, W) films for display, at the masks' resolution
    masks: np.ndarray  # (n, H, W) bool finding masks
    lungs: np.ndarray  # (n, H, W) bool lung fields (where a finding can be)
    baseline: torch.Tensor | float = 0.0  # "the film without the evidence" for IG, Occlusion, LIME


def explain_film(data: InterpretInputs, i: int, method: str) -> tuple[np.ndarray, dict]:
    """The map of one film by one method, at the mask resolution, and its scores (notebook 14)."""
    if not 0 <= i < len(data.X):
        raise ValueError(f"film index must be in 0..{len(data.X) - 1}, got {i}")
    heat = attribution_maps(data.model, data.X[i:i + 1], method, layer=data.layer, baseline=data.baseline)
    heat = upsample_map(heat, data.masks.shape[-1])  # (1, H, W)
    scores = score_maps(heat, data.masks[i:i + 1], data.lungs[i:i + 1]).iloc[0].to_dict()
    return heat[0], scores


def render_interpretation(data: InterpretInputs, i: int = 0, method: str = "Grad-CAM") -> dict:
    """Film, truth and map side by side with the map's scores; returns the scores (notebook 14)."""
    heat, scores = explain_film(data, i, method)
    with torch.no_grad():
        prob = torch.sigmoid(data.model.eval()(data.X[i:i + 1]))[0, 0].item()
    fig, axes = plt.subplots(1, 3, figsize=(8, 3))
    overlay(axes[0], data.films[i], title=f"film {i}: model says {prob:.2f}")
    overlay(axes[1], data.films[i], None, data.masks[i], "truth: finding mask")
    hit = "hit" if scores["pointing"] else "miss"
    overlay(axes[2], data.films[i], heat, data.masks[i],
            f"{method}: pointing {hit}\nIoU {scores['IoU']:.2f}, AUPRC {scores['AUPRC']:.2f}")
    fig.tight_layout()
    return scores


def interpret_widget(data: InterpretInputs):
    """Pick a held-out film and a method; see the map, its score and the truth side by side (notebook 14)."""
    import ipywidgets as w

    film = w.IntSlider(value=0, min=0, max=len(data.X) - 1, description="film")
    method = w.Dropdown(options=list(METHODS), value="Grad-CAM", description="method")

    def show(film, method):
        render_interpretation(data, film, method)
        plt.show()

    out = w.interactive_output(show, {"film": film, "method": method})
    return w.VBox([w.HBox([film, method]), out])
