"""Checkers for notebook 16's exercises: dataset, image encoder, fusion model, training loop, operating point."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from course_lib.checks._core import (
    ExerciseError,
    ExerciseNotDone,
    call_student,
    exercise_check,
    passed,
)

# torch, PIL and the references are imported inside the checks: `import checks` stays light.

DATASET = "Exercise 16.1 (MultimodalDataset)"
ENCODER = "Exercise 16.2 (image encoder)"
FUSION = "Exercise 16.3 (fusion model)"
LOOP = "Exercise 16.4 (training loop)"
THRESHOLD = "Exercise 16.5 (operating point)"


def _tiny_folder(root: Path, size: int = 40) -> list[str]:
    """Write four films and reports.csv in notebook 16's layout; returns the reports."""
    import pandas as pd
    from PIL import Image

    rng = np.random.default_rng(16)
    (root / "xrays").mkdir(parents=True, exist_ok=True)
    reports = ["PA view. IMPRESSION: Right lower lobe pneumonia.", "PA view. IMPRESSION: No acute process.",
               "AP view. IMPRESSION: Small left pleural effusion.", "PA view. IMPRESSION: Cardiomegaly."]
    for k in range(4):
        Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8), mode="L").save(root / f"xrays/P{k}.png")
    pd.DataFrame({"patient_id": [f"P{k}" for k in range(4)], "image": [f"xrays/P{k}.png" for k in range(4)],
                  "report": reports, "split": ["train"] * 4, "pneumonia": [1, 0, 0, 0]}).to_csv(
        root / "reports.csv", index=False)
    return reports


def _bad_input_error(Dataset, root: Path, tokenizer, row: int, problem: str) -> None:
    """The dataset must refuse row `row` with an error that names the row or the patient."""
    ds = Dataset(root, tokenizer, image_size=32)
    try:
        ds[row]
    except NotImplementedError:
        raise ExerciseNotDone(f"{DATASET}: not done yet.") from None
    except Exception as err:  # noqa: BLE001 - any clear error will do, if it names the row
        if str(row) not in str(err) and f"P{row}" not in str(err):
            raise ExerciseError(f"{DATASET}: with {problem} in row {row} you raise `{type(err).__name__}: {err}`, "
                                f"which does not say which row. Name the row (i) or the patient id in the "
                                "message, so that someone with 100,000 rows can find it.") from None
        return
    raise ExerciseError(f"{DATASET}: row {row} has {problem}, and __getitem__ returned it silently. Check it and "
                        "raise an error that names the row (the model would train on garbage otherwise).")


