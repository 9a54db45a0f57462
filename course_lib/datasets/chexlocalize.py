"""CheXlocalize (Saporta et al. 2022): CheXpert films with radiologists' segmentations, read into arrays (notebook 14).

The release stores each film's masks in `gt_segmentations_{val,test}.json` as
{image_id: {pathology: {"size": [h, w], "counts": <COCO compressed RLE string>}}}; image ids such as
`patient64541_study1_view1_frontal` name `CheXpert-v1.0/valid/patient64541/study1/view1_frontal.jpg`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from course_lib.setup import data_dir

PATHOLOGIES = ("Airspace Opacity", "Atelectasis", "Cardiomegaly", "Consolidation", "Edema",
               "Enlarged Cardiomediastinum", "Lung Lesion", "Pleural Effusion", "Pneumothorax", "Support Devices")


def chexlocalize_dir() -> Path:
    """Where the release is unpacked: COURSE_DATA_DIR/chexlocalize (notebook 14)."""
    return data_dir() / "chexlocalize"


def rle_counts(counts: str) -> list[int]:
    """Run lengths from a COCO compressed RLE string (pycocotools' rleFrString) (notebook 14).

    Each number is written in 5-bit groups, least significant first, as characters from '0' (48);
    bit 0x20 says "more groups follow", bit 0x10 of the last group is the sign; from the third
    number on, the value is stored as a difference to the number two places back.
    """
    out: list[int] = []
    p = 0
    while p < len(counts):
        x, k, more = 0, 0, True
        while more:
            c = ord(counts[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p, k = p + 1, k + 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(out) > 2:
            x += out[-2]
        out.append(x)
    return out


def decode_rle(rle: dict) -> np.ndarray:
    """(h, w) bool mask from {"size": [h, w], "counts": str or list}; runs alternate 0/1, column-major (notebook 14)."""
    h, w = (int(v) for v in rle["size"])
    counts = rle["counts"] if isinstance(rle["counts"], list) else rle_counts(rle["counts"])
    if sum(counts) != h * w:
        raise ValueError(f"RLE counts add up to {sum(counts)}, not {h}x{w} = {h * w}: corrupt or wrong size")
    values = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    return values.reshape(w, h).T  # column-major (Fortran order), as COCO stores masks


def image_path(chexpert_root: Path, image_id: str, split: str = "valid") -> Path:
    """The JPEG of an image id: patient64541_study1_view1_frontal -> <root>/valid/patient64541/study1/view1_frontal.jpg."""
    patient, study, rest = image_id.split("_", 2)
    return Path(chexpert_root) / split / patient / study / f"{rest}.jpg"


def load_chexlocalize(release: Path, chexpert_root: Path, pathology: str = "Consolidation", size: int = 64,
                      split: str = "val") -> dict[str, np.ndarray]:
    """Films (n, size, size) in [0, 1] and masks (n, size, size) bool of one pathology (notebook 14).

    Films with an empty mask are kept (negatives, masks all False). Resizing: area average for the
    film, nearest for the mask (a mask stays a mask).
    """
    from PIL import Image

    if pathology not in PATHOLOGIES:
        raise ValueError(f"unknown pathology {pathology!r}; choose one of {PATHOLOGIES}")
    seg_file = Path(release) / f"gt_segmentations_{split}.json"
    if not seg_file.exists():
        raise FileNotFoundError(f"{seg_file} not found: run `python data_scripts/fetch_chexlocalize.py` for the steps")
    segs = json.loads(seg_file.read_text())
    images, masks, ids = [], [], []
    for image_id, by_pathology in sorted(segs.items()):
        if pathology not in by_pathology:
            continue
        path = image_path(chexpert_root, image_id, "valid" if split == "val" else "test")
        with Image.open(path) as im:
            film = np.asarray(im.convert("L").resize((size, size), Image.BOX), np.float32) / 255.0
        mask = decode_rle(by_pathology[pathology])
        small = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 0
        images.append(film)
        masks.append(small)
        ids.append(image_id)
    if not images:
        raise ValueError(f"no film in {seg_file} has a {pathology!r} entry")
    return {"images": np.stack(images), "masks": np.stack(masks), "image_id": np.array(ids)}
