"""Fetch a Medical Segmentation Decathlon task into COURSE_DATA_DIR/decathlon/<task> (notebook 09).

Usage: python data_scripts/fetch_decathlon.py [--task Task09_Spleen] [--keep-tar]

Open access (CC-BY-SA 4.0). The tar archives are the copies MONAI's DecathlonDataset downloads,
checked against the MD5 sums MONAI publishes for them (monai.apps.DecathlonDataset.md5).
Resumable: an interrupted download continues where it stopped (HTTP Range).
Sizes: Task09_Spleen 1.5 GB, Task06_Lung 8.5 GB, Task01_BrainTumour 7.1 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import tarfile

from course_lib.datasets.download import download
from course_lib.datasets.volume import decathlon_available, decathlon_dir

BASE = "https://msd-for-monai.s3-us-west-2.amazonaws.com/"
MD5 = {  # as published in monai.apps.datasets.DecathlonDataset.md5 (MONAI 1.6)
    "Task01_BrainTumour": "240a19d752f0d9e9101544901065d872",
    "Task02_Heart": "06ee59366e1e5124267b774dbd654057",
    "Task03_Liver": "a90ec6c4aa7f6a3d087205e23d4e6397",
    "Task04_Hippocampus": "9d24dba78a72977dbd1d2e110310f31b",
    "Task05_Prostate": "35138f08b1efaef89d7424d2bcc928db",
    "Task06_Lung": "8afd997733c7fc0432f71255ba4e52dc",
    "Task07_Pancreas": "4f7080cfca169fa8066d17ce6eb061e4",
    "Task08_HepaticVessel": "641d79e80ec66453921d997fbf12a29c",
    "Task09_Spleen": "410d4a301da4e5b2f6f86ec3ddba524e",
    "Task10_Colon": "bad7a188931dc2f6acf72b08eb6202d0",
}


def md5sum(path) -> str:
    """MD5 of a file, read in 1 MiB chunks."""
    digest = hashlib.md5()  # noqa: S324 (integrity check against a published MD5, not security)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="Task09_Spleen", choices=sorted(MD5))
    parser.add_argument("--keep-tar", action="store_true", help="keep the archive after extracting")
    args = parser.parse_args()
    target = decathlon_dir(args.task)
    if decathlon_available(args.task):
        print(f"{args.task} is already in {target}")
        return
    archive = download(BASE + f"{args.task}.tar", target.parent / f"{args.task}.tar")
    got = md5sum(archive)
    if got != MD5[args.task]:
        archive.unlink()
        raise SystemExit(f"{archive.name}: MD5 {got} does not match the published {MD5[args.task]}; "
                         "the file was deleted, run the command again.")
    print(f"MD5 verified; extracting into {target.parent} ...")
    with tarfile.open(archive) as tar:
        tar.extractall(target.parent, filter="data")  # "data" refuses paths outside the folder
    if not args.keep_tar:
        archive.unlink()
    print(f"{args.task} is ready in {target}")


if __name__ == "__main__":
    main()
