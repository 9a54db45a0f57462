"""Notebook 16's training loop: InfoNCE + classification, clipping, validation, early stopping, a safe checkpoint."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.models.clip import MAX_LOGIT_SCALE
from course_lib.training.losses import info_nce
from course_lib.training.retrieval import recall_at_k


def multimodal_loss(out: dict, label: torch.Tensor, logit_scale: torch.Tensor, cls_weight: float = 1.0) -> torch.Tensor:
    """InfoNCE between the two embeddings + cls_weight × BCE of the fused classifier (notebook 16)."""
    return info_nce(out["img_emb"], out["text_emb"], logit_scale) + \
        cls_weight * F.binary_cross_entropy_with_logits(out["logits"], label)


def _forward(model: nn.Module, batch: dict) -> dict:
    return model(batch["image"], batch["input_ids"], batch["attention_mask"])


@torch.no_grad()
def validation_loss(model: nn.Module, loader, cls_weight: float = 1.0) -> float:
    """Mean loss over a loader in eval mode, without gradients (notebook 16)."""
    model.eval()
    total, n = 0.0, 0
    for batch in loader:
        total += multimodal_loss(_forward(model, batch), batch["label"], model.logit_scale, cls_weight).item() \
            * len(batch["label"])
        n += len(batch["label"])
    return total / n


def train_multimodal(model: nn.Module, train_loader, val_loader, num_epochs: int = 8, lr: float = 3e-3,
                     patience: int = 3, checkpoint: str | Path = "best.pt", cls_weight: float = 1.0,
                     max_grad_norm: float = 1.0, progress: bool = True) -> dict:
    """Train with AdamW + one-cycle LR, clip gradients, validate each epoch, stop early, reload the best (notebook 16)."""
    from tqdm.auto import tqdm

    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=num_epochs * len(train_loader),
                                                pct_start=0.2)  # warm up for 20% of the steps, then anneal
    history = {"train_loss": [], "val_loss": [], "best_epoch": -1}
    best, waited = math.inf, 0
    for epoch in (bar := tqdm(range(num_epochs), desc="epochs", disable=not progress)):
        model.train()  # batch norm uses batch statistics and updates its running ones
        total, n = 0.0, 0
        for batch in train_loader:
            loss = multimodal_loss(_forward(model, batch), batch["label"], model.logit_scale, cls_weight)
            opt.zero_grad()  # gradients accumulate otherwise
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)  # one bad batch cannot blow up the step
            opt.step()
            sched.step()
            with torch.no_grad():  # as CLIP: 1/temperature never beyond 100
                model.logit_scale.clamp_(max=math.log(MAX_LOGIT_SCALE))
            total, n = total + loss.item() * len(batch["label"]), n + len(batch["label"])
        history["train_loss"].append(total / n)
        val = validation_loss(model, val_loader, cls_weight)  # eval() + no_grad inside
        history["val_loss"].append(val)
        bar.set_postfix(train=f"{total / n:.3f}", val=f"{val:.3f}")
        if val < best:
            best, waited, history["best_epoch"] = val, 0, epoch
            torch.save(model.state_dict(), checkpoint)  # tensors only: no pickled code
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(torch.load(checkpoint, weights_only=True))  # refuses anything but tensors
    model.eval()
    return history


@torch.no_grad()
def predict_multimodal(model: nn.Module, loader) -> dict[str, np.ndarray]:
    """Embeddings, classifier probabilities and labels over a loader, in eval mode (notebook 16)."""
    model.eval()
    outs = {"img_emb": [], "text_emb": [], "prob": [], "label": []}
    for batch in loader:
        out = _forward(model, batch)
        outs["img_emb"].append(out["img_emb"])
        outs["text_emb"].append(out["text_emb"])
        outs["prob"].append(torch.sigmoid(out["logits"]))
        outs["label"].append(batch["label"])
    return {k: torch.cat(v).numpy() for k, v in outs.items()}


def evaluate_multimodal(pred: dict[str, np.ndarray], k: int = 10) -> dict[str, float]:
    """Recall@k both ways (pairs on the diagonal), its chance level, and the classifier's AUC (notebook 16)."""
    from sklearn.metrics import roc_auc_score

    sim = pred["img_emb"] @ pred["text_emb"].T  # (n, n): film i ↔ report i
    return {f"image→text R@{k}": recall_at_k(sim, k), f"text→image R@{k}": recall_at_k(sim.T, k),
            f"chance R@{k}": k / len(sim), "AUC": float(roc_auc_score(pred["label"], pred["prob"]))}


def reference_run(dataset, vocab_size: int, seed: int = 0, stages: int = 2, batch_size: int = 32,
                  num_epochs: int = 8, lr: float = 3e-3, patience: int = 3, checkpoint: str | Path = "reference.pt",
                  progress: bool = False) -> dict[str, float]:
    """The library's own encoders, fusion model and loop, trained the same way: test metrics (notebook 16)."""
    from course_lib.datasets.handson import split_loaders
    from course_lib.models.clip import TextEncoder
    from course_lib.models.handson import FusionModel, ImageEncoder

    torch.manual_seed(seed)
    model = FusionModel(ImageEncoder(stages=stages), TextEncoder(vocab_size, hidden=64, layers=2))
    loaders = split_loaders(dataset, batch_size, seed)
    train_multimodal(model, loaders["train"], loaders["validate"], num_epochs, lr, patience, checkpoint,
                     progress=progress)
    return evaluate_multimodal(predict_multimodal(model, loaders["test"]))


def choose_threshold(p_val: np.ndarray, y_val: np.ndarray, min_sensitivity: float = 0.9) -> float:
    """The highest cut-off that flags at least min_sensitivity of the validation positives (notebook 16)."""
    from course_lib.training.metrics import threshold_for_sensitivity

    return threshold_for_sensitivity(y_val, p_val, min_sensitivity)
