"""Prepare CheXlocalize (CheXpert films + radiologists' segmentations) for notebook 14.

Usage: python data_scripts/fetch_chexlocalize.py [--pathology Consolidation] [--size 64]

CheXlocalize is free but needs a registration (Stanford AIMI shared datasets, research use
agreement), so it cannot be downloaded by a script. Steps:
  1. Open https://stanfordaimi.azurewebsites.net/datasets/23c56a0d-15de-405b-87c8-99c30138950c
     (linked from github.com/rajpurkarlab/cheXlocalize), sign in and accept the terms.
  2. Download the release and unpack it into COURSE_DATA_DIR/chexlocalize/ so that it holds
     gt_segmentations_val.json and CheXpert-v1.0/valid/patient*/study*/view*_frontal.jpg.
  3. Run this script: it checks the files, decodes the masks (COCO RLE) and writes
     COURSE_DATA_DIR/chexlocalize.npz (images, masks, lungs, labels), which notebook 14 reads.
CheXlocalize has no lung masks: `lungs` is the whole film, so the pointing game's chance is the
mask's share of the film.
"""

from __future__ import annotations

import argparse

import numpy as np

from course_lib.datasets.chexlocalize import PATHOLOGIES, chexlocalize_dir, load_chexlocalize
from course_lib.setup import data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pathology", default="Consolidation", choices=PATHOLOGIES)
    parser.add_argument("--size", type=int, default=64, help="film and mask size in pixels")
    args = parser.parse_args()
    root = chexlocalize_dir()
    if not (root / "gt_segmentations_val.json").exists():
        raise SystemExit(f"No CheXlocalize release in {root}.\n" + __doc__.split("Steps:")[1])
    data = load_chexlocalize(root, root / "CheXpert-v1.0", args.pathology, args.size)
    labels = data["masks"].any(axis=(1, 2))
    out = data_dir() / "chexlocalize.npz"
    np.savez_compressed(out, images=data["images"], masks=data["masks"], lungs=np.ones_like(data["masks"]),
                        labels=labels, image_id=data["image_id"])
    print(f"wrote {out}: {len(labels)} films, {int(labels.sum())} with {args.pathology}")


if __name__ == "__main__":
    main()