@exercise_check(DATASET, reference="course_lib.datasets.handson:MultimodalDataset")
def check_multimodal_dataset(MultimodalDataset) -> None:
    """Check __getitem__: dict of image (1, S, S) z-scored, token ids, mask, label; clear errors on bad rows."""
    import pandas as pd
    import torch

    from course_lib.datasets.handson import MultimodalDataset as Reference
    from course_lib.models.clip import train_wordpiece

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        reports = _tiny_folder(root)
        tok = train_wordpiece(reports * 5, vocab_size=120)
        ds = call_student(MultimodalDataset, root, tok, image_size=32, exercise=DATASET)
        item = call_student(ds.__getitem__, 0, exercise=DATASET)
        want = Reference(root, tok, image_size=32)[0]
        if not isinstance(item, dict) or set(want) - set(item):
            keys = sorted(item) if isinstance(item, dict) else type(item).__name__
            raise ExerciseError(f"{DATASET}: return a dict with the keys {sorted(want)}; you return {keys}.")
        img = torch.as_tensor(item["image"])
        if img.shape == (32, 32):
            raise ExerciseError(f"{DATASET}: the image has shape (32, 32): add the channel axis, (1, 32, 32) "
                                "(a CNN expects (B, C, H, W) after batching).")
        if img.shape[-1] == 40:
            raise ExerciseError(f"{DATASET}: the film on disk is 40 px and you return shape {tuple(img.shape)}: "
                                "resize it to image_size (load_film does that).")
        if tuple(img.shape) != (1, 32, 32):
            raise ExerciseError(f"{DATASET}: 'image' should have shape (1, 32, 32), not {tuple(img.shape)}.")
        if abs(float(img.mean())) > 1e-3 or abs(float(img.std()) - 1) > 0.05:
            raise ExerciseError(f"{DATASET}: the film has mean {float(img.mean()):.2f} and standard deviation "
                                f"{float(img.std()):.2f}: standardise each film (z-score), as load_film does.")
        ids = torch.as_tensor(item["input_ids"])
        if ids.dtype != torch.long or not torch.equal(ids, want["input_ids"]):
            raise ExerciseError(f"{DATASET}: 'input_ids' should be the tokenizer's ids for the report as a long "
                                f"tensor (T,), with [CLS] ... [SEP]; you return {ids[:8].tolist()}... "
                                f"dtype {ids.dtype}.")
        if not torch.equal(torch.as_tensor(item["attention_mask"]), want["attention_mask"]):
            raise ExerciseError(f"{DATASET}: 'attention_mask' should be the tokenizer's mask (ones, one per token).")
        label = torch.as_tensor(item["label"])
        if label.dtype != torch.float32 or label.shape != () or float(label) != 1.0:
            raise ExerciseError(f"{DATASET}: 'label' should be a float32 scalar tensor from the label column "
                                f"(row 0 has pneumonia = 1); you return {label!r}.")
        shifted = Reference(root, tok, image_size=32, transform=lambda x: x + 100)[0]["image"]
        got = call_student(MultimodalDataset, root, tok, image_size=32, transform=lambda x: x + 100,
                           exercise=DATASET)[0]["image"]
        if not torch.allclose(torch.as_tensor(got), shifted, atol=1e-4):
            raise ExerciseError(f"{DATASET}: `transform` is not applied to the image: call it on the (1, S, S) "
                                "tensor after standardising, when it is not None.")
        # Three broken rows, one problem each.
        (root / "xrays/P1.png").unlink()
        table = pd.read_csv(root / "reports.csv")
        table.loc[2, "report"] = "   "
        table.to_csv(root / "reports.csv", index=False)
        (root / "xrays/P3.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)  # a PNG header, then nothing
        _bad_input_error(MultimodalDataset, root, tok, 1, "a missing image file")
        _bad_input_error(MultimodalDataset, root, tok, 2, "an empty report")
        _bad_input_error(MultimodalDataset, root, tok, 3, "a corrupt PNG")
    passed(DATASET, "Films, tokens and labels come back as a dict, and broken rows say where they are.")


@exercise_check(ENCODER, reference="course_lib.models.handson:ImageEncoder")
def check_image_encoder(ImageEncoder) -> None:
    """Check ImageEncoder(stages): a torchvision ResNet trunk, 1-channel input, pooled (B, out_dim)."""
    import torch
    from torchvision.models.resnet import BasicBlock, Bottleneck

    X = torch.randn(2, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    for stages, dim in ((1, 64), (2, 128)):
        enc = call_student(ImageEncoder, stages=stages, exercise=ENCODER)
        blocks = [m for m in enc.modules() if isinstance(m, BasicBlock | Bottleneck)]
        if not blocks:
            raise ExerciseError(f"{ENCODER}: no torchvision ResNet block inside: build the trunk from "
                                "torchvision's ResNet (resnet_1ch gives one with a 1-channel stem).")
        enc.eval()
        try:
            with torch.no_grad():
                out = enc(X)
        except RuntimeError as err:
            if "channels" in str(err):
                raise ExerciseError(f"{ENCODER}: a one-channel X-ray fails: {err}. The first convolution must "
                                    "take 1 input channel (an ImageNet ResNet takes 3).") from None
            raise ExerciseError(f"{ENCODER}: forward raised RuntimeError: {err}") from None
        except NotImplementedError:
            raise ExerciseNotDone(f"{ENCODER}: not done yet (forward).") from None
        if out.ndim == 2 and out.shape[1] > dim and out.shape[1] % dim == 0:
            raise ExerciseError(f"{ENCODER}: forward returns {tuple(out.shape)}: flattening keeps every position of "
                                "the feature map. Use global average pooling, fmap.mean(dim=(2, 3)): out_dim "
                                "numbers per film, whatever its size.")
        if out.ndim == 4:
            raise ExerciseError(f"{ENCODER}: forward returns a feature map {tuple(out.shape)}: pool it over "
                                "height and width, fmap.mean(dim=(2, 3)), to one vector per film.")
        if tuple(out.shape) != (2, dim) or getattr(enc, "out_dim", None) != dim:
            raise ExerciseError(f"{ENCODER}: with stages={stages} expected output (2, {dim}) and out_dim = {dim} "
                                f"(channels after stage {stages}); got {tuple(out.shape)} and out_dim = "
                                f"{getattr(enc, 'out_dim', None)}.")
        with torch.no_grad():
            big = enc(torch.randn(2, 1, 64, 64))
        if tuple(big.shape) != (2, dim):
            raise ExerciseError(f"{ENCODER}: a 64-px film gives {tuple(big.shape)}: use global average pooling, "
                                "not flatten, so any film size gives out_dim numbers.")
    n = sum(p.numel() for p in ImageEncoder(stages=2).parameters())
    if n > 1_000_000:
        raise ExerciseError(f"{ENCODER}: {n:,} parameters with stages=2: keep only the stem and the first "
                            "`stages` stages (one block each), not the whole ResNet.")
    passed(ENCODER, f"A torchvision ResNet trunk, {n:,} parameters at stages=2, pooled to one vector per film.")


def _stub_encoders(img_dim: int = 12, text_dim: int = 10, vocab: int = 50):
    """Small stand-ins with the encoders' interface: (B, 1, 8, 8) -> (B, img_dim); ids, mask -> (B, text_dim)."""
    import torch
    from torch import nn

    class StubImage(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, img_dim), nn.BatchNorm1d(img_dim))
            self.out_dim = img_dim

        def forward(self, X):
            return self.net(X)

    class StubText(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(vocab, text_dim)
            self.out_dim = text_dim

        def forward(self, input_ids, attention_mask):
            m = attention_mask[..., None].float()
            return (self.emb(input_ids) * m).sum(1) / m.sum(1)

    torch.manual_seed(0)
    return StubImage(), StubText()


def _batch(n: int, seed: int, vocab: int = 50, T: int = 6):
    import torch

    g = torch.Generator().manual_seed(seed)
    return {"image": torch.randn(n, 1, 8, 8, generator=g), "input_ids": torch.randint(5, vocab, (n, T), generator=g),
            "attention_mask": torch.ones(n, T, dtype=torch.long),
            "label": torch.randint(0, 2, (n,), generator=g).float()}


@exercise_check(FUSION, reference="course_lib.models.handson:FusionModel")
def check_fusion_model(FusionModel) -> None:
    """Check FusionModel: nn.Linear(img_dim + text_dim, hidden_dim), heads, unit embeddings, log(1/τ)."""
    import torch
    from torch import nn

    img_enc, txt_enc = _stub_encoders()
    model = call_student(FusionModel, img_enc, txt_enc, hidden_dim=16, emb_dim=8, temperature=0.07, exercise=FUSION)
    fusion = getattr(model, "fusion", None)
    if not isinstance(fusion, nn.Linear) or (fusion.in_features, fusion.out_features) != (22, 16):
        shape = (fusion.in_features, fusion.out_features) if isinstance(fusion, nn.Linear) else fusion
        raise ExerciseError(f"{FUSION}: self.fusion should be nn.Linear(img_dim + text_dim, hidden_dim) = "
                            f"nn.Linear(12 + 10, 16) with these encoders; got {shape}.")
    scale = float(torch.as_tensor(getattr(model, "logit_scale", float("nan"))).detach())
    if math.isclose(scale, math.log(0.07), abs_tol=1e-4):
        raise ExerciseError(f"{FUSION}: logit_scale starts at log(0.07) = {scale:.2f}: the temperature's "
                            "direction is inverted. Logits are cos / τ, so store log(1 / τ) = 2.66.")
    if not math.isclose(scale, math.log(1 / 0.07), abs_tol=1e-4):
        raise ExerciseError(f"{FUSION}: logit_scale should start at log(1 / temperature) = 2.66 (an nn.Parameter, "
                            f"CLIP's parameterisation); it is {scale:.3f}.")
    if not isinstance(model.logit_scale, nn.Parameter):
        raise ExerciseError(f"{FUSION}: make logit_scale an nn.Parameter so the optimiser learns the temperature.")
    b = _batch(6, 1)
    model.eval()
    out = call_student(model, b["image"], b["input_ids"], b["attention_mask"], exercise=FUSION)
    if not isinstance(out, dict) or {"img_emb", "text_emb", "logits"} - set(out):
        raise ExerciseError(f"{FUSION}: forward should return a dict with 'img_emb', 'text_emb' and 'logits'.")
    for key in ("img_emb", "text_emb"):
        if tuple(out[key].shape) != (6, 8):
            raise ExerciseError(f"{FUSION}: '{key}' has shape {tuple(out[key].shape)}, expected (B, emb_dim) = (6, 8).")
        if not torch.allclose(out[key].norm(dim=-1), torch.ones(6), atol=1e-4):
            raise ExerciseError(f"{FUSION}: '{key}' rows are not unit vectors: F.normalize(..., dim=-1).")
    if tuple(out["logits"].shape) != (6,):
        raise ExerciseError(f"{FUSION}: 'logits' has shape {tuple(out['logits'].shape)}; return one logit per "
                            "patient, (B,): squeeze the last axis of the classifier's (B, 1).")
    other = _batch(6, 2)
    with torch.no_grad():
        text_changed = model(b["image"], other["input_ids"], other["attention_mask"])
        image_changed = model(other["image"], b["input_ids"], b["attention_mask"])
    if not torch.allclose(text_changed["img_emb"], out["img_emb"]):
        raise ExerciseError(f"{FUSION}: the image embedding changes when only the report changes: project each "
                            "encoder's features with its own head; the fused vector is for the classifier.")
    for name, changed in (("report", text_changed), ("film", image_changed)):
        if torch.allclose(changed["logits"], out["logits"]):
            raise ExerciseError(f"{FUSION}: the classifier's logits ignore the {name}: feed the concatenation "
                                "torch.cat([img, txt], dim=1) through self.fusion, then the classifier.")
    passed(FUSION, "The slide's fusion layer, two projection heads and a learnable log(1/τ).")


def _loop_data():
    """Train pairs that can be memorised; validation pairs mismatched, so validation loss rises: early stopping."""
    from torch.utils.data import DataLoader

    from course_lib.datasets.handson import pad_collate

    b = _batch(64, 3)
    train = [{k: v[i] for k, v in b.items()} for i in range(64)]
    val = [dict(train[i], input_ids=train[(i + 1) % 16]["input_ids"], label=1 - train[i]["label"]) for i in range(16)]
    return (DataLoader(train, batch_size=16, shuffle=False, collate_fn=pad_collate),
            DataLoader(val, batch_size=16, collate_fn=pad_collate))


@exercise_check(LOOP, reference="course_lib.training.handson:train_multimodal")
def check_training_loop(train_model) -> None:
    """Run the loop on a small model with spies: zero_grad, clipping, scheduler, train/eval, no_grad, early stop, checkpoint."""
    import torch

    from course_lib.models.handson import FusionModel

    img_enc, txt_enc = _stub_encoders()
    model = FusionModel(img_enc, txt_enc, hidden_dim=16, emb_dim=8)
    train_loader, val_loader = _loop_data()
    calls, steps, accumulated = [], [], []
    model.register_forward_pre_hook(lambda m, a: calls.append((m.training, torch.is_grad_enabled())))
    watched = model.fusion.weight
    incoming = {}
    watched.register_hook(lambda g: incoming.__setitem__("g", g.clone()))
    watched.register_post_accumulate_grad_hook(
        lambda p: accumulated.append(not torch.allclose(p.grad, incoming["g"], atol=1e-7)))

    def spy(opt, args, kwargs):
        grads = [p.grad for g in opt.param_groups for p in g["params"] if p.grad is not None]
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])) if grads else 0
        steps.append((float(norm), opt.param_groups[0]["lr"]))

    from torch.optim.optimizer import register_optimizer_step_pre_hook

    handle = register_optimizer_step_pre_hook(spy)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: more threads only wait for each other
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "best.pt"
        try:
            history = call_student(train_model, model, train_loader, val_loader, num_epochs=12, lr=1e-2,
                                   patience=2, checkpoint=ckpt, cls_weight=1.0, max_grad_norm=0.5, exercise=LOOP)
        except ExerciseError as err:
            if "size" in str(err) and ("Target" in str(err) or "same size" in str(err) or "shape" in str(err)):
                raise ExerciseError(f"{LOOP}: shape mismatch ({err}). The fused logits are (B,) and batch['label'] "
                                    "is (B,): squeeze a (B, 1) output, and do not add an axis to the label.") from None
            if "pickle" in str(err).lower():
                raise ExerciseError(f"{LOOP}: saving failed ({err}): torch.save(model) pickles the whole model "
                                    "object. Save model.state_dict() (tensors only) instead.") from None
            raise
        finally:
            handle.remove()
            torch.set_num_threads(threads)
        if not steps:
            raise ExerciseError(f"{LOOP}: optimizer.step() was never called.")
        if any(accumulated):
            raise ExerciseError(f"{LOOP}: gradients accumulate from one batch to the next: call "
                                "optimizer.zero_grad() before loss.backward().")
        if all(n == 0 for n, _ in steps):
            raise ExerciseError(f"{LOOP}: every optimizer step saw zero gradients: zero_grad() goes BEFORE "
                                "backward(), not between backward() and step().")
        if max(n for n, _ in steps) > 0.5 * 1.001:
            raise ExerciseError(f"{LOOP}: a step ran with gradient norm {max(n for n, _ in steps):.2f} > "
                                "max_grad_norm = 0.5: clip with torch.nn.utils.clip_grad_norm_ between backward() "
                                "and step().")
        if len({round(lr, 12) for _, lr in steps}) < 3:
            raise ExerciseError(f"{LOOP}: the learning rate never changes: create a scheduler (e.g. OneCycleLR) "
                                "and call scheduler.step() after each optimizer.step().")
        training = [c for c in calls if c[1]]
        validation = [c for c in calls if not c[1]]
        if not validation:
            raise ExerciseError(f"{LOOP}: no forward pass ran without gradients: validate each epoch inside "
                                "`with torch.no_grad():` (faster, and nothing is recorded for backward).")
        if any(t for t, _ in validation):
            raise ExerciseError(f"{LOOP}: validation ran with the model in training mode: call model.eval() "
                                "before validating (batch norm must use its running statistics).")
        if any(not t for t, _ in training):
            raise ExerciseError(f"{LOOP}: after validation the model trains in eval mode: call model.train() at "
                                "the start of each epoch.")
        if not isinstance(history, dict) or not {"train_loss", "val_loss", "best_epoch"} <= set(history):
            raise ExerciseError(f"{LOOP}: return a dict with 'train_loss', 'val_loss' (one per epoch) and "
                                "'best_epoch'.")
        tl, vl, best = history["train_loss"], history["val_loss"], history["best_epoch"]
        if len(vl) != len(tl) or not vl:
            raise ExerciseError(f"{LOOP}: validate once per epoch: {len(tl)} train losses, {len(vl)} validation.")
        if not tl[-1] < tl[0]:
            raise ExerciseError(f"{LOOP}: the training loss does not decrease ({tl[0]:.3f} -> {tl[-1]:.3f}): is "
                                "the loss InfoNCE + cls_weight × BCE, and does the optimiser get model.parameters()?")
        if int(best) != int(np.argmin(vl)):
            raise ExerciseError(f"{LOOP}: best_epoch = {best} but the lowest validation loss is at epoch "
                                f"{int(np.argmin(vl))}.")
        if len(vl) >= 12 or len(vl) > int(best) + 2 + 1:
            raise ExerciseError(f"{LOOP}: validation loss was lowest at epoch {best}, yet training ran {len(vl)} "
                                "epochs with patience = 2: stop when it has not improved for `patience` epochs.")
        if not ckpt.exists():
            raise ExerciseError(f"{LOOP}: no checkpoint at the `checkpoint` path: save the best model there.")
        try:
            state = torch.load(ckpt, weights_only=True)
        except Exception as err:  # noqa: BLE001 - a pickled model, or safetensors
            try:
                from safetensors.torch import load_file

                state = load_file(ckpt)
            except Exception:  # noqa: BLE001
                raise ExerciseError(f"{LOOP}: the checkpoint cannot be loaded with weights_only=True ({err}): "
                                    "save model.state_dict(), never the whole model (a pickle can run code).") from None
        if not isinstance(state, dict) or set(state) != set(model.state_dict()):
            raise ExerciseError(f"{LOOP}: the checkpoint should be model.state_dict() (all of the model's tensors).")
        now = model.state_dict()
        if not all(torch.equal(state[k], now[k]) for k in now):
            raise ExerciseError(f"{LOOP}: the model you return is not the best checkpoint: after the loop, "
                                "model.load_state_dict(torch.load(checkpoint, weights_only=True)).")
    passed(LOOP, f"Stopped after {len(vl)} epochs (best: epoch {int(best) + 1}); clipped, scheduled, validated in eval mode, "
                 "and the best checkpoint reloaded safely.")


