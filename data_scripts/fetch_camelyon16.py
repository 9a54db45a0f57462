"""Fetch a subset of CAMELYON16 (H&E lymph-node whole-slide images + ASAP XML annotations) into COURSE_DATA_DIR/camelyon16.

Usage: python data_scripts/fetch_camelyon16.py [--slides tumor_001 normal_001 ...] [--base-url URL]

CAMELYON16 (CC0): 399 slides from Radboud UMC and UMC Utrecht, ~900 GB in all; one slide is
up to a few GB (generic tiled TIFF). Fetch a FEW slides: the default is two
tumour slides and two normal ones (several GB). Source: the dataset's AWS Open Data bucket (also on
GigaScience DB 10.5524/100439 and the challenge's Google Drive; pass another --base-url that keeps
the same folder layout). Integrity: every file is checked against the MD5 list (checksums.md5)
that the dataset publishes. Resumable: an interrupted download continues (HTTP Range).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from course_lib.datasets.download import CHUNK, download
from course_lib.datasets.pathology import camelyon16_dir

BASE_URL = "https://camelyon-dataset.s3.amazonaws.com/CAMELYON16"
DEFAULT_SLIDES = ("tumor_001", "tumor_002", "normal_001", "normal_002")


def md5sum(path: Path) -> str:
    """MD5 of a file, read in chunks."""
    digest = hashlib.md5()  # noqa: S324 (integrity check against the dataset's published MD5s)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def read_checksums(path: Path) -> dict[str, str]:
    """checksums.md5 lines 'md5  relative/path' -> {relative/path: md5}."""
    out = {}
    for line in path.read_text().splitlines():
        if line.strip():
            want, name = line.split(maxsplit=1)
            out[name.strip().lstrip("*").removeprefix("./")] = want
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slides", nargs="+", default=list(DEFAULT_SLIDES), help="slide names, e.g. tumor_001")
    parser.add_argument("--base-url", default=BASE_URL, help="mirror with images/ and annotations/ folders")
    args = parser.parse_args()
    target = camelyon16_dir()
    try:
        sums = read_checksums(download(f"{args.base_url}/checksums.md5", target / "checksums.md5"))
    except OSError as err:
        raise SystemExit(f"Could not fetch checksums.md5 from {args.base_url} ({err}). Check your connection "
                         "or pass --base-url of a mirror (see the docstring).") from err
    for name in args.slides:
        files = [f"images/{name}.tif"] + ([f"annotations/{name}.xml"] if name.startswith("tumor") else [])
        for rel in files:
            key = next((k for k in sums if k.endswith(rel)), None)
            if key is None:
                raise SystemExit(f"{rel} is not in checksums.md5: is '{name}' a CAMELYON16 slide name?")
            dest = download(f"{args.base_url}/{key}", target / rel)
            if md5sum(dest) != sums[key]:
                dest.unlink()
                raise SystemExit(f"{rel}: MD5 does not match the published one; deleted, run again.")
            print(f"ok  {rel}  ({dest.stat().st_size / 1e9:.2f} GB)")
    print(f"CAMELYON16 subset ready in {target}")


if __name__ == "__main__":
    main()
