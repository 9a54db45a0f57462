"""Image–report pairs as files: xrays/ + reports.csv from the cohort or MIMIC-CXR-JPG, and their torch Dataset (notebook 16).

The layout every loader here reads (what a hospital export or a PhysioNet download becomes):

    root/
      xrays/ED00000.png ...        one 8-bit grayscale film per row (PNG here; MIMIC-CXR-JPG: .jpg)
      reports.csv                  patient_id, image (path relative to root), report, one column per label
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

REQUIRED_COLUMNS = ("patient_id", "image", "report")
MIMIC_VERSION = "2.1.0"  # MIMIC-CXR-JPG 2.1.0 (PhysioNet, 2024); its tables keep the 2.0.0 names
MIMIC_TABLES = {
    "metadata": "mimic-cxr-2.0.0-metadata.csv.gz",  # dicom_id, subject_id, study_id, ViewPosition, ...
    "chexpert": "mimic-cxr-2.0.0-chexpert.csv.gz",  # subject_id, study_id, 14 labels: 1 / 0 / -1 / blank
    "split": "mimic-cxr-2.0.0-split.csv.gz",  # dicom_id, study_id, subject_id, split: train/validate/test
}


def write_xray_folder(cohort, root: str | Path, split_seed: int = 0) -> Path:
    """Write films as xrays/<patient_id>.png and reports.csv (id, image, report, split, labels); reuse a complete folder (notebook 16).

    The split column (train / validate / test, MIMIC-CXR-JPG's names) is by patient, stratified.
    """
    from PIL import Image

    from course_lib.synth.dataset import patient_split

    root = Path(root)
    indices = np.arange(len(cohort))
    split = np.empty(len(cohort), dtype=object)
    for name, idx in zip(("train", "validate", "test"), patient_split(cohort, seed=split_seed), strict=True):
        split[idx] = name
    csv = root / "reports.csv"
    if csv.exists() and len(pd.read_csv(csv)) == len(indices):  # written before, in full: reuse
        return root
    (root / "xrays").mkdir(parents=True, exist_ok=True)
    ids = cohort.patient_ids[indices]
    rows = []
    for i, pid in zip(indices, ids, strict=True):
        rel = f"xrays/{pid}.png"
        pixels = np.round(np.clip(cohort.images[i], 0, 1) * 255).astype(np.uint8)  # (H, W) 8-bit, as exported
        part = root / f"{rel}.{os.getpid()}.part"
        Image.fromarray(pixels, mode="L").save(part, format="PNG")
        part.replace(root / rel)  # atomic: a notebook running in parallel never reads half a file
        rows.append({"patient_id": pid, "image": rel, "report": cohort.reports[i], "split": split[i],
                     **{c: int(v) for c, v in zip(cohort.condition_names, cohort.labels[i], strict=True)}})
    tmp = csv.with_suffix(f".{os.getpid()}.part")
    pd.DataFrame(rows).to_csv(tmp, index=False)
    tmp.replace(csv)  # last: a folder with reports.csv is complete
    return root


def cohort_folder(cohort) -> Path:
    """Where notebook 16 writes a cohort's files: data_dir()/handson/<the cohort's cache name> (notebook 16)."""
    from course_lib.synth.cohort import cache_path

    size = 0 if cohort.images is None else cohort.images.shape[-1]
    return cache_path(len(cohort), cohort.seed, size, cohort.config, True).parent.parent / "handson" / \
        cache_path(len(cohort), cohort.seed, size, cohort.config, True).stem


def read_reports_csv(path: str | Path) -> pd.DataFrame:
    """reports.csv as a DataFrame, with a clear error when a required column is missing (notebook 16)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: write it with write_xray_folder(cohort, root) "
                                "or from MIMIC-CXR-JPG with write_mimic_folder(...)")
    table = pd.read_csv(path, dtype={"patient_id": str, "image": str}, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {missing}; expected {list(REQUIRED_COLUMNS)} + label columns")
    return table


def split_loaders(dataset, batch_size: int = 64, seed: int = 0, collate_fn=None) -> dict:
    """DataLoaders over the table's 'split' column: train shuffled (seeded), validate and test in order (notebook 16)."""
    from torch.utils.data import DataLoader, Subset

    collate_fn = collate_fn or pad_collate
    if "split" not in dataset.table.columns:
        raise ValueError("the table has no 'split' column (train / validate / test): split by patient first")
    loaders = {}
    for name in ("train", "validate", "test"):
        idx = np.flatnonzero(dataset.table["split"].to_numpy() == name)
        if not len(idx):
            raise ValueError(f"no rows with split == {name!r}")
        g = torch.Generator().manual_seed(seed)
        loaders[name] = DataLoader(Subset(dataset, idx.tolist()), batch_size=batch_size, shuffle=name == "train",
                                   collate_fn=collate_fn, generator=g)
    return loaders


def load_film(path: Path, image_size: int) -> torch.Tensor:
    """One film file -> (1, image_size, image_size) float tensor, z-scored per film (notebook 16)."""
    from PIL import Image

    with Image.open(path) as img:
        pixels = np.asarray(img.convert("L"), dtype=np.float32) / 255  # (H, W) in [0, 1]
    X = torch.from_numpy(pixels)[None, None]  # (1, 1, H, W)
    if X.shape[-1] != image_size or X.shape[-2] != image_size:
        X = F.interpolate(X, size=(image_size, image_size), mode="area")  # big films: average, no aliasing
    X = X[0]  # (1, S, S)
    return (X - X.mean()) / (X.std() + 1e-6)  # exposure says nothing about disease


class MultimodalDataset(Dataset):
    """Films from image files and reports from reports.csv -> dicts for a fusion model (notebook 16)."""

    def __init__(self, root, tokenizer, text_file: str = "reports.csv", label: str = "pneumonia",
                 image_size: int = 32, text_fn=None, max_length: int = 64, transform=None):
        self.root = Path(root)
        self.table = read_reports_csv(self.root / text_file)
        if label not in self.table.columns:
            raise ValueError(f"no label column {label!r} in {text_file}; columns: {list(self.table.columns)}")
        self.tokenizer, self.label, self.image_size = tokenizer, label, image_size
        self.text_fn, self.max_length, self.transform = text_fn, max_length, transform

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, i: int) -> dict:
        row = self.table.iloc[i]
        where = f"row {i} of the table (patient {row['patient_id']})"
        path = self.root / row["image"]
        if not path.is_file():
            raise FileNotFoundError(f"{where}: image file {path} is missing; fix the 'image' column or the file")
        text = str(row["report"]).strip()
        if not text:
            raise ValueError(f"{where}: the report is empty; drop the row or supply the report text")
        try:
            image = load_film(path, self.image_size)  # (1, S, S)
        except OSError as err:  # PIL: truncated or not an image at all
            raise ValueError(f"{where}: {path} cannot be read as an image ({err}); re-export the film") from None
        if self.transform is not None:
            image = self.transform(image)
        if self.text_fn is not None:
            text = self.text_fn(text)
        enc = self.tokenizer(text, truncation=True, max_length=self.max_length)
        return {"image": image,
                "input_ids": torch.tensor(enc["input_ids"], dtype=torch.long),  # (T,) unpadded
                "attention_mask": torch.tensor(enc["attention_mask"], dtype=torch.long),  # (T,)
                "label": torch.tensor(float(row[self.label]), dtype=torch.float32)}


