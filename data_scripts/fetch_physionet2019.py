"""Fetch the PhysioNet/CinC 2019 sepsis challenge training set into COURSE_DATA_DIR/physionet2019 (open access).

Usage: python data_scripts/fetch_physionet2019.py [--max-patients N] [--sets training_setA training_setB]

40,336 small pipe-separated files (~ 40 MB in all). The project's SHA256SUMS.txt is fetched
first; every patient file is then downloaded and checked against it. Resumable: files that
are already present with the right checksum are skipped, so an interrupted run continues.
"""

from __future__ import annotations

import argparse
import urllib.request

from course_lib.datasets.download import download, sha256sum
from course_lib.datasets.vitals import physionet2019_dir

BASE = "https://physionet.org/files/challenge-2019/1.0.0/"


def checksums(target) -> dict[str, str]:
    """{relative path: sha256} from the project's SHA256SUMS.txt (PhysioNet's convention)."""
    listing = target / "SHA256SUMS.txt"
    if not listing.exists():
        with urllib.request.urlopen(BASE + "SHA256SUMS.txt", timeout=60) as response:  # noqa: S310
            listing.write_bytes(response.read())
    sums = {}
    for line in listing.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest
    return sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-patients", type=int, default=None, help="per set, for a quick start")
    parser.add_argument("--sets", nargs="+", default=["training_setA", "training_setB"])
    args = parser.parse_args()
    target = physionet2019_dir()
    target.mkdir(parents=True, exist_ok=True)
    sums = checksums(target)
    fetched = skipped = 0
    for name in args.sets:
        files = sorted(k for k in sums if k.startswith(f"training/{name}/") and k.endswith(".psv"))
        if not files:
            raise SystemExit(f"{name} is not listed in SHA256SUMS.txt; choose from training_setA, training_setB")
        for rel in files[: args.max_patients]:
            dest = target / rel.removeprefix("training/")
            if dest.exists() and sha256sum(dest) == sums[rel]:
                skipped += 1
                continue
            download(BASE + rel, dest, sha256=sums[rel], progress=False)
            fetched += 1
            if fetched % 500 == 0:
                print(f"{fetched} files fetched ...")
    print(f"PhysioNet 2019 in {target}: {fetched} fetched, {skipped} already present (all SHA-256 checked)")


if __name__ == "__main__":
    main()
