"""Put Cholec80 (80 cholecystectomy videos, phase and tool annotations) into COURSE_DATA_DIR/cholec80.

Usage:
    python data_scripts/fetch_cholec80.py --archive /path/to/cholec80.zip     # an archive you downloaded
    python data_scripts/fetch_cholec80.py --url "<the link you were sent>"    # resumable download
    [--sha256 HEX]  check the archive against a checksum you were given

Cholec80 is not openly downloadable: its authors (the CAMMA group, University of Strasbourg) share it on
request, under their licence terms, with a personal download link. This script never guesses a link.
After extracting, it checks the layout the course's loader reads (videos/videoNN.mp4,
phase_annotations/videoNN-phase.txt, tool_annotations/videoNN-tool.txt) and counts the files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

from course_lib.datasets.download import download, sha256sum
from course_lib.datasets.video import cholec80_available, cholec80_dir, video_ids

ACCESS = ("Cholec80 needs permission from its authors. Request access from the CAMMA group (University of "
          "Strasbourg; see Twinanda et al., EndoNet, IEEE TMI 2017), accept their licence, then run this "
          "script with --archive (the file you downloaded) or --url (your personal link).")
FOLDERS = ("videos", "phase_annotations", "tool_annotations")


def _members(archive: Path):
    """(name, opener) for every file of a zip or tar archive."""
    if zipfile.is_zipfile(archive):
        zf = zipfile.ZipFile(archive)
        return [(m.filename, (lambda m=m: zf.open(m))) for m in zf.infolist() if not m.is_dir()]
    if tarfile.is_tarfile(archive):
        tf = tarfile.open(archive)
        return [(m.name, (lambda m=m: tf.extractfile(m))) for m in tf.getmembers() if m.isfile()]
    raise ValueError(f"{archive} is neither a zip nor a tar archive")


def extract(archive: Path, target: Path) -> int:
    """Copy the Cholec80 folders out of the archive (whatever its top folder), safely; returns the count."""
    count = 0
    for name, opener in _members(archive):
        parts = Path(name).parts
        hits = [i for i, p in enumerate(parts) if p in FOLDERS]
        if not hits or ".." in parts:
            continue
        out = target.joinpath(*parts[hits[0]:])
        out.parent.mkdir(parents=True, exist_ok=True)
        with opener() as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        count += 1
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="a Cholec80 zip/tar you already downloaded")
    parser.add_argument("--url", help="your personal download link (resumable)")
    parser.add_argument("--sha256", help="expected SHA-256 of the archive, if you were given one")
    args = parser.parse_args(argv)
    target = cholec80_dir()
    if cholec80_available(target):
        print(f"Cholec80 is already in {target} ({len(video_ids(target))} videos)")
        return 0
    if not args.archive and not args.url:
        print(ACCESS, file=sys.stderr)
        return 2
    archive = args.archive
    if args.url:
        archive = download(args.url, target.parent / "cholec80-archive", sha256=args.sha256)
    elif args.sha256 and sha256sum(archive) != args.sha256:
        print(f"{archive}: SHA-256 differs from {args.sha256}; download it again.", file=sys.stderr)
        return 1
    n = extract(Path(archive), target)
    ids = video_ids(target)
    print(f"extracted {n} files into {target}: {len(ids)} videos with phase annotations, "
          f"{len(list((target / 'tool_annotations').glob('*-tool.txt')))} tool annotation files")
    if len(ids) != 80:
        print(f"warning: Cholec80 has 80 videos, found {len(ids)}; is the archive complete?", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