def pad_collate(items: list[dict], pad_id: int = 0) -> dict[str, torch.Tensor]:
    """Stack a list of dataset items into a batch, padding token ids to the longest report (notebook 16)."""
    T = max(len(it["input_ids"]) for it in items)
    ids = torch.full((len(items), T), pad_id, dtype=torch.long)  # (B, T)
    mask = torch.zeros((len(items), T), dtype=torch.long)  # (B, T): 0 = padding, ignored by attention
    for b, it in enumerate(items):
        ids[b, :len(it["input_ids"])] = it["input_ids"]
        mask[b, :len(it["attention_mask"])] = it["attention_mask"]
    return {"image": torch.stack([it["image"] for it in items]),  # (B, 1, S, S)
            "input_ids": ids, "attention_mask": mask,
            "label": torch.stack([it["label"] for it in items])}  # (B,)


# --- MIMIC-CXR-JPG in the same layout ----------------------------------------------------------

def mimic_image_path(subject_id: int, study_id: int, dicom_id: str) -> str:
    """MIMIC-CXR-JPG's path of one film: files/p10/p10000032/s50414267/<dicom_id>.jpg (notebook 16)."""
    s = str(int(subject_id))
    return f"files/p{s[:2]}/p{s}/s{int(study_id)}/{dicom_id}.jpg"


