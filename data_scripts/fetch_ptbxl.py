"""Fetch PTB-XL 1.0.3 from PhysioNet into COURSE_DATA_DIR/ptbxl (1.7 GB zip, open access).

Usage: python data_scripts/fetch_ptbxl.py [--keep-zip]

Resumable: an interrupted download continues where it stopped (HTTP Range). Integrity:
PhysioNet does not publish a checksum of the zip itself, so after extraction every file
is verified against the SHA256SUMS.txt that the archive contains (PhysioNet's convention).
"""

from __future__ import annotations

import argparse
import shutil
import zipfile

from course_lib.datasets.download import download, verify_sha256sums
from course_lib.datasets.ptbxl import ptbxl_available, ptbxl_dir

URL = ("https://physionet.org/static/published-projects/ptb-xl/"
       "ptb-xl-a-large-publicly-available-electrocardiography-dataset-1.0.3.zip")
TOP = "ptb-xl-a-large-publicly-available-electrocardiography-dataset-1.0.3/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-zip", action="store_true", help="keep the zip after extracting")
    args = parser.parse_args()
    target = ptbxl_dir()
    if ptbxl_available(target) and (target / "records100").is_dir():
        print(f"PTB-XL is already in {target}")
        return
    archive = download(URL, target.parent / "ptbxl-1.0.3.zip")
    print(f"extracting into {target} ...")
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            name = member.filename.removeprefix(TOP)
            if not name or member.is_dir():
                continue
            out = target / name
            if ".." in out.parts:  # never write outside the target folder
                raise ValueError(f"unsafe path in archive: {member.filename}")
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
    print(f"verified {verify_sha256sums(target)} files against SHA256SUMS.txt")
    if not args.keep_zip:
        archive.unlink()
    print(f"PTB-XL is ready in {target}")


if __name__ == "__main__":
    main()