@exercise_check(THRESHOLD, reference="course_lib.training.handson:choose_threshold")
def check_choose_threshold(choose_threshold) -> None:
    """Check choose_threshold(p_val, y_val, min_sensitivity): sensitivity reached, as few false alarms as possible."""
    from course_lib.training.metrics import threshold_for_sensitivity

    rng = np.random.default_rng(165)
    y = rng.integers(0, 2, 300)
    p = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.2, 300))))
    for target in (0.9, 0.8):
        t = float(call_student(choose_threshold, p.copy(), y.copy(), target, exercise=THRESHOLD))
        sens = (p[y == 1] >= t).mean()
        if sens < target:
            raise ExerciseError(f"{THRESHOLD}: with min_sensitivity={target} your cut-off {t:.3f} finds only "
                                f"{sens:.0%} of the positives: flag a patient when p >= threshold, and lower it.")
        best = threshold_for_sensitivity(y, p, target)  # the highest cut-off that still reaches it
        spec, best_spec = (p[y == 0] < t).mean(), (p[y == 0] < best).mean()
        if spec < best_spec - 1e-9:
            raise ExerciseError(f"{THRESHOLD}: with min_sensitivity={target} your cut-off {t:.3f} has specificity "
                                f"{spec:.0%}, but {best_spec:.0%} is possible at that sensitivity: take the HIGHEST "
                                "cut-off that still reaches it (fewest false alarms).")
    passed(THRESHOLD, "The highest cut-off that reaches the sensitivity: the fewest extra reads.")
