"""The synthetic emergency-department cohort: one call, every modality, cached (notebook 00)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from course_lib.synth.cache import UnsafeCacheError, load_dataclass, save_dataclass
from course_lib.synth.complaints import make_complaints
from course_lib.synth.config import CONDITIONS, GENERATOR_VERSION, CohortConfig, stream
from course_lib.synth.genomics import sample_pharmacogenomics
from course_lib.synth.labs import LAB_NAMES, LAB_UNITS, make_serial_labs
from course_lib.synth.patients import sample_patients, sample_presentation
from course_lib.synth.reports import write_reports
from course_lib.synth.sites import SiteProfile, get_site, site_tag
from course_lib.synth.triage import assign_esi
from course_lib.synth.vitals import VITAL_NAMES, VITAL_UNITS, VitalsSeries, make_vitals
from course_lib.synth.xray import plan_xrays, render_xrays

MIN_IMAGE_SIZE, MAX_IMAGE_SIZE = 32, 512


@dataclass
class Cohort:
    """Every patient's latent state and every modality generated from it (notebook 00)."""

    state: pd.DataFrame  # one row per patient: patient_id, demographics, conditions, ...
    xray_truth: pd.DataFrame  # what each film shows: view, visibility and place of findings
    images: np.ndarray | None  # (n, H, W) float32 in [0, 1]; None if rendered without images
    masks: dict[str, np.ndarray]  # finding -> (n, H, W) bool
    reports: list[str]
    report_labels: pd.DataFrame  # (n, findings): 1 positive, 0 negated, -1 uncertain, NaN
    complaints: list[str]
    vitals: np.ndarray  # (n, 6) float32 triage snapshot, columns VITAL_NAMES
    vitals_series: VitalsSeries  # times (n, T), values (n, T, 6), lengths (n,)
    labs: np.ndarray  # (n, 8) float32 at arrival, NaN where not drawn, columns LAB_NAMES
    labels: np.ndarray  # (n, 6) float32 multi-hot over CONDITIONS
    esi: np.ndarray  # (n,) int8 triage level 1 (most urgent) .. 5
    seed: int = 0
    config: CohortConfig = field(default_factory=CohortConfig)
    # The second troponin 1-3 h after the first, for chest-pain patients (notebooks 12, 13):
    # columns troponin_repeat (ng/L) and troponin_repeat_hours (after the first draw), NaN if none.
    troponin_repeat: pd.DataFrame | None = None
    site: str = "A"

    condition_names = CONDITIONS
    vital_names = VITAL_NAMES
    vital_units = VITAL_UNITS
    lab_names = LAB_NAMES
    lab_units = LAB_UNITS

    def __len__(self) -> int:
        return len(self.state)

    @property
    def patient_ids(self) -> np.ndarray:
        """(n,) patient identifiers, e.g. 'ED00042'."""
        return self.state["patient_id"].to_numpy()

    def vitals_frame(self) -> pd.DataFrame:
        """The triage vitals as a DataFrame with named columns (notebook 08)."""
        return pd.DataFrame(self.vitals, columns=list(VITAL_NAMES), index=self.patient_ids)

    def labs_frame(self) -> pd.DataFrame:
        """The labs as a DataFrame with named columns, NaN where not drawn (notebook 11)."""
        return pd.DataFrame(self.labs, columns=list(LAB_NAMES), index=self.patient_ids)

    def patient(self, i: int) -> dict:
        """Everything about patient i, for a guided tour of one case (notebook 00)."""
        length = int(self.vitals_series.lengths[i])
        return {
            "state": self.state.iloc[i].to_dict(),
            "xray_truth": self.xray_truth.iloc[i].to_dict(),
            "image": None if self.images is None else self.images[i],
            "masks": {k: v[i] for k, v in self.masks.items()},
            "report": self.reports[i],
            "report_labels": self.report_labels.iloc[i].to_dict(),
            "complaint": self.complaints[i],
            "vitals": dict(zip(VITAL_NAMES, self.vitals[i].tolist(), strict=True)),
            "vitals_times": self.vitals_series.times[i, :length],
            "vitals_series": self.vitals_series.values[i, :length],
            "labs": dict(zip(LAB_NAMES, self.labs[i].tolist(), strict=True)),
            "troponin_repeat": None if self.troponin_repeat is None else self.troponin_repeat.iloc[i].to_dict(),
            "conditions": [c for c, y in zip(CONDITIONS, self.labels[i], strict=True) if y],
            "esi": int(self.esi[i]),
        }


