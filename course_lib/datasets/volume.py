"""Volumes as real files: NIfTI, a CT DICOM series, the MNI template, the Decathlon layout (notebook 09)."""

from __future__ import annotations

import datetime
import importlib.util
import json
from pathlib import Path

import numpy as np

from course_lib.setup import data_dir

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"  # DICOM SOP class UID of a CT image
HU_INTERCEPT = -1024.0  # stored value 0 = -1024 HU, so air (-1000) stays non-negative


def ras_affine(spacing, origin=(0.0, 0.0, 0.0)) -> np.ndarray:
    """4x4 voxel -> world (mm, RAS+) affine of an axis-aligned grid."""
    affine = np.diag([*map(float, spacing), 1.0])
    affine[:3, 3] = origin
    return affine


def save_nifti(array: np.ndarray, spacing, path: Path, origin=(0.0, 0.0, 0.0)) -> Path:
    """Write a (x, y, z) or (x, y, z, c) array as NIfTI-1 with an RAS+ affine (notebook 09)."""
    import nibabel as nib

    img = nib.Nifti1Image(np.asarray(array), ras_affine(spacing, origin))
    img.header.set_xyzt_units("mm")
    img.header.set_qform(img.affine, code=1)  # scanner coordinates
    img.header.set_sform(img.affine, code=1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(img, path)
    return path


def save_dicom_series(ct_hu: np.ndarray, spacing, folder: Path, patient_id: str = "PHANTOM-001",
                      origin=(0.0, 0.0, 0.0)) -> list[Path]:
    """Write a (x, y, z) CT in HU as one DICOM file per axial slice (notebook 09).

    DICOM's patient frame is LPS+ (x to the patient's left, y posterior); the array is RAS+, so
    rows run along -x and columns along -y of the LPS frame (ImageOrientationPatient -1 0 0 0 -1 0).
    Pixels are stored as uint16 with RescaleIntercept -1024: HU = stored + (-1024).
    """
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stored = np.round(np.asarray(ct_hu) - HU_INTERCEPT)
    if stored.min() < 0 or stored.max() > 65535:
        raise ValueError("HU outside [-1024, 64511]: clip the CT before writing it as uint16")
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    sx, sy, sz = map(float, spacing)
    paths = []
    for k in range(ct_hu.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = folder / f"slice_{k:03d}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CT_IMAGE_STORAGE, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality, ds.PatientID, ds.PatientName = "CT", patient_id, "Phantom^Chest"
        ds.StudyDate = datetime.date(2026, 1, 1).strftime("%Y%m%d")
        ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
        ds.ImageOrientationPatient = [-1, 0, 0, 0, -1, 0]
        ds.ImagePositionPatient = [-origin[0], -origin[1], origin[2] + k * sz]
        ds.SliceLocation = origin[2] + k * sz
        ds.PixelSpacing = [sy, sx]  # [between rows, between columns]
        ds.SliceThickness = sz
        ds.Rows, ds.Columns = ct_hu.shape[1], ct_hu.shape[0]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = HU_INTERCEPT, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = -600, 1500  # a lung window
        ds.PixelData = stored[:, :, k].T.astype(np.uint16).tobytes()  # (rows=y, columns=x)
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def load_with_monai(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(array (x, y, z), RAS affine) of a NIfTI file or a DICOM series folder via MONAI's LoadImage."""
    from monai.transforms import LoadImage

    path = Path(path)
    reader = "PydicomReader" if path.is_dir() else "NibabelReader"
    img = LoadImage(reader=reader, image_only=True)(str(path))
    return np.asarray(img), np.asarray(img.affine)


# --- Real volumes shipped inside installed packages ---------------------------------------

def _package_dir(package: str) -> Path:
    """A package's folder, found without importing it (nilearn's import is slow)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{package} is not installed: pip install -r requirements.txt")
    return Path(list(spec.submodule_search_locations)[0])


def mni_template_paths() -> dict[str, Path]:
    """The MNI ICBM152 2009 T1 template and its grey/white-matter maps bundled with nilearn."""
    folder = _package_dir("nilearn") / "datasets" / "data"
    names = {"t1": "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz",
             "gm": "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz",
             "wm": "mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz"}
    return {k: folder / v for k, v in names.items()}


def load_mni_template(voxel_mm: int = 4) -> dict:
    """MNI152 T1 and GM/WM probabilities, block-averaged from 1 mm to `voxel_mm` (notebook 09)."""
    import nibabel as nib

    out = {}
    for key, path in mni_template_paths().items():
        img = nib.load(path)
        data = np.asarray(img.dataobj, dtype=np.float32)
        f = int(voxel_mm)
        crop = [(n // f) * f for n in data.shape]
        data = data[:crop[0], :crop[1], :crop[2]]
        block = data.reshape(crop[0] // f, f, crop[1] // f, f, crop[2] // f, f).mean((1, 3, 5))
        # nilearn stores the tissue probabilities as 0-255 integers: back to [0, 1]
        out[key] = block / 255.0 if key != "t1" and data.max() > 1.5 else block
        out["affine_1mm"] = img.affine
    out["spacing"] = (float(voxel_mm),) * 3
    return out


def nibabel_example_paths() -> dict[str, Path]:
    """Real NIfTI files in nibabel's test data: a 4D fMRI run and an anatomical image."""
    folder = _package_dir("nibabel") / "tests" / "data"
    return {"example4d": folder / "example4d.nii.gz", "anatomical": folder / "anatomical.nii"}


# --- Medical Segmentation Decathlon layout -------------------------------------------------

def decathlon_dir(task: str = "Task09_Spleen") -> Path:
    """Where data_scripts/fetch_decathlon.py puts a task: COURSE_DATA_DIR/decathlon/<task>."""
    return data_dir() / "decathlon" / task


def decathlon_available(task: str = "Task09_Spleen", root: Path | None = None) -> bool:
    """Whether the task's dataset.json is on this machine."""
    return ((root or decathlon_dir(task)) / "dataset.json").exists()


def load_decathlon_index(root: Path) -> dict:
    """Read a Decathlon task's dataset.json: name, modalities, labels and absolute file pairs."""
    root = Path(root)
    meta_path = root / "dataset.json"
    if not meta_path.exists():
        raise FileNotFoundError(f"{meta_path} not found: fetch the task with "
                                "`python data_scripts/fetch_decathlon.py --task Task09_Spleen`")
    meta = json.loads(meta_path.read_text())
    pairs = [{"image": root / p["image"].removeprefix("./"), "label": root / p["label"].removeprefix("./")}
             for p in meta["training"]]
    missing = [str(p["image"]) for p in pairs if not p["image"].exists()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} images listed in dataset.json are missing, e.g. "
                                f"{missing[0]}; the download is incomplete: run the fetch script again")
    return {"name": meta.get("name", root.name), "modality": meta.get("modality", {}),
            "labels": meta.get("labels", {}), "training": pairs,
            "test": [root / p.removeprefix("./") for p in meta.get("test", [])]}


def load_decathlon_case(pair: dict) -> dict:
    """One training case of a Decathlon task as arrays (x, y, z) with spacing, via nibabel."""
    import nibabel as nib

    image, label = nib.load(pair["image"]), nib.load(pair["label"])
    return {"image": np.asarray(image.dataobj, np.float32), "label": np.asarray(label.dataobj, np.uint8),
            "spacing": tuple(float(s) for s in image.header.get_zooms()[:3]), "affine": image.affine}


# Published Dice of reference models, quoted in notebook 09 (sources in the notebook)
REFERENCE_DICE = {"MONAI spleen (Task09, 3D U-Net)": 0.96, "Swin UNETR (BTCV, 13 organs, mean)": 0.82}
