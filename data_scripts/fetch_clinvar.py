"""Fetch ClinVar's GRCh38 VCF from NCBI into COURSE_DATA_DIR/clinvar (~150 MB, public domain).

Usage: python data_scripts/fetch_clinvar.py

Resumable: an interrupted download continues where it stopped (HTTP Range). Integrity: NCBI
publishes an MD5 checksum beside every file (clinvar.vcf.gz.md5); the download must match it.
ClinVar is updated weekly, so the checksum is read fresh on every run.
"""

from __future__ import annotations

import hashlib
import urllib.request

from course_lib.datasets.download import download
from course_lib.datasets.genomics import clinvar_available, clinvar_dir

URL = "https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh38/clinvar.vcf.gz"


def md5sum(path) -> str:
    """MD5 of a file, read in 1 MiB blocks."""
    digest = hashlib.md5()  # noqa: S324 (NCBI publishes MD5, not SHA-256)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    target = clinvar_dir()
    with urllib.request.urlopen(URL + ".md5", timeout=60) as response:  # noqa: S310 (NCBI https)
        published = response.read().decode().split()[0]
    dest = target / "clinvar.vcf.gz"
    if clinvar_available(target) and md5sum(dest) == published:
        print(f"ClinVar is already in {target} (MD5 {published})")
        return
    if dest.exists():
        dest.unlink()  # an older weekly release: fetch the current one
    download(URL, dest)
    got = md5sum(dest)
    if got != published:
        dest.unlink()
        raise SystemExit(f"clinvar.vcf.gz: MD5 {got} does not match NCBI's {published}; run again.")
    print(f"ClinVar is ready in {target} (MD5 {published} verified)")


if __name__ == "__main__":
    main()
