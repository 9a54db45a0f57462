"""Fetch MIMIC-IV-ED 2.2 (edstays, triage, vitalsign) into COURSE_DATA_DIR/mimic-iv-ed/ed.

Usage:
    PHYSIONET_USER=you python data_scripts/fetch_mimic_ed.py
    (the password is asked for, or read from PHYSIONET_PASSWORD)

MIMIC-IV-ED is credentialed: a PhysioNet account with completed CITI training and the signed data
use agreement of https://physionet.org/content/mimic-iv-ed/2.2/. The three tables notebook 15 reads
are fetched, each checked against the project's SHA256SUMS.txt, resumable.
"""

from __future__ import annotations

from course_lib.datasets.download import download, physionet_login
from course_lib.setup import data_dir

BASE = "https://physionet.org/files/mimic-iv-ed/2.2/"
FILES = ("ed/edstays.csv.gz", "ed/triage.csv.gz", "ed/vitalsign.csv.gz")
ACCESS = ("MIMIC-IV-ED needs credentialed PhysioNet access: create an account, complete the CITI 'Data or "
          "Specimens Only Research' course, and sign the data use agreement of "
          "https://physionet.org/content/mimic-iv-ed/2.2/. Then set PHYSIONET_USER (and PHYSIONET_PASSWORD, "
          "or type it when asked).")



def main() -> None:
    target = data_dir() / "mimic-iv-ed"
    target.mkdir(parents=True, exist_ok=True)
    physionet_login(ACCESS)
    try:
        listing = download(BASE + "SHA256SUMS.txt", target / "SHA256SUMS.txt", progress=False)
    except Exception as err:  # noqa: BLE001 - 401/403: not credentialed for this project
        raise SystemExit(f"cannot read {BASE} ({err}).\n{ACCESS}") from None
    sums = {name.strip().lstrip("*"): want for want, name in
            (line.split(maxsplit=1) for line in listing.read_text().splitlines() if line.strip())}
    for rel in FILES:
        if rel not in sums:
            raise SystemExit(f"{rel} is not listed in {BASE}SHA256SUMS.txt: the project layout changed?")
        download(BASE + rel, target / rel, sha256=sums[rel], progress=False)
        print(f"ok {rel}")
    print(f"MIMIC-IV-ED tables in {target / 'ed'}: notebook 15's real-data section will use them.")


if __name__ == "__main__":
    main()
