"""Synthetic hospital: deterministic generators for every modality of the course."""

from course_lib.synth.cohort import Cohort, cache_path, generate_cohort, make_cohort
from course_lib.synth.config import CONDITIONS, GENERATOR_VERSION, CohortConfig
from course_lib.synth.labs import LAB_NAMES, LAB_UNITS
from course_lib.synth.triage import assign_esi
from course_lib.synth.vitals import VITAL_NAMES, VITAL_UNITS, VitalsSeries
from course_lib.synth.xray import FINDINGS, MASK_NAMES

__all__ = [
    "CONDITIONS",
    "FINDINGS",
    "GENERATOR_VERSION",
    "LAB_NAMES",
    "LAB_UNITS",
    "MASK_NAMES",
    "VITAL_NAMES",
    "VITAL_UNITS",
    "MODALITIES",
    "Cohort",
    "CohortDataset",
    "CohortConfig",
    "VitalsSeries",
    "assign_esi",
    "cache_path",
    "generate_cohort",
    "make_cohort",
    "patient_split",
]


def __getattr__(name: str):
    """Import the torch-based dataset lazily: `make_cohort` alone should not pay for torch."""
    if name in ("MODALITIES", "CohortDataset", "patient_split"):
        from course_lib.synth import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'course_lib.synth' has no attribute {name!r}")
