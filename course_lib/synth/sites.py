"""The hospitals of the synthetic cohort and how they differ, each difference explicit (notebook 13).

Site "A" is the calibration site: every other generator's defaults are site A's, and
its profile changes nothing. Another site changes four things, each with its own
ground truth so that a notebook can attribute a drop in performance to its cause:
population (who comes: label shift), practice (which labs are drawn for whom, how
notes are written), imaging (scanner, protocol, burned-in markers: a shortcut
source) and, optionally, concept (where a subtle finding is called).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class PopulationShift:
    """Who comes to this ED: age, sex, comorbidity and disease prevalence (label shift)."""

    age_shift_years: float = 0.0  # added to every age before clipping to 18-95
    female_share: float = 0.5
    comorbidity_logodds: float = 0.0  # added to the log-odds of hypertension, diabetes, COPD
    prevalence_factor: dict = field(default_factory=dict)  # condition -> multiplier of prevalence
    other_infection_factor: float = 1.0  # multiplies the rate of fevers without pneumonia
    onset_factor: float = 1.0  # multiplies time since onset: < 1, patients come earlier


@dataclass(frozen=True)
class PracticeShift:
    """How this ED works: lab order sets (informative missingness) and note style."""

    lab_order_factor: dict = field(default_factory=dict)  # lab name -> multiplier of P(drawn)
    note_style: str = "standard"  # "standard" or "terse" (more abbreviations, fewer words)
    abbreviation_rate: float | None = None  # None: the generator's default
    typo_rate: float | None = None


@dataclass(frozen=True)
class ImagingShift:
    """This site's radiography: exposure, contrast curve, noise, portable share, marker."""

    exposure: float = 1.0  # multiplies the film's brightness before the contrast curve
    gamma: float = 1.0  # contrast curve: img ** gamma after the patient's own gamma
    noise_factor: float = 1.0  # multiplies the quantum noise sd
    portable_ap_base: float | None = None  # None: CohortConfig.portable_ap_base
    marker: str = "top_left"  # where the burned-in laterality/site marker sits
    marker_text: str = "R"


@dataclass(frozen=True)
class ConceptShift:
    """Where this site's readers call a subtle finding (a changed labelling threshold)."""

    subtle_threshold: float | None = None  # None: CohortConfig.subtle_threshold


@dataclass(frozen=True)
class SiteProfile:
    """One hospital of the synthetic cohort (notebook 13)."""

    name: str
    description: str
    index: int  # part of the random stream key: site A keeps the single-site streams
    population: PopulationShift = field(default_factory=PopulationShift)
    practice: PracticeShift = field(default_factory=PracticeShift)
    imaging: ImagingShift = field(default_factory=ImagingShift)
    concept: ConceptShift = field(default_factory=ConceptShift)


SITES: dict[str, SiteProfile] = {
    "A": SiteProfile(
        name="A",
        description="University hospital ED, the calibration site: every default is site A's.",
        index=0,
    ),
    "B": SiteProfile(
        name="B",
        description=(
            "Community hospital ED: an older, more comorbid population; more portable AP "
            "films on another CR system; fewer CRP, procalcitonin and BNP orders; terse notes."
        ),
        index=1,
        # population and practice: owned by the cohort generators (patients, labs, complaints)
        population=PopulationShift(
            age_shift_years=12.0,
            female_share=0.52,
            comorbidity_logodds=0.7,
            prevalence_factor={"heart_failure": 1.8, "copd_asthma": 1.6, "pneumonia": 0.6},
            other_infection_factor=1.6,
        ),
        practice=PracticeShift(
            lab_order_factor={"procalcitonin": 0.4, "bnp": 0.7, "lactate": 0.8, "crp": 0.45, "wbc": 0.85},
            note_style="terse",
        ),
        # imaging: owned by the X-ray generator (course_lib.synth.xray)
        imaging=ImagingShift(
            exposure=1.08, gamma=1.25, noise_factor=1.4, portable_ap_base=0.30,
            marker="bottom_left", marker_text="R",
        ),
    ),
    "C": SiteProfile(
        name="C",
        description=(
            "Urban teaching hospital ED: younger patients who come earlier in their illness, "
            "more infection, fewer infarcts; "
            "a softer film processing; readers who call fewer subtle findings."
        ),
        index=2,
        population=PopulationShift(
            age_shift_years=-5.0,
            female_share=0.48,
            prevalence_factor={"pneumonia": 1.2, "sepsis": 1.2, "acute_mi": 0.8},
            other_infection_factor=1.3,
            onset_factor=0.5,  # walk-in urban ED: people come earlier in their illness
        ),
        practice=PracticeShift(lab_order_factor={"troponin": 0.8, "d_dimer": 1.5}),
        imaging=ImagingShift(
            exposure=0.92, gamma=0.85, noise_factor=0.8, portable_ap_base=0.10,
            marker="top_right", marker_text="L",
        ),
        concept=ConceptShift(subtle_threshold=0.45),
    ),
}


def get_site(site: str | SiteProfile) -> SiteProfile:
    """The profile of a named site (or a custom SiteProfile, returned as is), else a clear error."""
    if isinstance(site, SiteProfile):
        return site
    if site not in SITES:
        raise ValueError(
            f"unknown site {site!r}: choose one of {sorted(SITES)}, or pass a SiteProfile "
            "(e.g. dataclasses.replace(SITES['B'], imaging=ImagingShift()) for one shift at a time)"
        )
    return SITES[site]


def site_tag(site: str | SiteProfile) -> str:
    """The cache-name part of a site: '' for A, '_siteB' for a named site, plus a hash if customised."""
    profile = get_site(site)
    if SITES.get(profile.name) == profile:
        return "" if profile.index == 0 else f"_site{profile.name}"
    text = json.dumps(asdict(profile), sort_keys=True, default=str)
    return f"_site{profile.name}_{hashlib.sha1(text.encode()).hexdigest()[:8]}"
