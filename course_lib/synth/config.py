"""The knobs of the synthetic emergency-department cohort, in one dataclass (notebook 00)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np

# Bump when any generator changes its output: it is part of the on-disk cache key.
GENERATOR_VERSION = 3

# The multi-label targets of the cohort, in a fixed order (the columns of Cohort.labels).
CONDITIONS = (
    "pneumonia",
    "acute_mi",
    "heart_failure",
    "copd_asthma",
    "sepsis",
    "atrial_fibrillation",
)

# One fixed integer per generator: rng = default_rng([seed, STREAMS[name]]). A new
# modality gets a new key, so adding it never changes the arrays of the others.
STREAMS = {
    "patients": 1,
    "pharmacogenomics": 2,
    "xray": 3,
    "reports": 4,
    "complaints": 5,
    "vitals": 6,
    "labs": 7,
    "split": 8,
    "ecg": 9,
    "ecg_nste": 90,  # which NSTEMIs show ST depression (a separate stream keeps the ECG noise draws)
    "audio": 10,
}


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one named generator of the cohort."""
    return np.random.default_rng([int(seed), STREAMS[name]])


@dataclass(frozen=True)
class CohortConfig:
    """Every tunable constant of the cohort; the defaults are the course's calibration."""

    # Target prevalences. The cohort is an ENRICHED teaching cohort: pneumonia is far
    # more common than in a real ED (~3-5%) so that every task has enough positives.
    prevalence: dict = field(
        default_factory=lambda: {
            "pneumonia": 0.27,
            "acute_mi": 0.09,
            "heart_failure": 0.09,
            "copd_asthma": 0.10,
            "sepsis": 0.08,
            "atrial_fibrillation": 0.09,
        }
    )
    stemi_fraction: float = 0.40  # share of acute MI that is STEMI (rest NSTEMI)
    vt_fraction_stemi: float = 0.06  # STEMI presenting in ventricular tachycardia
    other_infection_rate: float = 0.40  # viral URI, UTI, cellulitis: fever without pneumonia
    atypical_pneumonia_fraction: float = 0.25  # viral/atypical: weak CRP/PCT/WBC response

    # X-ray visibility. A pneumonia is radiographically occult (early, dehydrated,
    # retrocardiac) with this probability: nothing on the image, only the clinic sees it.
    occult_pneumonia_fraction: float = 0.15
    consolidation_visibility: tuple = (3.0, 1.5)  # Beta(a, b) of conspicuity when visible
    atelectasis_rate: float = 0.10  # basal atelectasis in patients without pneumonia: mimic
    subtle_threshold: float = 0.35  # a finding with visibility below this is "subtle"
    portable_ap_base: float = 0.15  # share of portable AP films; rises with illness severity
    image_noise: float = 0.025  # sd of quantum noise in a PA film (AP: x1.6)

    # Reports: a subtle finding is not mentioned at all with this probability.
    subtle_miss_rate: float = 0.15

    # Vitals and labs
    vitals_hours: float = 24.0  # length of the longest stay in the time series
    vitals_max_samples: int = 32  # T_max of the series (irregular, about hourly)
    lab_noise_scale: float = 1.0  # multiplies the biological spread of every lab

    def key(self) -> str:
        """A short stable hash of the configuration, for the cache file name."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:10]
