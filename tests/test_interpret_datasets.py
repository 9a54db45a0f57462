"""CheXlocalize reader on a format-exact fixture: COCO compressed RLE in the release's JSON, JPEGs in CheXpert's tree."""

import json

import numpy as np
import pytest
from PIL import Image

from course_lib.datasets.chexlocalize import decode_rle, image_path, load_chexlocalize, rle_counts


def encode_rle(mask: np.ndarray) -> dict:
    """pycocotools' encode + rleToString, written out: column-major runs starting with 0s, 5-bit groups."""
    flat = mask.T.ravel().astype(bool)  # Fortran order
    counts, current, run = [], False, 0
    for v in flat:
        if v == current:
            run += 1
        else:
            counts.append(run)
            current, run = v, 1
    counts.append(run)
    chars = []
    for i, x in enumerate(counts):
        if i > 2:
            x -= counts[i - 2]
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            chars.append(chr(c + 48))
    return {"size": list(mask.shape), "counts": "".join(chars)}


def test_known_strings():
    assert rle_counts("4") == [4]
    assert decode_rle({"size": [2, 2], "counts": "22"}).tolist() == [[False, True], [False, True]]
    assert decode_rle({"size": [2, 2], "counts": [1, 3]}).tolist() == [[False, True], [True, True]]
    with pytest.raises(ValueError, match="add up"):
        decode_rle({"size": [3, 3], "counts": "22"})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_trip_with_negative_differences(seed):
    rng = np.random.default_rng(seed)
    mask = np.zeros((40, 30), bool)
    for _ in range(4):
        r, c = rng.integers(0, 35, 2)
        mask[r:r + rng.integers(1, 6), c:c + rng.integers(1, 30)] = True
    assert np.array_equal(decode_rle(encode_rle(mask)), mask)
    big = np.zeros((320, 390), bool)
    big[100:300, 20:200] = True  # long runs: several 5-bit groups per number
    assert np.array_equal(decode_rle(encode_rle(big)), big)


def test_load_release_fixture(tmp_path):
    release, chexpert = tmp_path / "chexlocalize", tmp_path / "chexlocalize" / "CheXpert-v1.0"
    ids = ["patient64541_study1_view1_frontal", "patient64542_study1_view1_frontal"]
    segs = {}
    for k, image_id in enumerate(ids):
        film = np.full((120, 100), 40, np.uint8)
        mask = np.zeros((120, 100), bool)
        if k == 0:
            mask[30:60, 10:40] = True
            film[mask] = 220
        path = image_path(chexpert, image_id)
        path.parent.mkdir(parents=True)
        Image.fromarray(film).save(path, quality=95)
        segs[image_id] = {"Consolidation": encode_rle(mask), "Edema": encode_rle(np.zeros_like(mask))}
    release.mkdir(exist_ok=True)
    (release / "gt_segmentations_val.json").write_text(json.dumps(segs))
    data = load_chexlocalize(release, chexpert, "Consolidation", size=20)
    assert data["images"].shape == (2, 20, 20) and data["masks"].shape == (2, 20, 20)
    assert data["masks"][0].any() and not data["masks"][1].any()
    assert data["images"][0][data["masks"][0]].mean() > 0.7 > 0.3 > data["images"][1].mean()
    assert str(image_path(chexpert, ids[0])).endswith("valid/patient64541/study1/view1_frontal.jpg")
    with pytest.raises(ValueError, match="unknown pathology"):
        load_chexlocalize(release, chexpert, "Pneumonia")
    with pytest.raises(FileNotFoundError, match="fetch_chexlocalize"):
        load_chexlocalize(tmp_path / "nowhere", chexpert)
