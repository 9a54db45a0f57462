"""The torch Dataset and the by-patient split (notebook 03)."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from course_lib.synth import CohortDataset, make_cohort, patient_split


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(120, seed=4, image_size=64, cache=False)


def test_item_has_every_modality_with_the_right_shapes(cohort):
    item = CohortDataset(cohort)[3]
    assert item["image"].shape == (1, 64, 64) and item["image"].dtype == torch.float32
    assert isinstance(item["report"], str) and isinstance(item["complaint"], str)
    assert item["vitals"].shape == (6,) and item["labs"].shape == (8,)
    t_max = cohort.vitals_series.times.shape[1]
    assert item["vitals_series"].shape == (t_max, 6) and item["vitals_times"].shape == (t_max,)
    assert item["labels"].shape == (6,) and set(item["labels"].tolist()) <= {0.0, 1.0}
    assert 1 <= item["esi"] <= 5 and item["patient_id"] == cohort.state.patient_id.iat[3]


def test_modalities_can_be_chosen_and_batched(cohort):
    ds = CohortDataset(cohort, indices=[0, 5, 7, 9], modalities=("image", "labs"))
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert set(batch) == {"image", "labs", "labels", "esi", "patient_id"}
    assert batch["image"].shape == (4, 1, 64, 64)
    with pytest.raises(ValueError, match="unknown modalities"):
        CohortDataset(cohort, modalities=("ecg_12lead",))


def test_patient_split_has_no_overlap_and_covers_everyone(cohort):
    train, val, test = patient_split(cohort, val=0.15, test=0.15, seed=0)
    assert not set(train) & set(val) and not set(train) & set(test) and not set(val) & set(test)
    assert len(train) + len(val) + len(test) == len(cohort)
    assert abs(len(test) - 0.15 * len(cohort)) <= 4
    y = cohort.labels[:, 0]
    assert abs(y[test].mean() - y.mean()) < 0.08  # stratified
    again = patient_split(cohort, val=0.15, test=0.15, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again, strict=True))
    with pytest.raises(ValueError):
        patient_split(cohort, val=0.6, test=0.5)
