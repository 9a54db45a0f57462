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
