"""Real medical data that ships inside installed packages (pydicom's test files) (notebook 00)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

UNIT_TO_MV = {"uV": 1e-3, "mV": 1.0, "V": 1e3}  # DICOM UCUM codes → millivolts


def bundled_dicom_path(name: str) -> Path:
    """Path of a DICOM test file bundled with pydicom, without any download."""
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name, download=False)
    if path is None:
        raise FileNotFoundError(
            f"{name} is not bundled with this pydicom version; install the pinned one with "
            "`pip install -r requirements.txt` (the course never downloads it at run time)."
        )
    return Path(path)


def load_bundled_ct() -> dict:
    """A real CT slice (pydicom's CT_small.dcm) as raw values, Hounsfield units and spacing."""
    import pydicom

    ds = pydicom.dcmread(bundled_dicom_path("CT_small.dcm"))
    raw = ds.pixel_array  # (H, W) stored integers
    slope, intercept = float(ds.RescaleSlope), float(ds.RescaleIntercept)
    return {
        "raw": raw,
        "hu": (raw * slope + intercept).astype(np.float32),  # (H, W) Hounsfield units
        "slope": slope,
        "intercept": intercept,
        "spacing_mm": tuple(float(s) for s in ds.PixelSpacing),  # (row, column) mm
        "slice_thickness_mm": float(ds.SliceThickness),
        "modality": str(ds.Modality),
    }


def load_bundled_ecg() -> dict:
    """A real 12-lead ECG (pydicom's waveform_ecg.dcm) in millivolts, with lead names."""
    import pydicom

    ds = pydicom.dcmread(bundled_dicom_path("waveform_ecg.dcm"))
    group = ds.WaveformSequence[0]  # the 12-lead rhythm group
    channels = group.ChannelDefinitionSequence
    unit = channels[0].ChannelSensitivityUnitsSequence[0].CodeValue
    signal = ds.waveform_array(0) * UNIT_TO_MV[unit]  # (T, 12) mV; pydicom applies sensitivity
    leads = [c.ChannelSourceSequence[0].CodeMeaning.replace("Lead ", "").split(" ")[0]
             for c in channels]
    return {
        "signal": signal.astype(np.float32),
        "fs": float(group.SamplingFrequency),
        "leads": leads,
        "filter_hz": (float(channels[0].FilterLowFrequency), float(channels[0].FilterHighFrequency)),
        "patient": f"{ds.get('PatientSex', '?')}, {str(ds.get('PatientAge', '?')).lstrip('0')}",
    }


CR_FILE = "RG1_UNCR.dcm"  # a real PA chest CR, shipped by the pydicom-data package


def dicom_window(raw: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM linear VOI window (PS3.3 C.11.2.1.2) to [0, 1] float32 (notebooks 00, 01)."""
    if width < 1:
        raise ValueError(f"window width must be >= 1, got {width}")
    out = (np.asarray(raw, np.float64) - (center - 0.5)) / (width - 1) + 0.5
    return np.clip(out, 0, 1).astype(np.float32)


def load_bundled_cr() -> dict:
    """A real chest radiograph (CR, PA) from pydicom-data, with its display header (notebook 00).

    Returns the stored integers, the photometric interpretation (MONOCHROME1: high values are
    dark), bits stored, the header's window, the pixel spacing (None when the header stores
    0, as this file does) and `display`: windowed to [0, 1] with white = dense, as on a lightbox.
    """
    import pydicom

    try:
        path = bundled_dicom_path(CR_FILE)
    except FileNotFoundError:
        path = None
    if path is None:
        raise FileNotFoundError(
            f"{CR_FILE} ships in the pydicom-data package, which is not installed: run "
            "`pip install pydicom-data==1.0.0` (pinned in requirements.txt; nothing downloads it "
            "at run time)."
        )
    ds = pydicom.dcmread(path)
    raw = ds.pixel_array  # (H, W) uint16 stored values
    center, width = float(ds.WindowCenter), float(ds.WindowWidth)
    photometric = str(ds.PhotometricInterpretation)
    display = dicom_window(raw, center, width)
    if photometric == "MONOCHROME1":  # high stored value = little exposure = dense: show white
        display = 1 - display
    spacing = tuple(float(s) for s in ds.get("PixelSpacing", [0, 0]))
    return {
        "raw": raw,
        "display": display,
        "photometric": photometric,
        "bits_stored": int(ds.BitsStored),
        "window": (center, width),
        "spacing_mm": spacing if min(spacing) > 0 else None,
        "view": str(ds.get("ViewPosition", "?")),
        "kvp": float(ds.get("KVP", "nan")),
        "sex": str(ds.get("PatientSex", "?")),
        "dataset": ds,
    }


def percentile_window(image: np.ndarray, low: float = 1.0, high: float = 99.0) -> tuple[float, float]:
    """(center, width) of a window spanning the image's low..high percentiles (notebook 00)."""
    lo, hi = np.percentile(image, [low, high])
    return float((lo + hi) / 2), float(max(hi - lo, 1e-6))


def area_resize(image: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and shrink to (size, size) by averaging blocks (no aliasing)."""
    h, w = image.shape
    side = min(h, w) // size * size
    if side == 0:
        raise ValueError(f"image {image.shape} is smaller than {size} px")
    r0, c0 = (h - side) // 2, (w - side) // 2
    crop = np.asarray(image[r0:r0 + side, c0:c0 + side], np.float32)
    k = side // size
    return crop.reshape(size, k, size, k).mean(axis=(1, 3))
