"""Saliency maps of an image classifier with captum, scored against finding masks (notebook 14).

Every map is (B, H, W) numpy at the input resolution, larger = more important. Scores follow
Saporta et al. (Nat Mach Intell 2022): the pointing game (hit rate) and the overlap of the map's
top pixels with the mask (IoU), plus the area under the precision-recall curve of pixels.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import torch
from captum.attr import (
    GuidedBackprop,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    Lime,
    Occlusion,
    Saliency,
)
from scipy import ndimage
from scipy.stats import rankdata
from sklearn.metrics import average_precision_score

from course_lib.explain.attention import pointing_game

METHODS = ("Grad-CAM", "Integrated Gradients", "Saliency", "Occlusion", "LIME", "Guided Backprop")
# A map whose rank correlation with the trained model's map stays above this (mean over random draws)
# after the output layer is re-initialised does not depend on what the model learned (Adebayo et al. 2018).
SANITY_LIMIT = 0.4


def grid_segments(size: int, cell: int) -> torch.Tensor:
    """(1, 1, size, size) long: square superpixels of `cell` pixels, the features LIME switches off (notebook 14)."""
    rows = torch.arange(size) // cell
    return (rows[:, None] * ((size + cell - 1) // cell) + rows[None, :])[None, None]


def attribution_maps(model: torch.nn.Module, X: torch.Tensor, method: str, target: int = 0,
                     layer: torch.nn.Module | None = None, baseline: torch.Tensor | float = 0.0,
                     seed: int = 0) -> np.ndarray:
    """Attribution of output `target` for every image of X (B, 1, H, W) by a captum method -> (B, H, W) (notebook 14).

    Grad-CAM needs `layer` (a convolutional block); its coarse map is upsampled bilinearly. IG,
    Occlusion and LIME compare the film with a `baseline` ("the film without the evidence"), a
    number or a (1, 1, H, W) film such as the mean normal film; their maps keep the positive part
    (evidence FOR the class). Gradient maps (Saliency, Guided Backprop) are absolute values.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    model = model.eval()
    X = X.detach().clone().float().requires_grad_(method in ("Saliency", "Guided Backprop"))
    size = X.shape[-1]
    if isinstance(baseline, torch.Tensor):
        baseline = baseline.float().expand_as(X).contiguous()  # (B, 1, H, W)
    if method == "Grad-CAM":
        if layer is None:
            raise ValueError("Grad-CAM needs the convolutional layer to explain: pass layer=model.<block>")
        cam = LayerGradCam(model, layer).attribute(X, target=target, relu_attributions=True)  # (B, 1, h, w)
        attr = LayerAttribution.interpolate(cam, (size, size), interpolate_mode="bilinear")
    elif method == "Integrated Gradients":
        attr = IntegratedGradients(model).attribute(X, baselines=baseline, target=target, n_steps=32,
                                                    internal_batch_size=256).clamp(min=0)
    elif method == "Saliency":
        attr = Saliency(model).attribute(X, target=target, abs=True)
    elif method == "Guided Backprop":
        with warnings.catch_warnings():  # captum announces its ReLU hooks on every call
            warnings.simplefilter("ignore", UserWarning)
            attr = GuidedBackprop(model).attribute(X, target=target).abs()
    elif method == "Occlusion":
        window = max(2, size // 8)
        attr = Occlusion(model).attribute(X, target=target, sliding_window_shapes=(1, window, window),
                                          strides=(1, window, window), baselines=baseline,
                                          perturbations_per_eval=256).clamp(min=0)
    else:  # LIME: a local linear model on superpixels switched on/off, one image at a time
        torch.manual_seed(seed)
        segments = grid_segments(size, max(2, size // 8))
        lime = Lime(model)
        base = baseline if isinstance(baseline, float) else baseline[:1]
        attr = torch.cat([lime.attribute(x[None], target=target, feature_mask=segments, n_samples=80,
                                         perturbations_per_eval=80, baselines=base)
                          for x in X]).clamp(min=0)
    return attr.detach()[:, 0].numpy().astype(np.float32)  # (B, H, W)


def random_maps(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A baseline 'method' that knows nothing: smooth random maps (B, H, W) (notebook 14)."""
    rng = np.random.default_rng(seed)
    noise = rng.random(shape)
    return np.stack([ndimage.gaussian_filter(n, shape[-1] / 16) for n in noise]).astype(np.float32)


def centre_maps(lungs: np.ndarray) -> np.ndarray:
    """A baseline that knows anatomy but not the patient: a bump at the centre of each lung (notebook 14).

    lungs: (B, H, W) bool lung fields; each half of the film (right and left lung) gets a Gaussian
    at its lung pixels' centroid.
    """
    lungs = np.asarray(lungs, bool)
    B, H, W = lungs.shape
    yy, xx = np.mgrid[:H, :W]
    out = np.zeros((B, H, W), np.float32)
    for b in range(B):
        for half in (xx < W // 2, xx >= W // 2):
            ys, xs = np.nonzero(lungs[b] & half)
            if len(ys):
                sy, sx = ys.std() + 1, xs.std() + 1
                out[b] += np.exp(-((yy - ys.mean()) ** 2 / (2 * sy**2) + (xx - xs.mean()) ** 2 / (2 * sx**2)))
    return out


def top_fraction_mask(maps: np.ndarray, region: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """(B, H, W) bool: the `fraction` of region pixels where each map is highest (notebook 14)."""
    region = np.asarray(region, bool)
    out = np.zeros(maps.shape, bool)
    for b in range(len(maps)):
        values = maps[b][region[b]]
        k = max(1, int(round(fraction * len(values))))
        cut = np.partition(values, -k)[-k]
        out[b] = region[b] & (maps[b] >= cut)
    return out


def score_maps(maps: np.ndarray, masks: np.ndarray, region: np.ndarray, fraction: float = 0.1) -> pd.DataFrame:
    """Per film: pointing-game hit, top-`fraction` precision and IoU, pixel AUPRC inside `region` (notebook 14).

    maps (B, H, W) at the mask resolution; masks, region (B, H, W) bool (finding, lung field).
    """
    masks, region = np.asarray(masks, bool), np.asarray(region, bool)
    if maps.shape != masks.shape:
        raise ValueError(f"maps {maps.shape} and masks {masks.shape} must have the same shape; upsample first")
    top = top_fraction_mask(maps, region, fraction)
    inter = (top & masks).sum(axis=(1, 2))
    auprc = [average_precision_score(masks[b][region[b]], maps[b][region[b]])
             if masks[b][region[b]].any() else np.nan for b in range(len(maps))]
    return pd.DataFrame({
        "pointing": pointing_game(maps, masks, region).astype(float),
        "top precision": inter / np.maximum(top.sum(axis=(1, 2)), 1),
        "IoU": inter / np.maximum((top | masks).sum(axis=(1, 2)), 1),
        "AUPRC": auprc,
        "mask share": (masks & region).sum(axis=(1, 2)) / np.maximum(region.sum(axis=(1, 2)), 1),
    })


def randomised_copies(model: torch.nn.Module, layers: list[str], seed: int = 0) -> list[tuple[str, torch.nn.Module]]:
    """Cascading parameter randomisation (Adebayo et al. 2018): re-initialise named layers from the top down (notebook 14).

    Returns [(label, model)] where the k-th model has the first k names of `layers` re-initialised.
    """
    torch.manual_seed(seed)
    out, current = [], copy.deepcopy(model)
    for name in layers:
        current = copy.deepcopy(current)
        for module in current.get_submodule(name).modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                # A fresh BN would renormalise to a sane scale; random running stats keep it destroyed.
                module.running_mean.normal_(0, 1)
                module.running_var.uniform_(0.5, 2)
                module.weight.data.normal_(1, 0.5)
        out.append((f"up to {name}", current.eval()))
    return out


def randomisation_test(model: torch.nn.Module, X: torch.Tensor, methods: list[str], layers: list[str],
                       gradcam_layer: str, baseline: torch.Tensor | float = 0.0, reps: int = 4,
                       cascade_methods: tuple[str, ...] = ("Grad-CAM", "Integrated Gradients", "Saliency",
                                                           "Guided Backprop")) -> tuple[pd.Series, pd.DataFrame]:
    """Model-parameter randomisation test (Adebayo et al. 2018) on films X (B, 1, H, W) (notebook 14).

    Returns (sanity, cascade). sanity: per method, the rank correlation between the trained model's maps
    and those after the output layer (layers[0]) is re-initialised, averaged over `reps` random draws
    (one draw can by chance point the same way as the trained layer). cascade: the same correlation as
    layers[0], then layers[1], ... are re-initialised from the top (one draw), for the cascade methods.
    """
    def maps_of(net, method):
        return attribution_maps(net, X, method, layer=net.get_submodule(gradcam_layer), baseline=baseline)

    reference = {m: maps_of(model, m) for m in methods}
    draws = {m: [] for m in methods}
    for r in range(reps):
        (_, broken), = randomised_copies(model, layers[:1], seed=r)
        for m in methods:
            draws[m].append(float(np.mean(rank_similarity(reference[m], maps_of(broken, m)))))
    sanity = pd.Series({m: float(np.mean(v)) for m, v in draws.items()}, name="rank corr. after random output layer")
    cascade = {}
    for label, broken in randomised_copies(model, layers, seed=0):
        cascade[label] = {m: sanity[m] if label == f"up to {layers[0]}" else
                          float(np.mean(rank_similarity(reference[m], maps_of(broken, m))))
                          for m in cascade_methods if m in methods}
    return sanity, pd.DataFrame(cascade).T


def rank_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman rank correlation between two stacks of maps (B, H, W), per image (notebook 14).

    Ties get their average rank: maps clipped at zero (IG, Occlusion, LIME) or made of blocks share
    many equal values, and ranking ties by position would make any two such maps look alike.
    """
    ra = rankdata(a.reshape(len(a), -1), axis=1)  # (B, H*W)
    rb = rankdata(b.reshape(len(b), -1), axis=1)
    ra -= ra.mean(1, keepdims=True)
    rb -= rb.mean(1, keepdims=True)
    return (ra * rb).sum(1) / np.sqrt((ra**2).sum(1) * (rb**2).sum(1) + 1e-12)


def region_mass(maps: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Share of each map's total (non-negative) mass inside `region` (B, H, W) -> (B,) (notebook 14)."""
    m = np.clip(maps, 0, None)
    return (m * region).sum(axis=(1, 2)) / np.maximum(m.sum(axis=(1, 2)), 1e-12)


def marker_region(size: int, text: str, corner: str, margin: int = 1) -> np.ndarray:
    """(size, size) bool: where synth.xray_marker.burn_marker writes `text`, plus a margin (notebook 14)."""
    from course_lib.synth.xray_marker import burn_marker

    canvas = np.zeros((1, size, size), np.float32)
    burn_marker(canvas, text, corner)
    return ndimage.binary_dilation(canvas[0] > 0, iterations=margin) if margin else canvas[0] > 0


def choose_method(scores: pd.DataFrame, sanity: pd.Series) -> tuple[str, str, float]:
    """A defensible choice: among methods that pass the sanity check, the best IoU with the masks (notebook 14)."""
    allowed = [m for m in scores.index if sanity.get(m, 0.0) <= SANITY_LIMIT]
    best = scores.loc[allowed, "IoU"].idxmax()
    return best, "IoU", float(scores.loc[best, "IoU"])


def label_randomisation_test(model: torch.nn.Module, shuffled: torch.nn.Module, X: torch.Tensor,
                             methods: list[str], gradcam_layer: str,
                             baseline: torch.Tensor | float = 0.0) -> pd.Series:
    """Data randomisation test (Adebayo et al. 2018): rank correlation of each method's maps, true- vs permuted-label model (notebook 14).

    `shuffled` is the same architecture trained the same way on permuted labels: a method whose maps
    barely change cannot be explaining what the labels taught the model. Mean over the films X (B, 1, H, W).
    """
    out = {}
    for m in methods:
        a = attribution_maps(model, X, m, layer=model.get_submodule(gradcam_layer), baseline=baseline)
        b = attribution_maps(shuffled, X, m, layer=shuffled.get_submodule(gradcam_layer), baseline=baseline)
        out[m] = float(np.mean(rank_similarity(a, b)))
    return pd.Series(out, name="rank corr. with the permuted-label model")
