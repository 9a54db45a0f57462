"""Real report text that ships offline: IU chest X-ray reports (torchxrayvision), DICOM SR (pydicom) (notebook 03)."""

from __future__ import annotations

import importlib.util
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

IU_LICENCE = "CC BY-NC-ND 4.0 (Indiana University chest X-ray collection, Open-i, National Library of Medicine)"


def iu_reports_path() -> Path | None:
    """NLMCXR_reports.tgz inside the installed torchxrayvision wheel, or None if it is not installed (notebook 03)."""
    spec = importlib.util.find_spec("torchxrayvision")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "data" / "NLMCXR_reports.tgz"
    return path if path.exists() else None


def load_iu_reports(path: str | Path | None = None) -> pd.DataFrame:
    """The 3,955 Indiana University reports: one row each, the sections and the MeSH major terms (notebook 03).

    Columns: uid, COMPARISON, INDICATION, FINDINGS, IMPRESSION (empty string where absent), mesh
    (the indexers' terms joined by ';', e.g. 'Cardiomegaly/mild;Pleural Effusion/right').
    """
    path = Path(path) if path is not None else iu_reports_path()
    if path is None or not path.exists():
        raise FileNotFoundError("NLMCXR_reports.tgz not found: `pip install torchxrayvision==1.5.7` ships it, "
                                f"or pass the path of the file from Open-i ({IU_LICENCE})")
    rows = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(member).read())
            row = {"uid": root.find("uId").get("id")}
            for node in root.iter("AbstractText"):
                row[node.get("Label")] = (node.text or "").strip()
            row["mesh"] = ";".join(m.text or "" for m in root.iter("major"))
            rows.append(row)
    frame = pd.DataFrame(rows).fillna("")
    for col in ("COMPARISON", "INDICATION", "FINDINGS", "IMPRESSION"):
        if col not in frame:
            frame[col] = ""
    return frame[["uid", "COMPARISON", "INDICATION", "FINDINGS", "IMPRESSION", "mesh"]]


def iu_report_text(row) -> str:
    """One IU row in the cohort's layout, 'FINDINGS: ...' and 'IMPRESSION: ...' lines (notebook 03)."""
    return f"FINDINGS: {row['FINDINGS']}\nIMPRESSION: {row['IMPRESSION']}"


def _sr_value(item, kind: str) -> str:
    """The value of one SR content item, by its value type (TEXT, CODE, NUM with units, UIDREF)."""
    if kind == "TEXT":
        return item.TextValue
    if kind == "UIDREF":
        return item.UID
    if kind == "CODE":
        return item.ConceptCodeSequence[0].CodeMeaning
    if kind == "NUM" and item.get("MeasuredValueSequence"):
        measured = item.MeasuredValueSequence[0]
        return f"{measured.NumericValue} {measured.MeasurementUnitsCodeSequence[0].CodeValue}"
    return ""


def sr_content_tree(dataset, max_depth: int = 4) -> list[dict]:
    """A DICOM Structured Report's content tree, flattened: depth, relationship, value type, concept, value (notebook 03).

    Each item names its concept by a code (CodeValue, CodingSchemeDesignator, CodeMeaning): the
    report is data a program can query, not prose.
    """
    if "ContentSequence" not in dataset:
        raise ValueError("not a Structured Report: the dataset has no ContentSequence (Modality should be 'SR')")
    out = []

    def walk(items, depth):
        for item in items:
            name = item.ConceptNameCodeSequence[0] if "ConceptNameCodeSequence" in item else None
            kind = item.get("ValueType", "")
            value = _sr_value(item, kind)
            out.append({"depth": depth, "relationship": item.get("RelationshipType", ""), "type": kind,
                        "concept": f"{name.CodeMeaning} ({name.CodingSchemeDesignator} {name.CodeValue})"
                        if name is not None else "", "value": str(value).replace("\n", " ")[:60]})
            if "ContentSequence" in item and depth < max_depth:
                walk(item.ContentSequence, depth + 1)

    walk(dataset.ContentSequence, 0)
    return out
