"""Public datasets the course code runs on, where they go, and whether they are here (notebook 00)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from course_lib.setup import data_dir

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RealDataset:
    """A public dataset: its folder under the data directory and how to fetch it."""

    name: str
    folder: str  # under COURSE_DATA_DIR
    notebooks: str
    access: str
    script: str  # file in data_scripts/ that fetches it, with checksums


REAL_DATASETS = [
    RealDataset("PTB-XL 1.0.3 (12-lead ECG, 21,799 records)", "ptbxl", "05, 11", "open (PhysioNet)",
                "fetch_ptbxl.py"),
    RealDataset("ICBHI 2017 respiratory sounds", "icbhi2017", "06", "open", "fetch_icbhi.py"),
    RealDataset("MedMNIST v2 (ChestMNIST, PathMNIST, OrganMNIST3D, ...)", "medmnist", "01, 04, 09",
                "open (Zenodo)", "fetch_medmnist.py"),
    RealDataset("Medical Segmentation Decathlon (Task09 spleen, Task06 lung, ...)", "decathlon", "09",
                "open (CC-BY-SA 4.0)", "fetch_decathlon.py"),
    RealDataset("MIMIC-CXR-JPG 2.1 (X-rays and reports)", "mimic-cxr", "02, 03, 16",
                "credentialed (PhysioNet, DUA)", "fetch_mimic_cxr.py"),
    RealDataset("CAMELYON16 (whole-slide images)", "camelyon16", "04", "open (registration)",
                "fetch_camelyon16.py"),
    RealDataset("Cholec80 (80 cholecystectomy videos, phases and tools)", "cholec80", "10",
                "on request (CAMMA, Strasbourg)", "fetch_cholec80.py"),
    RealDataset("ClinVar GRCh38 VCF (variant clinical significance, weekly)", "clinvar", "07",
                "open (NCBI, public domain)", "fetch_clinvar.py"),
    RealDataset("PhysioNet/CinC 2019 sepsis challenge (40,336 ICU stays, hourly)", "physionet2019", "08",
                "open (PhysioNet)", "fetch_physionet2019.py"),
    RealDataset("CheXlocalize (CheXpert films with radiologists' segmentations)", "chexlocalize", "14",
                "free registration (Stanford AIMI)", "fetch_chexlocalize.py"),
    RealDataset("MIMIC-IV-ED 2.2 (ED stays, triage vitals and acuity, repeated vitals)", "mimic-iv-ed", "15",
                "credentialed (PhysioNet, DUA)", "fetch_mimic_ed.py"),
]


def dataset_status() -> pd.DataFrame:
    """One row per public dataset: present under the data directory or not, and how to fetch."""
    base = data_dir()
    rows = []
    for ds in REAL_DATASETS:
        folder = base / ds.folder
        present = folder.is_dir() and any(folder.iterdir())
        has_script = (ROOT / "data_scripts" / ds.script).exists()
        fetch = f"python data_scripts/{ds.script}" if has_script else "fetch script not written yet"
        rows.append({"dataset": ds.name, "notebooks": ds.notebooks, "access": ds.access,
                     "folder": str(folder), "present": present, "fetch": fetch})
    return pd.DataFrame(rows)
