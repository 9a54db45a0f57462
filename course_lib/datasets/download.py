"""Resumable downloads with checksums, for the fetch scripts in data_scripts/ (notebook 05)."""

from __future__ import annotations

import hashlib
import urllib.request
from pathlib import Path

CHUNK = 1 << 20  # 1 MiB


def sha256sum(path: Path) -> str:
    """SHA-256 of a file, read in chunks (works for multi-GB archives)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest: Path, sha256: str | None = None, progress: bool = True) -> Path:
    """Download url to dest, resuming a partial `dest.part` with an HTTP Range request.

    If `sha256` is given the finished file must match it (else it is deleted and an error
    names both checksums). Nothing is fetched when dest already exists and matches.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and (sha256 is None or sha256sum(dest) == sha256):
        return dest
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (https URL we chose)
        if have and response.status != 206:  # the server ignored Range: start again
            have = 0
        total = have + int(response.headers.get("Content-Length", 0))
        bar = _bar(total, have, dest.name, progress)
        with open(part, "ab" if have else "wb") as f:
            for block in iter(lambda: response.read(CHUNK), b""):
                f.write(block)
                bar.update(len(block))
        bar.close()
    if sha256 is not None:
        got = sha256sum(part)
        if got != sha256:
            part.unlink()
            raise ValueError(f"{dest.name}: SHA-256 {got} does not match the published {sha256}; "
                             "the partial file was deleted, run the command again.")
    part.replace(dest)
    return dest


def _bar(total: int, initial: int, name: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total or None, initial=initial, unit="B", unit_scale=True, desc=name,
                disable=not enabled)


def verify_sha256sums(folder: Path, sums_file: str = "SHA256SUMS.txt") -> int:
    """Check every file listed in a PhysioNet-style SHA256SUMS.txt; returns how many were checked."""
    folder = Path(folder)
    listing = folder / sums_file
    if not listing.exists():
        raise FileNotFoundError(f"{listing} is missing: the archive is incomplete; fetch it again.")
    bad, count = [], 0
    for line in listing.read_text().splitlines():
        if not line.strip():
            continue
        want, name = line.split(maxsplit=1)
        path = folder / name.strip().lstrip("*")
        count += 1
        if not path.exists() or sha256sum(path) != want:
            bad.append(name.strip())
    if bad:
        raise ValueError(f"{len(bad)} of {count} files in {folder} are missing or corrupt "
                         f"(first: {bad[:3]}); delete the folder and fetch again.")
    return count


def physionet_login(access: str) -> None:
    """HTTP basic authentication for physionet.org, as `wget --user --ask-password` (the MIMIC fetch scripts).

    Reads PHYSIONET_USER (and PHYSIONET_PASSWORD, or asks); without a user, exits with `access`, the message
    that says how to get credentialed access.
    """
    import getpass
    import os

    user = os.environ.get("PHYSIONET_USER")
    if not user:
        raise SystemExit(access)
    password = os.environ.get("PHYSIONET_PASSWORD") or getpass.getpass(f"PhysioNet password for {user}: ")
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, "https://physionet.org/", user, password)
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager)))
