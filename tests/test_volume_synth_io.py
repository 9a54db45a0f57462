"""Notebook 09: CT/PET/MRI phantoms, their files (NIfTI, DICOM series), real volumes and the Decathlon layout."""

import json

import nibabel as nib
import numpy as np
import pydicom
import pytest

from course_lib.datasets import volume as vdata
from course_lib.preprocess.volume import pet_on_ct_grid, volume_ml
from course_lib.synth.volume import HU, make_brain_case, make_ct_case, make_pet, pet_geometry


@pytest.fixture(scope="module")
def case():
    return make_ct_case(seed=3, n_nodules=3)


def test_ct_is_deterministic_and_in_hounsfield_units(case):
    again = make_ct_case(seed=3, n_nodules=3)
    assert np.array_equal(case.ct, again.ct) and np.array_equal(case.mask, again.mask)
    # Reference values (Buzug 2008; Prokop 2003): air -1000, fat -50..-100, soft tissue/blood +20..+80, bone >= +300
    assert HU["air"] == -1000 and -100 <= HU["fat"] <= -50 and 20 <= HU["muscle"] <= 80 and 20 <= HU["blood"] <= 80
    assert 300 <= HU["bone"] <= 1000 and -910 <= HU["lung"] <= -700
    assert case.ct.min() < -950 and case.ct.max() > 400  # air in the bronchus, bone in a rib
    assert np.median(case.ct[case.mask == 0]) < -700  # mostly lung


def test_nodule_truth_matches_the_mask(case):
    assert len(case.nodules) == 3
    assert set(case.nodules["type"]) <= {"solid", "part-solid", "ground-glass"}
    # each nodule's truth volume is its voxels inside the lung; they add up to the mask (up to overlaps)
    assert volume_ml(case.mask, case.spacing) == pytest.approx(case.nodules["volume_ml"].sum(), rel=0.1)
    d = case.nodules["diameter_mm"].to_numpy()
    assert (case.nodules["volume_ml"] <= np.pi / 6 * (1.15 * d) ** 3 / 1000).all()
    assert not (case.mask.astype(bool) & case.vessels).all()


def test_pet_alignment_and_misalignment(case):
    pet, identity = make_pet(case, seed=1)
    assert np.allclose(identity, np.eye(4)) and pet.shape == (16, 16, 16) and pet.min() >= 0
    sp, origin = pet_geometry(case, pet)
    assert sp == (4.5, 4.5, 4.0)
    moved_pet, truth = make_pet(case, seed=1, misalign=True)
    assert np.linalg.norm(truth[:3, 3]) > 0.5
    on_ct = pet_on_ct_grid(moved_pet, sp, origin, case.ct.shape, case.spacing, truth)
    assert on_ct.shape == case.ct.shape


def test_brain_phantom_contrasts():
    b = make_brain_case(seed=0)
    t1, t2, flair = b["image"]
    lab = b["label"]
    csf, wm, oedema = lab == 1, lab == 3, lab == 4
    assert t1[wm].mean() > t1[csf].mean()  # T1: white matter bright, fluid dark
    assert t2[csf].mean() > t2[wm].mean()  # T2: fluid bright
    assert flair[oedema].mean() > 3 * flair[csf].mean()  # FLAIR: oedema bright, CSF nulled
    assert set(np.unique(b["target"])) == {0, 1, 2}


def test_nifti_and_dicom_series_round_trip_through_monai(case, tmp_path):
    vdata.save_nifti(case.ct.astype(np.int16), case.spacing, tmp_path / "ct.nii.gz")
    paths = vdata.save_dicom_series(case.ct, case.spacing, tmp_path / "dicom")
    assert len(paths) == case.ct.shape[2]
    ds = pydicom.dcmread(paths[2])
    assert ds.Modality == "CT" and float(ds.RescaleIntercept) == -1024
    assert [float(v) for v in ds.PixelSpacing] == [1.5, 1.5] and float(ds.ImagePositionPatient[2]) == 4.0
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert np.array_equal(hu.T, case.ct[:, :, 2])  # rows are y, columns are x
    a, aff_a = vdata.load_with_monai(tmp_path / "ct.nii.gz")
    b, aff_b = vdata.load_with_monai(tmp_path / "dicom")
    assert np.array_equal(a, case.ct) and np.array_equal(b, case.ct)
    assert np.allclose(aff_a, aff_b) and nib.aff2axcodes(aff_a) == ("R", "A", "S")


def test_dicom_writer_refuses_out_of_range_hu(tmp_path):
    with pytest.raises(ValueError, match="clip"):
        vdata.save_dicom_series(np.full((4, 4, 2), -3000.0), (1, 1, 1), tmp_path)


def test_bundled_real_volumes():
    paths = vdata.mni_template_paths()
    assert all(p.exists() for p in paths.values())
    assert vdata.nibabel_example_paths()["example4d"].exists()


def test_mni_template_block_average():
    mni = vdata.load_mni_template(voxel_mm=8)
    assert mni["t1"].shape == (24, 29, 23) and mni["spacing"] == (8.0, 8.0, 8.0)
    assert 0 <= mni["wm"].min() and mni["wm"].max() <= 1.0 + 1e-6  # probabilities


def _decathlon_fixture(root, n=2):
    (root / "imagesTr").mkdir(parents=True)
    (root / "labelsTr").mkdir()
    training = []
    for i in range(n):
        img = np.random.default_rng(i).normal(0, 100, (8, 8, 4)).astype(np.int16)
        lab = np.zeros((8, 8, 4), np.uint8)
        lab[2:5, 2:5, 1:3] = 1
        vdata.save_nifti(img, (0.8, 0.8, 5.0), root / "imagesTr" / f"spleen_{i}.nii.gz")
        vdata.save_nifti(lab, (0.8, 0.8, 5.0), root / "labelsTr" / f"spleen_{i}.nii.gz")
        training.append({"image": f"./imagesTr/spleen_{i}.nii.gz", "label": f"./labelsTr/spleen_{i}.nii.gz"})
    meta = {"name": "Spleen", "modality": {"0": "CT"}, "labels": {"0": "background", "1": "spleen"},
            "numTraining": n, "training": training, "test": []}
    (root / "dataset.json").write_text(json.dumps(meta))


def test_decathlon_loader_on_a_format_exact_fixture(tmp_path):
    root = tmp_path / "Task09_Spleen"
    _decathlon_fixture(root)
    assert vdata.decathlon_available(root=root)
    index = vdata.load_decathlon_index(root)
    assert index["name"] == "Spleen" and index["labels"]["1"] == "spleen" and len(index["training"]) == 2
    one = vdata.load_decathlon_case(index["training"][0])
    assert one["image"].shape == (8, 8, 4) and one["spacing"] == pytest.approx((0.8, 0.8, 5.0))
    assert volume_ml(one["label"], one["spacing"]) == pytest.approx(18 * 0.8 * 0.8 * 5 / 1000)


def test_decathlon_loader_explains_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="fetch_decathlon"):
        vdata.load_decathlon_index(tmp_path)
    root = tmp_path / "T"
    _decathlon_fixture(root, n=1)
    (root / "imagesTr" / "spleen_0.nii.gz").unlink()
    with pytest.raises(FileNotFoundError, match="incomplete"):
        vdata.load_decathlon_index(root)


def test_fetch_script_checksums_match_monai():
    import importlib.util

    from monai.apps import DecathlonDataset

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("fetch_decathlon", ROOT / "data_scripts" / "fetch_decathlon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.MD5 == DecathlonDataset.md5
    assert all(module.BASE + f"{task}.tar" == url for task, url in DecathlonDataset.resource.items())
