"""Fetch a subset of MIMIC-CXR-JPG 2.1.0 (+ MIMIC-CXR 2.1.0 reports) into COURSE_DATA_DIR/mimic-cxr.

Usage:
    PHYSIONET_USER=you python data_scripts/fetch_mimic_cxr.py [--studies 2000] [--split train]
    (the password is asked for, or read from PHYSIONET_PASSWORD)

MIMIC-CXR is credentialed: a PhysioNet account with completed CITI training and the signed data use
agreement of BOTH projects (mimic-cxr-jpg for the films and labels, mimic-cxr for the report text).
The full JPG set is about 570 GB; this script fetches the three label/metadata tables, the reports
zip, and the frontal film of the first N studies of a split, each checked against the project's
SHA256SUMS.txt, resumable. Then it writes reports.csv in notebook 16's layout
(patient_id, study_id, image, report, split, one column per CheXpert label).
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

from course_lib.datasets.download import download, physionet_login
from course_lib.datasets.handson import MIMIC_TABLES, mimic_image_path, write_mimic_folder
from course_lib.setup import data_dir

JPG = "https://physionet.org/files/mimic-cxr-jpg/2.1.0/"
CXR = "https://physionet.org/files/mimic-cxr/2.1.0/"
ACCESS = ("MIMIC-CXR needs credentialed PhysioNet access: create an account, complete the CITI 'Data or "
          "Specimens Only Research' course, and sign the data use agreements of "
          "https://physionet.org/content/mimic-cxr-jpg/2.1.0/ and https://physionet.org/content/mimic-cxr/2.1.0/. "
          "Then set PHYSIONET_USER (and PHYSIONET_PASSWORD, or type it when asked).")



def _sums(base: str, target: Path) -> dict[str, str]:
    """The project's SHA256SUMS.txt as {relative path: sha256}."""
    listing = download(base + "SHA256SUMS.txt", target / "SHA256SUMS.txt", progress=False)
    return {name.strip().lstrip("*"): want for want, name in
            (line.split(maxsplit=1) for line in listing.read_text().splitlines() if line.strip())}


def _get(base: str, rel: str, target: Path, sums: dict[str, str]) -> Path:
    """Download one file of a project, checked against its published SHA-256."""
    if rel not in sums:
        raise SystemExit(f"{rel} is not listed in {base}SHA256SUMS.txt: the project layout changed?")
    return download(base + rel, target / rel, sha256=sums[rel], progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=2000, help="frontal films to fetch (one per study)")
    parser.add_argument("--split", default="train", choices=["train", "validate", "test"])
    args = parser.parse_args()
    target = data_dir() / "mimic-cxr"
    target.mkdir(parents=True, exist_ok=True)
    physionet_login(ACCESS)
    try:
        jpg_sums = _sums(JPG, target)
    except Exception as err:  # noqa: BLE001 - 401/403: not credentialed for this project
        raise SystemExit(f"cannot read {JPG} ({err}).\n{ACCESS}") from None
    for table in MIMIC_TABLES.values():
        _get(JPG, table, target, jpg_sums)
    cxr_sums = _sums(CXR, target / "reports")
    reports_zip = _get(CXR, "mimic-cxr-reports.zip", target / "reports", cxr_sums)
    with zipfile.ZipFile(reports_zip) as zf:  # files/p10/p10000032/s50414267.txt ...
        for member in zf.namelist():
            if ".." in Path(member).parts:
                raise ValueError(f"unsafe path in archive: {member}")
        zf.extractall(target / "reports")

    import pandas as pd

    meta = pd.read_csv(target / MIMIC_TABLES["metadata"])
    split = pd.read_csv(target / MIMIC_TABLES["split"])
    films = meta.merge(split[["dicom_id", "split"]], on="dicom_id")
    films = films[(films["split"] == args.split) & films["ViewPosition"].isin(["PA", "AP"])]
    films = films.sort_values(["study_id", "dicom_id"]).drop_duplicates("study_id").head(args.studies)
    for k, r in enumerate(films.itertuples(index=False), 1):
        _get(JPG, mimic_image_path(r.subject_id, r.study_id, r.dicom_id), target, jpg_sums)
        if k % 200 == 0:
            print(f"{k}/{len(films)} films fetched and verified")
    csv = write_mimic_folder(target, target / "reports", split=args.split)
    print(f"MIMIC-CXR-JPG subset ready: {len(films)} films, {csv}")


if __name__ == "__main__":
    main()