def mimic_report_path(subject_id: int, study_id: int) -> str:
    """MIMIC-CXR's path of one report (in mimic-cxr-reports.zip): files/p10/p10000032/s50414267.txt (notebook 16)."""
    s = str(int(subject_id))
    return f"files/p{s[:2]}/p{s}/s{int(study_id)}.txt"


def report_sections(text: str) -> str:
    """FINDINGS and IMPRESSION of a free-text MIMIC-CXR report, or the whole text if it has neither (notebook 16)."""
    upper, keep = text.upper(), []
    for header in ("IMPRESSION:", "FINDINGS:"):  # the conclusion first: truncation cuts detail, not it
        start = upper.find(header)
        if start >= 0:
            rest = text[start + len(header):]
            ends = [rest.upper().find(h) for h in ("IMPRESSION:", "FINDINGS:", "RECOMMENDATION", "NOTIFICATION")]
            end = min([e for e in ends if e > 0], default=len(rest))
            keep.append(f"{header} {' '.join(rest[:end].split())}")
    return "\n".join(keep) if keep else " ".join(text.split())


def mimic_cxr_table(jpg_root: str | Path, reports_root: str | Path | None = None, split: str | None = None,
                    views=("PA", "AP"), uncertain_as: float = 1.0, present_only: bool = True) -> pd.DataFrame:
    """One frontal film per study from MIMIC-CXR-JPG as reports.csv rows (notebook 16).

    CheXpert labels: 1 positive, 0 negative, -1 uncertain ('may represent pneumonia'), blank not
    mentioned. Uncertain becomes `uncertain_as` (1: U-Ones), blank becomes 0. Images are paths
    relative to jpg_root; the report text is read from reports_root (MIMIC-CXR's files/ tree).
    present_only keeps the studies whose film is on disk (a subset was fetched).
    """
    jpg_root = Path(jpg_root)
    reports_root = Path(reports_root) if reports_root is not None else jpg_root
    missing = [n for n in MIMIC_TABLES.values() if not (jpg_root / n).exists()]
    if missing:
        raise FileNotFoundError(f"{jpg_root} lacks {missing}: run `python data_scripts/fetch_mimic_cxr.py` "
                                "(PhysioNet credentialed access)")
    meta = pd.read_csv(jpg_root / MIMIC_TABLES["metadata"], usecols=["dicom_id", "subject_id", "study_id",
                                                                     "ViewPosition"])
    splits = pd.read_csv(jpg_root / MIMIC_TABLES["split"], usecols=["dicom_id", "split"])
    labels = pd.read_csv(jpg_root / MIMIC_TABLES["chexpert"])
    films = meta.merge(splits, on="dicom_id")
    films = films[films["ViewPosition"].isin(views) & ((films["split"] == split) if split else True)]
    films = films.sort_values(["study_id", "dicom_id"]).drop_duplicates("study_id")  # one film per study
    films = films.merge(labels, on=["subject_id", "study_id"], how="inner")
    if present_only:
        here = [(jpg_root / mimic_image_path(s, t, d)).exists()
                for s, t, d in zip(films["subject_id"], films["study_id"], films["dicom_id"], strict=True)]
        films = films[np.array(here, dtype=bool)]
    rows = []
    for r in films.itertuples(index=False):
        path = reports_root / mimic_report_path(r.subject_id, r.study_id)
        text = report_sections(path.read_text()) if path.exists() else ""
        rows.append({"patient_id": f"p{r.subject_id}", "study_id": int(r.study_id),
                     "image": mimic_image_path(r.subject_id, r.study_id, r.dicom_id), "report": text,
                     "split": r.split})
    table = pd.DataFrame(rows, columns=["patient_id", "study_id", "image", "report", "split"])
    for col in labels.columns.drop(["subject_id", "study_id"]):
        values = films[col].to_numpy(dtype=float)
        values = np.where(values == -1, uncertain_as, np.nan_to_num(values, nan=0.0))
        table[col.lower().replace(" ", "_")] = values
    return table


def write_mimic_folder(jpg_root: str | Path, reports_root: str | Path | None = None, **kwargs) -> Path:
    """Write jpg_root/reports.csv in notebook 16's layout (official split column); images stay where they are (notebook 16)."""
    table = mimic_cxr_table(jpg_root, reports_root, **kwargs)
    out = Path(jpg_root) / "reports.csv"
    table.to_csv(out, index=False)
    return out
