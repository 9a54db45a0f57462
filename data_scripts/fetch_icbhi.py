"""Fetch the ICBHI 2017 Respiratory Sound Database into COURSE_DATA_DIR/icbhi2017 (open access).

Usage: python data_scripts/fetch_icbhi.py [--sha256 HEX] [--keep-zip]

Resumable: an interrupted download continues where it stopped (HTTP Range). Integrity: the
challenge site publishes no checksum, so the script (1) checks the archive against the
database paper's counts (920 recordings, each a .wav with its .txt annotation, 126 patients,
6,898 cycles) and the official split file, and (2) prints the zip's SHA-256 and writes it to
SHA256SUMS.txt next to the data; pass --sha256 to pin a value you trust (e.g. a colleague's).
"""

from __future__ import annotations

import argparse
import shutil
import zipfile
from pathlib import Path

from course_lib.datasets.download import download, sha256sum
from course_lib.datasets.icbhi import (
    DIAGNOSIS_FILE,
    N_CYCLES,
    N_PATIENTS,
    N_RECORDINGS,
    SPLIT_FILE,
    icbhi_available,
    icbhi_dir,
    parse_name,
    read_cycles,
    read_split,
)

BASE = "https://bhichallenge.med.auth.gr/sites/default/files/ICBHI_final_database/"
ZIP = "ICBHI_final_database.zip"


def check(root: Path) -> str:
    """Compare the extracted database with the published counts; raise on a mismatch."""
    wavs = sorted(root.rglob("*.wav"))
    names = {p.stem for p in wavs}
    missing_txt = [p.name for p in wavs if not p.with_suffix(".txt").exists()]
    patients = {parse_name(n)["patient"] for n in names}
    cycles = sum(len(read_cycles(p.with_suffix(".txt"))) for p in wavs if p.with_suffix(".txt").exists())
    split = read_split(root)
    problems = []
    if len(wavs) != N_RECORDINGS or missing_txt:
        problems.append(f"{len(wavs)} recordings (expected {N_RECORDINGS}), {len(missing_txt)} without .txt")
    if len(patients) != N_PATIENTS or cycles != N_CYCLES:
        problems.append(f"{len(patients)} patients, {cycles} cycles (expected {N_PATIENTS}, {N_CYCLES})")
    if set(split.index) != names:
        problems.append(f"{SPLIT_FILE} names {len(set(split.index) ^ names)} recordings that differ")
    if problems:
        raise ValueError("the ICBHI download looks incomplete or changed: " + "; ".join(problems)
                         + f". Delete {root} and run the script again.")
    return f"{len(wavs)} recordings, {len(patients)} patients, {cycles} cycles, split {split.value_counts().to_dict()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sha256", help="expected SHA-256 of the zip (optional: none is published)")
    parser.add_argument("--keep-zip", action="store_true", help="keep the zip after extracting")
    args = parser.parse_args()
    target = icbhi_dir()
    if icbhi_available(target):
        print(f"ICBHI 2017 is already in {target}: {check(target)}")
        return
    target.mkdir(parents=True, exist_ok=True)
    for name in (SPLIT_FILE, DIAGNOSIS_FILE):
        download(BASE + name, target / name)
    archive = download(BASE + ZIP, target.parent / ZIP, sha256=args.sha256)
    digest = sha256sum(archive)
    print(f"extracting into {target} ...")
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            name = Path(member.filename).name
            if member.is_dir() or not name.endswith((".wav", ".txt")):
                continue
            with zf.open(member) as src, open(target / name, "wb") as dst:  # flat: no paths from the zip
                shutil.copyfileobj(src, dst)
    (target / "SHA256SUMS.txt").write_text(f"{digest}  {ZIP}\n")
    print(f"checked: {check(target)}; zip SHA-256 {digest}")
    if not args.keep_zip:
        archive.unlink()
    print(f"ICBHI 2017 is ready in {target}")


if __name__ == "__main__":
    main()
