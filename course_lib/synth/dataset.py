"""A torch Dataset over the cohort, and splits by patient (notebooks 03, 10)."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from course_lib.synth.cohort import Cohort
from course_lib.synth.config import stream

MODALITIES = ("image", "report", "complaint", "vitals", "vitals_series", "labs")


def patient_split(
    cohort: Cohort, val: float = 0.15, test: float = 0.15, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train/val/test indices by patient, stratified, no patient in two sets (notebook 03)."""
    if not (0 <= val < 1 and 0 <= test < 1 and val + test < 1):
        raise ValueError(f"val and test must be fractions with val + test < 1, got {val}, {test}")
    rng = stream(seed, "split")
    # Stratify on the combination of pneumonia and "any other condition".
    strata = cohort.labels[:, 0].astype(int) * 2 + (cohort.labels[:, 1:].sum(axis=1) > 0)
    train, valid, testing = [], [], []
    for s in np.unique(strata):
        idx = rng.permutation(np.flatnonzero(strata == s))
        n_test, n_val = int(round(test * len(idx))), int(round(val * len(idx)))
        testing.append(idx[:n_test])
        valid.append(idx[n_test : n_test + n_val])
        train.append(idx[n_test + n_val :])
    return tuple(np.sort(np.concatenate(part)) for part in (train, valid, testing))


class CohortDataset(Dataset):
    """One dict per patient with the chosen modalities, labels and ESI (notebook 03)."""

    def __init__(self, cohort: Cohort, indices=None, modalities=MODALITIES, transform=None):
        unknown = set(modalities) - set(MODALITIES)
        if unknown:
            raise ValueError(f"unknown modalities {sorted(unknown)}; choose from {MODALITIES}")
        if "image" in modalities and cohort.images is None:
            raise ValueError("this cohort was made with images=False; no 'image' modality")
        self.cohort = cohort
        self.indices = np.arange(len(cohort)) if indices is None else np.asarray(indices)
        self.modalities = tuple(modalities)
        self.transform = transform  # applied to the (1, H, W) image tensor

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, k: int) -> dict:
        i = int(self.indices[k])
        c = self.cohort
        item = {
            "patient_id": c.state["patient_id"].iat[i],
            "labels": torch.from_numpy(c.labels[i].copy()),  # (6,) multi-hot
            "esi": int(c.esi[i]),
        }
        if "image" in self.modalities:
            image = torch.from_numpy(c.images[i].copy())[None]  # (1, H, W)
            item["image"] = self.transform(image) if self.transform else image
        if "report" in self.modalities:
            item["report"] = c.reports[i]
        if "complaint" in self.modalities:
            item["complaint"] = c.complaints[i]
        if "vitals" in self.modalities:
            item["vitals"] = torch.from_numpy(c.vitals[i].copy())  # (6,)
        if "vitals_series" in self.modalities:
            s = c.vitals_series
            item["vitals_series"] = torch.from_numpy(s.values[i].copy())  # (T, 6), NaN missing
            item["vitals_times"] = torch.from_numpy(s.times[i].copy())  # (T,), NaN past length
            item["vitals_length"] = int(s.lengths[i])
        if "labs" in self.modalities:
            item["labs"] = torch.from_numpy(c.labs[i].copy())  # (8,), NaN where not drawn
        return item