def _check_arguments(n_patients, seed, image_size) -> None:
    if isinstance(n_patients, bool) or not isinstance(n_patients, (int, np.integer)):
        raise ValueError(f"n_patients must be a positive integer, got {n_patients!r}")
    if n_patients <= 0:
        raise ValueError(f"n_patients must be a positive integer, got {n_patients}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    ok = isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool)
    if not ok or not MIN_IMAGE_SIZE <= image_size <= MAX_IMAGE_SIZE or image_size % 8:
        raise ValueError(
            f"image_size must be a multiple of 8 between {MIN_IMAGE_SIZE} and {MAX_IMAGE_SIZE} "
            f"(e.g. 64 or 128), got {image_size!r}"
        )


def cache_path(
    n_patients: int, seed: int, image_size: int, config: CohortConfig, images: bool,
    site: str | SiteProfile = "A",
):
    """Where make_cohort caches this cohort: data_dir()/synth/<version, n, seed, size, site, config>."""
    from course_lib.setup import data_dir

    size = image_size if images else 0
    name = f"cohort_v{GENERATOR_VERSION}_n{n_patients}_s{seed}_px{size}{site_tag(site)}_{config.key()}.npz"
    return data_dir() / "synth" / name


def generate_cohort(
    n_patients: int,
    seed: int = 0,
    image_size: int = 128,
    config: CohortConfig | None = None,
    images: bool = True,
    site: str | SiteProfile = "A",
) -> Cohort:
    """Generate a cohort without touching the cache (notebook 00)."""
    _check_arguments(n_patients, seed, image_size)
    config = config or CohortConfig()
    profile = get_site(site)
    n = int(n_patients)

    def rng(name: str):
        return stream(seed, name, profile.index)

    state = sample_patients(n, rng("patients"), config, site=profile)
    state = pd.concat(
        [
            state,
            sample_pharmacogenomics(n, rng("pharmacogenomics")),
            sample_presentation(state, rng("presentation"), config, site=profile),
        ],
        axis=1,
    )
    state.insert(1, "site", profile.name)
    xray_rng = rng("xray")
    plan = plan_xrays(state, xray_rng, config, site=profile)
    if images:
        pixels, masks = render_xrays(plan, state, int(image_size), xray_rng, config, site=profile)
    else:
        pixels, masks = None, {}
    reports, report_labels = write_reports(plan, state, rng("reports"), config, site=profile)
    complaints = make_complaints(state, rng("complaints"), site=profile)
    vitals, series = make_vitals(state, rng("vitals"), config)
    labs, repeat = make_serial_labs(state, vitals, rng("labs"), rng("labs_repeat"), config, site=profile)
    esi = assign_esi(state, vitals)
    state["esi"] = esi
    labels = state[list(CONDITIONS)].to_numpy(np.float32)  # (n, 6) multi-hot
    return Cohort(
        state=state,
        xray_truth=plan,
        images=pixels,
        masks=masks,
        reports=reports,
        report_labels=report_labels,
        complaints=complaints,
        vitals=vitals,
        vitals_series=series,
        labs=labs,
        labels=labels,
        esi=esi,
        seed=int(seed),
        config=config,
        troponin_repeat=repeat,
        site=profile.name,
    )


def _save(cohort: Cohort, path) -> None:
    """Write the cohort as plain arrays and strings (no pickle: see synth/cache.py)."""
    save_dataclass(cohort, path, skip=("config",), meta={"config": cohort.config.key()})


def _load(path, config: CohortConfig) -> Cohort:
    """Read a cohort written by _save; refuses pickled data (UnsafeCacheError)."""
    fields = load_dataclass(path, {"VitalsSeries": VitalsSeries}, meta={"config": config.key()})
    return Cohort(**fields, config=config)


def make_cohort(
    n_patients: int,
    seed: int = 0,
    image_size: int = 128,
    config: CohortConfig | None = None,
    images: bool = True,
    cache: bool = True,
    site: str | SiteProfile = "A",
) -> Cohort:
    """The synthetic ED cohort: state + X-ray, report, complaint, vitals, labs (notebook 00).

    Deterministic from `seed`; cached under data_dir()/synth/ (pass cache=False to skip).
    `images=False` skips the pixels (and masks) for notebooks that need only the tables.
    `site` picks the hospital (course_lib.synth.sites.SITES; "A" is the calibration site), or is a
    SiteProfile of your own, e.g. site B with only its imaging shift (notebook 13).
    """
    _check_arguments(n_patients, seed, image_size)
    config = config or CohortConfig()
    get_site(site)  # an unknown site is a clear error before any work
    if not cache:
        return generate_cohort(n_patients, seed, image_size, config, images, site)
    path = cache_path(int(n_patients), int(seed), int(image_size), config, images, site)
    if path.exists():
        try:
            return _load(path, config)
        except UnsafeCacheError:  # a planted pickle: refuse loudly, never run or delete it
            raise
        except Exception:  # a truncated or stale file: regenerate it
            path.unlink(missing_ok=True)
    cohort = generate_cohort(n_patients, seed, image_size, config, images, site)
    _save(cohort, path)
    return cohort
