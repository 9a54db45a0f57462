"""Whole-slide images through OpenSlide, ASAP/CAMELYON annotations, and patch bags (notebook 04).

Works on any OpenSlide-readable slide (Aperio .svs, Hamamatsu .ndpi, Philips/generic tiled .tiff, ...),
e.g. CAMELYON16 (fetch with data_scripts/fetch_camelyon16.py) or the course's synthetic slides.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.setup import data_dir

CAMELYON16_FOLDER = "camelyon16"
TUMOUR_GROUPS = ("_0", "_1", "Tumor", "tumor")  # CAMELYON16 XML groups that mark metastasis
EXCLUDE_GROUPS = ("_2", "Exclusion")  # regions inside a tumour annotation that are NOT tumour


def open_slide(path: str | Path):
    """Open a whole-slide image with OpenSlide, with a clear message when it cannot (notebook 04)."""
    import openslide

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No slide at {path}. Check the path, or fetch slides with data_scripts/.")
    try:
        return openslide.OpenSlide(str(path))
    except openslide.OpenSlideUnsupportedFormatError as err:
        raise ValueError(f"{path.name} is not a slide format OpenSlide reads (svs, ndpi, mrxs, tiled tiff, ...): "
                         f"{err}") from err


def slide_summary(slide) -> pd.DataFrame:
    """One row per pyramid level: size, downsample, um per pixel and uncompressed RGB size (notebook 04)."""
    mpp = float(slide.properties.get("openslide.mpp-x", "nan"))
    rows = [{"level": i, "width": w, "height": h, "downsample": ds, "um_per_px": mpp * ds,
             "RGB_MB": w * h * 3 / 1e6}
            for i, ((w, h), ds) in enumerate(zip(slide.level_dimensions, slide.level_downsamples, strict=True))]
    return pd.DataFrame(rows).set_index("level")


def read_patches(slide, coords: pd.DataFrame, patch_px: int, level: int = 0) -> np.ndarray:
    """RGB patches (N, p, p, 3) uint8 at `level`, from level-0 corners (x, y), one read_region each."""
    out = np.empty((len(coords), patch_px, patch_px, 3), np.uint8)
    for i, (x, y) in enumerate(zip(coords["x"], coords["y"], strict=True)):
        out[i] = np.asarray(slide.read_region((int(x), int(y)), level, (patch_px, patch_px)))[..., :3]
    return out


# --- ASAP XML annotations (CAMELYON16/17) ------------------------------------------------------


def read_asap_xml(path: str | Path) -> pd.DataFrame:
    """Polygons of an ASAP annotation file: one row per vertex (name, group, order, x, y) in level-0 px."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path.name} is not valid XML ({err}); CAMELYON annotations are ASAP XML files") from err
    rows = []
    for ann in root.iter("Annotation"):
        for c in ann.iter("Coordinate"):
            rows.append({"name": ann.get("Name"), "group": ann.get("PartOfGroup"), "type": ann.get("Type"),
                         "order": int(c.get("Order")), "x": float(c.get("X").replace(",", ".")),
                         "y": float(c.get("Y").replace(",", "."))})
    if not rows:
        raise ValueError(f"{path.name} has no <Annotation>/<Coordinate> elements: not an ASAP annotation file")
    return pd.DataFrame(rows).sort_values(["name", "order"], kind="stable").reset_index(drop=True)


def write_asap_xml(path: str | Path, polygons: dict[str, np.ndarray], group: str = "_0") -> None:
    """Write polygons {name: (K, 2) level-0 x, y} as an ASAP XML file (tests and synthetic slides)."""
    root = ET.Element("ASAP_Annotations")
    anns = ET.SubElement(root, "Annotations")
    for name, pts in polygons.items():
        a = ET.SubElement(anns, "Annotation", Name=name, Type="Polygon", PartOfGroup=group, Color="#F4FA58")
        coords = ET.SubElement(a, "Coordinates")
        for k, (x, y) in enumerate(np.asarray(pts, float)):
            ET.SubElement(coords, "Coordinate", Order=str(k), X=f"{x:.4f}", Y=f"{y:.4f}")
    groups = ET.SubElement(root, "AnnotationGroups")
    ET.SubElement(groups, "Group", Name=group, PartOfGroup="None", Color="#64FE2E")
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def annotation_mask(ann: pd.DataFrame, shape: tuple[int, int], downsample: float) -> np.ndarray:
    """Tumour mask (H, W) at a downsample from ASAP polygons: tumour groups minus exclusion groups."""
    from skimage.draw import polygon

    mask = np.zeros(shape, bool)
    for fill, groups in [(True, TUMOUR_GROUPS), (False, EXCLUDE_GROUPS)]:
        for _, poly in ann[ann["group"].isin(groups)].groupby("name", sort=False):
            rr, cc = polygon(poly["y"].to_numpy() / downsample, poly["x"].to_numpy() / downsample, shape)
            mask[rr, cc] = fill
    return mask


def camelyon16_dir() -> Path:
    """Where CAMELYON16 goes: $COURSE_DATA_DIR/camelyon16 (images/*.tif, annotations/*.xml)."""
    return data_dir() / CAMELYON16_FOLDER


def camelyon16_available() -> bool:
    """Whether at least one CAMELYON16 slide is present."""
    return any((camelyon16_dir() / "images").glob("*.tif")) if (camelyon16_dir() / "images").is_dir() else False


def camelyon16_slides() -> pd.DataFrame:
    """The CAMELYON16 slides present: path, annotation path (or None), label from the name (notebook 04)."""
    rows = []
    for p in sorted((camelyon16_dir() / "images").glob("*.tif")):
        xml = camelyon16_dir() / "annotations" / f"{p.stem}.xml"
        rows.append({"slide": p.stem, "path": p, "annotation": xml if xml.exists() else None,
                     "tumour": p.stem.startswith("tumor") or xml.exists()})
    return pd.DataFrame(rows, columns=["slide", "path", "annotation", "tumour"])
