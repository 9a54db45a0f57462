"""The knobs of the synthetic emergency-department cohort, in one dataclass (notebook 00)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np

# Bump when any generator changes its output: it is part of the on-disk cache key.
GENERATOR_VERSION = 4

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
    "ward": 808,  # ward stays with sepsis onsets (notebook 08; a number no other generator uses)
    "presentation": 11,  # chief symptom and time since onset (patients.sample_presentation)
    "labs_repeat": 12,  # the second troponin draw (labs.make_serial_labs)
    "xray_prior": 13,  # a prior film of the same patient (xray_prior.render_priors, notebook 03)
}

# Time from symptom onset to ED arrival (hours), by presenting problem: lognormal with
# this median and log-sd, clipped to [0.25 h, 14 days]. Sources:
# - STEMI: NRMI, 482,327 STEMIs 1995-2004: geometric mean delay 114 min, 45.5% > 2 h,
#   8.7% > 12 h (Ting HH et al., Arch Intern Med 2008;168:959, PMC4858313) -> 1.9 h, sd 1.2.
# - NSTEMI presents later than STEMI, and an MI without chest pain later still (NRMI-2:
#   mean delay 7.9 vs 5.3 h, Canto JG et al., JAMA 2000;283:3223) -> median 3.5 h, x1.6
#   when the chief symptom is not chest pain (patients.sample_presentation).
# - Pneumonia, COPD exacerbation, heart failure, sepsis: days of worsening symptoms
#   (choice: medians 30-60 h with a wide spread, so that ~12% of pneumonias arrive within
#   12 h: modest CRP and, in the X-ray generator, often an occult film).
# - Atrial fibrillation: most ED presentations are of recent onset, many < 48 h (choice).
# What the labs then show (course_lib.synth.labs, kinetics and sources there), measured on
# 3,000 patients (seed 11; median [10th-90th centile]), by hours since onset:
#   pneumonia CRP mg/L   < 3 h: 3 [1-9]     3-12 h: 13 [3-53]    12-48 h: 57 [15-241]
#                        > 48 h: 92 [20-342] (viral/atypical pneumonia: weak response)
#   pneumonia PCT ng/mL  < 3 h: 0.1         3-12 h: 0.2          > 12 h: 0.2-0.5 [0.0-3.4]
#   pneumonia WBC 10^9/L < 3 h: 8.1         3-12 h: 9.4          > 12 h: 10-11 [6-30]
#   sepsis CRP / lactate 12-48 h: 86 mg/L / 1.9 mmol/L; > 48 h: 128 / 2.0
#   MI hs-troponin ng/L  < 3 h: 24 [5-290]  3-12 h: 167 [31-872] 12-48 h: 204 [50-1001];
#                        first draw <= 99th centile (14 ng/L) in 35% of MIs within 3 h
#                        and 4% later (hs-cTnI, 41,103 patients: 28.6% and 7.5%, Eur Heart J
#                        2023;44:2846); the repeat 1-3 h later: median 147, 3% <= 14.
#   heart failure BNP pg/mL ~1,400-2,600 at every time since onset (chronic wall stress).
# Teaching-cohort choices where no single source applies (marked "choice").
ONSET_HOURS = {
    "stemi": (1.9, 1.2),
    "nstemi": (3.5, 1.2),
    "pneumonia": (44.0, 1.0),
    "sepsis": (30.0, 0.9),
    "heart_failure": (60.0, 0.8),
    "copd": (60.0, 0.8),
    "asthma": (14.0, 1.0),  # choice: hours to a day of worsening wheeze
    "atrial_fibrillation": (8.0, 1.3),
    "noncardiac_chest_pain": (4.0, 1.3),  # choice
    "infection": (60.0, 0.9),  # UTI, cellulitis, gastroenteritis, viral URI: choice
    "minor": (24.0, 1.5),  # headache, back pain, rash...: choice
    "injury": (2.0, 1.0),  # injuries and lacerations come soon: choice
}


def stream(seed: int, name: str, site_index: int = 0) -> np.random.Generator:
    """An independent random generator for one named generator of the cohort (and site)."""
    if site_index == 0:  # site A keeps the single-site streams
        return np.random.default_rng([int(seed), STREAMS[name]])
    return np.random.default_rng([int(seed), STREAMS[name], int(site_index)])


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
    # Fever and a raised CRP without pneumonia: viral URI, acute bronchitis, UTI, cellulitis,
    # gastroenteritis (the population that keeps CRP from being a pneumonia test).
    other_infection_rate: float = 0.60
    # Viral/atypical pneumonia (weak CRP/PCT/WBC response). Of adults hospitalised with CAP
    # a virus was found in 23% and a bacterium in 11% (Jain S et al., NEJM 2015;373:415).
    atypical_pneumonia_fraction: float = 0.40

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
    # Share of MIs whose chief symptom is not chest pain at an average MI patient (male,
    # 65, no diabetes); rises with female sex, age and diabetes. NRMI-2: 33% of 434,877
    # MIs had no chest pain at presentation (older, more women and diabetes; Canto JG et
    # al., JAMA 2000;283:3223); women 42% vs men 31% (Canto JG et al., JAMA 2012;307:813).
    mi_no_chest_pain_base: float = 0.21
    # Second troponin draw 1-3 h after the first for chest-pain patients (ESC 0 h/1 h and
    # 0 h/2 h algorithms, Collet JP et al., Eur Heart J 2021;42:1289): hours after the first.
    repeat_troponin_hours: tuple = (1.0, 2.0, 3.0)

    def key(self) -> str:
        """A short stable hash of the configuration, for the cache file name."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:10]
