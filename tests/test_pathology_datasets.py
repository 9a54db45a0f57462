"""Notebook 04's slide loader and ASAP (CAMELYON) annotations, on files written in the real formats."""

import numpy as np
import pytest

from course_lib.datasets import pathology as wsi
from course_lib.preprocess.pathology import slide_bag
from course_lib.synth import pathology as synth


def test_asap_xml_round_trip_and_mask_with_exclusion(tmp_path):
    square = np.array([[100, 100], [500, 100], [500, 500], [100, 500]], float)
    hole = np.array([[200, 200], [300, 200], [300, 300], [200, 300]], float)
    path = tmp_path / "tumor_001.xml"
    wsi.write_asap_xml(path, {"Annotation 0": square})
    text = path.read_text()
    assert "<ASAP_Annotations>" in text and 'PartOfGroup="_0"' in text and 'Order="3"' in text
    ann = wsi.read_asap_xml(path)
    assert len(ann) == 4 and ann["x"].tolist() == [100, 500, 500, 100]
    excl = tmp_path / "excl.xml"
    wsi.write_asap_xml(excl, {"Annotation 1": hole}, group="_2")  # CAMELYON16: _2 = not tumour
    both = __import__("pandas").concat([ann, wsi.read_asap_xml(excl)])
    mask = wsi.annotation_mask(both, (64, 64), downsample=10)
    assert mask[15, 15] and mask[45, 45] and not mask[25, 25] and not mask[5, 5]


def test_asap_reader_errors(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<not closed")
    with pytest.raises(ValueError, match="not valid XML"):
        wsi.read_asap_xml(bad)
    empty = tmp_path / "empty.xml"
    empty.write_text("<ASAP_Annotations/>")
    with pytest.raises(ValueError, match="no <Annotation>"):
        wsi.read_asap_xml(empty)


def test_open_slide_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No slide"):
        wsi.open_slide(tmp_path / "missing.tif")
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"not a tiff at all")
    with pytest.raises(ValueError, match="not a slide format"):
        wsi.open_slide(junk)


def test_slide_bag_summary_and_patches(tmp_path):
    s = synth.make_slide_cohort(tmp_path, n=2, seed=1, size=256)[1]
    slide = wsi.open_slide(s.path)
    summary = wsi.slide_summary(slide)
    assert summary["width"].tolist() == [256, 64] and summary["um_per_px"].tolist() == [2.0, 8.0]
    patches, grid = slide_bag(s.path, patch_px=32)
    assert patches.shape == (len(grid), 32, 32, 3) and 10 < len(grid) <= 64
    direct = wsi.read_patches(slide, grid.iloc[:3], 32)  # one read_region per patch gives the same pixels
    assert np.array_equal(direct, patches[:3])


def test_camelyon16_absent_and_present(data_dir, tmp_path):
    assert not wsi.camelyon16_available() and wsi.camelyon16_slides().empty
    images = wsi.camelyon16_dir() / "images"
    images.mkdir(parents=True)
    (images / "normal_001.tif").write_bytes(b"")
    (wsi.camelyon16_dir() / "annotations").mkdir()
    (images / "tumor_001.tif").write_bytes(b"")
    wsi.write_asap_xml(wsi.camelyon16_dir() / "annotations" / "tumor_001.xml", {"a": np.zeros((3, 2))})
    table = wsi.camelyon16_slides()
    assert wsi.camelyon16_available() and table["tumour"].tolist() == [False, True]
    assert table["annotation"].iloc[1].name == "tumor_001.xml"


def test_fetch_script_reads_the_checksum_list(tmp_path):
    import importlib.util

    from course_lib.datasets.registry import ROOT

    spec = importlib.util.spec_from_file_location("fetch_camelyon16", ROOT / "data_scripts" / "fetch_camelyon16.py")
    fetch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch)
    sums = tmp_path / "checksums.md5"
    sums.write_text("d41d8cd98f00b204e9800998ecf8427e  ./images/tumor_001.tif\n\nabc *annotations/tumor_001.xml\n")
    assert fetch.read_checksums(sums) == {"images/tumor_001.tif": "d41d8cd98f00b204e9800998ecf8427e",
                                          "annotations/tumor_001.xml": "abc"}
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert fetch.md5sum(empty) == "d41d8cd98f00b204e9800998ecf8427e"
