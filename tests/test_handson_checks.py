"""Notebook 16's checkers accept the references and catch the listed mistakes, each planted."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.datasets.handson import MultimodalDataset, load_film
from course_lib.models.handson import FusionModel, ImageEncoder
from course_lib.models.imaging import resnet_1ch
from course_lib.training import handson as th
from course_lib.training.handson import choose_threshold, train_multimodal


def test_references_pass(capsys):
    checks.check_multimodal_dataset(MultimodalDataset)
    checks.check_image_encoder(ImageEncoder)
    checks.check_fusion_model(FusionModel)
    checks.check_training_loop(lambda *a, **k: train_multimodal(*a, progress=False, **k))
    checks.check_choose_threshold(choose_threshold)
    assert capsys.readouterr().out.count("✅") == 5


@pytest.mark.parametrize("name", ["check_multimodal_dataset", "check_image_encoder", "check_fusion_model",
                                  "check_training_loop", "check_choose_threshold"])
def test_not_done(name):
    def todo(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone):
        getattr(checks, name)(todo)


# --- 16.1 dataset ---------------------------------------------------------------------------------

class Silent(MultimodalDataset):
    """Reads films without any check: bad rows pass or fail with messages that name no row."""

    def __getitem__(self, i):
        row = self.table.iloc[i]
        enc = self.tokenizer(str(row["report"]), truncation=True, max_length=self.max_length)
        image = load_film(self.root / row["image"], self.image_size)
        return {"image": image if self.transform is None else self.transform(image),
                "input_ids": torch.tensor(enc["input_ids"]), "attention_mask": torch.tensor(enc["attention_mask"]),
                "label": torch.tensor(float(row[self.label]))}


class NoChannel(MultimodalDataset):
    def __getitem__(self, i):
        item = super().__getitem__(i)
        return dict(item, image=item["image"][0])


class NotStandardised(MultimodalDataset):
    def __getitem__(self, i):
        item = super().__getitem__(i)
        return dict(item, image=(item["image"] * 0.2 + 0.5))


class IntLabel(MultimodalDataset):
    def __getitem__(self, i):
        item = super().__getitem__(i)
        return dict(item, label=int(item["label"]))


@pytest.mark.parametrize("wrong, words", [
    (Silent, "does not say which row|returned it silently"),
    (NoChannel, "channel axis"),
    (NotStandardised, "standardise"),
    (IntLabel, "float32"),
])
def test_dataset_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_multimodal_dataset(wrong)


# --- 16.2 image encoder --------------------------------------------------------------------------

class Unpooled(ImageEncoder):
    def forward(self, X):
        return self.trunk(X)


class Flattened(ImageEncoder):
    def forward(self, X):
        return self.trunk(X).flatten(1)


class ThreeChannel(nn.Module):
    def __init__(self, stages=2):
        super().__init__()
        from torchvision.models import resnet18

        r = resnet18(weights=None)
        self.trunk = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, *[r.layer1, r.layer2][:stages])
        self.out_dim = 64 * 2 ** (stages - 1)

    def forward(self, X):
        return self.trunk(X).mean(dim=(2, 3))


class Whole(nn.Module):
    def __init__(self, stages=2):
        super().__init__()
        r = resnet_1ch(layers=(1, 1, 1, 1))
        self.trunk = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1, r.layer2, r.layer3, r.layer4)
        self.proj = nn.Linear(512, 64 * 2 ** (stages - 1))
        self.out_dim = 64 * 2 ** (stages - 1)

    def forward(self, X):
        return self.proj(self.trunk(X).mean(dim=(2, 3)))


class NotResNet(nn.Module):
    def __init__(self, stages=2):
        super().__init__()
        self.out_dim = 64 * 2 ** (stages - 1)
        self.conv = nn.Conv2d(1, self.out_dim, 3)

    def forward(self, X):
        return self.conv(X).mean(dim=(2, 3))


@pytest.mark.parametrize("wrong, words", [
    (Unpooled, "pool it"), (Flattened, "global average pooling"), (ThreeChannel, "1 input channel"),
    (Whole, "parameters"), (NotResNet, "torchvision"),
])
def test_image_encoder_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_image_encoder(wrong)


# --- 16.3 fusion model ---------------------------------------------------------------------------

class InvertedTemperature(FusionModel):
    def __init__(self, *args, temperature=0.07, **kwargs):
        super().__init__(*args, temperature=temperature, **kwargs)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(temperature)))


class ImageOnlyClassifier(FusionModel):
    def forward(self, image, input_ids, attention_mask):
        out = super().forward(image, input_ids, attention_mask)
        img = self.image_encoder(image)
        txt = torch.zeros(len(img), self.fusion.in_features - img.shape[1])
        return dict(out, logits=self.classifier(self.fusion(torch.cat([img, txt], 1))).squeeze(1))


class Unnormalised(FusionModel):
    def forward(self, image, input_ids, attention_mask):
        out = super().forward(image, input_ids, attention_mask)
        return dict(out, img_emb=self.image_head(self.image_encoder(image)))


class WrongFusionWidth(FusionModel):
    def __init__(self, image_encoder, text_encoder, hidden_dim=64, **kwargs):
        super().__init__(image_encoder, text_encoder, hidden_dim, **kwargs)
        self.fusion = nn.Linear(image_encoder.out_dim, hidden_dim)


class Unsqueezed(FusionModel):
    def forward(self, image, input_ids, attention_mask):
        out = super().forward(image, input_ids, attention_mask)
        return dict(out, logits=out["logits"][:, None])


@pytest.mark.parametrize("wrong, words", [
    (InvertedTemperature, "inverted"), (ImageOnlyClassifier, "ignore the report"), (Unnormalised, "unit vectors"),
    (WrongFusionWidth, "img_dim \\+ text_dim"), (Unsqueezed, "squeeze"),
])
def test_fusion_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_fusion_model(wrong)


# --- 16.4 training loop: each mistake planted into a copy of the reference loop -------------------

def make_loop(zero_grad=True, clip=True, schedule=True, eval_mode=True, no_grad=True, retrain=True,
              early_stop=True, reload=True, save_model=False, zero_late=False, ascent=False):
    def loop(model, train_loader, val_loader, num_epochs=8, lr=2e-3, patience=2, checkpoint="best.pt",
             cls_weight=1.0, max_grad_norm=1.0):
        opt = torch.optim.AdamW(model.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=num_epochs * len(train_loader))
        history, best, waited = {"train_loss": [], "val_loss": [], "best_epoch": -1}, math.inf, 0
        for epoch in range(num_epochs):
            if retrain or epoch == 0:
                model.train()
            total = 0.0
            for batch in train_loader:
                out = model(batch["image"], batch["input_ids"], batch["attention_mask"])
                loss = th.multimodal_loss(out, batch["label"], model.logit_scale, cls_weight)
                if zero_grad and not zero_late:
                    opt.zero_grad()
                (-loss if ascent else loss).backward()
                if zero_late:
                    opt.zero_grad()
                if clip:
                    nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
                opt.step()
                if schedule:
                    sched.step()
                total += loss.item()
            history["train_loss"].append(total / len(train_loader))
            if eval_mode:
                model.eval()
            with torch.set_grad_enabled(not no_grad):
                val = sum(th.multimodal_loss(out := model(b["image"], b["input_ids"], b["attention_mask"]),
                                             b["label"], model.logit_scale, cls_weight).item() for b in val_loader)
            del out
            history["val_loss"].append(val / len(val_loader))
            if history["val_loss"][-1] < best:
                best, waited, history["best_epoch"] = history["val_loss"][-1], 0, epoch
                torch.save(model if save_model else model.state_dict(), checkpoint)
            else:
                waited += 1
                if early_stop and waited >= patience:
                    break
        if reload:
            model.load_state_dict(torch.load(checkpoint, weights_only=True))
        return history
    return loop


def test_planted_loop_is_correct(capsys):
    checks.check_training_loop(make_loop())
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, words", [
    ({"zero_grad": False}, "zero_grad"), ({"zero_late": True}, "BEFORE"), ({"clip": False}, "clip_grad_norm_"),
    ({"schedule": False}, "scheduler"), ({"eval_mode": False}, "model.eval"), ({"no_grad": False}, "no_grad"),
    ({"retrain": False}, "model.train"), ({"early_stop": False}, "patience"), ({"reload": False}, "best checkpoint"),
    ({"save_model": True}, "state_dict"), ({"ascent": True}, "does not decrease"),
])
def test_loop_mistakes(mistake, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_training_loop(make_loop(**mistake))


def test_loop_shape_mismatch_is_explained():
    def bad(model, train_loader, val_loader, **kwargs):
        for batch in train_loader:
            out = model(batch["image"], batch["input_ids"], batch["attention_mask"])
            F.binary_cross_entropy_with_logits(out["logits"][:, None], batch["label"])
        return {}

    with pytest.raises(ExerciseError, match="shape mismatch"):
        checks.check_training_loop(bad)


# --- 16.5 operating point ------------------------------------------------------------------------

@pytest.mark.parametrize("wrong, words", [
    (lambda p, y, s: 0.5, "finds only"),
    (lambda p, y, s: float(np.min(p)), "HIGHEST"),
    (lambda p, y, s: float(np.quantile(p[y == 1], s)), "finds only"),
])
def test_threshold_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_choose_threshold(wrong)
