"""A prior film of the same patient, and the Comparison section it allows (notebook 03).

A radiologist reads today's film beside the last one: "new right lower lobe consolidation",
"cardiomegaly, unchanged". The prior here is an earlier outpatient PA film of the same patient:
the same anatomy and body habitus, a new acquisition (position, exposure, inspiration), and only
some of today's findings. Chronic ones (an enlarged heart, hyperinflation) were usually there
already; acute ones (consolidation, oedema) usually were not. Nothing is on the prior that is not
on today's film (no resolved findings), so every comparison is "new" or "unchanged".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import stream
from course_lib.synth.xray import FINDINGS, render_xrays

# P(the finding was already on the prior | it is on today's film).
ON_PRIOR = {"consolidation": 0.1, "atelectasis": 0.3, "oedema": 0.15, "effusion": 0.3,
            "cardiomegaly": 0.55, "hyperinflation": 0.9}
NAMES = {"consolidation": "consolidation", "atelectasis": "atelectasis", "oedema": "pulmonary oedema",
         "effusion": "pleural effusion", "cardiomegaly": "cardiomegaly", "hyperinflation": "hyperinflation"}


def plan_priors(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Today's plan with the findings absent on the prior removed and a new PA acquisition (notebook 03)."""
    n = len(plan)
    prior = plan.copy()
    present = {f: plan[f"{f}_visibility"].to_numpy() > 0 for f in FINDINGS}
    present["cardiomegaly"] &= plan["ctr"].to_numpy() > 0.5
    keep = {f: present[f] & (rng.random(n) < ON_PRIOR[f]) for f in FINDINGS}
    gone = {f: present[f] & ~keep[f] for f in FINDINGS}
    for f, cols in {"consolidation": ("consolidation_visibility",), "oedema": ("oedema_visibility",),
                    "hyperinflation": ("hyperinflation_visibility",),
                    "effusion": ("effusion_visibility", "effusion_right", "effusion_left"),
                    "atelectasis": ("atelectasis_visibility", "dome_elevation_right", "dome_elevation_left",
                                    "mediastinal_shift")}.items():
        for col in cols:
            prior.loc[gone[f], col] = 0.0
    for f, col in (("consolidation", "consolidation_lobe"), ("consolidation", "consolidation_lobe2"),
                   ("atelectasis", "atelectasis_lobe")):
        prior.loc[gone[f], col] = ""
    prior.loc[gone["atelectasis"], "atelectasis_plate"] = False
    # A heart that enlarged since the prior (new heart failure) was normal then: CTR 0.40-0.49.
    normal_ctr = np.clip(rng.normal(0.45, 0.02, n), 0.40, 0.49)
    prior["ctr"] = np.where(gone["cardiomegaly"], normal_ctr, plan["ctr"].to_numpy())
    prior["cardiomegaly_visibility"] = np.clip((prior["ctr"].to_numpy() - 0.5) / 0.08, 0, 1)
    # An erect outpatient PA film: new position, exposure and depth of inspiration.
    prior["view"], prior["supine"] = "PA", False
    prior["rotation_deg"] = rng.normal(0, 2.0, n)
    for col, sd in (("shift_x", 0.03), ("shift_y", 0.03), ("obliquity", 0.012), ("inspiration", 0.035),
                    ("brightness", 0.03)):
        prior[col] = rng.normal(0, sd, n)
    prior["scale"] = rng.normal(1.0, 0.03, n)
    prior["exposure"] = rng.normal(1.0, 0.08, n)
    prior["gamma"] = np.exp(rng.normal(0, 0.1, n))
    return prior


def render_priors(cohort, image_size: int | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Prior films (n, H, W) float32 and their plan, deterministic from the cohort's seed (notebook 03).

    A stream of its own ("xray_prior"), so the cohort's arrays never change.
    """
    from course_lib.synth.sites import get_site

    if cohort.images is None and image_size is None:
        raise ValueError("the cohort has no images: pass image_size, or make the cohort with images=True")
    size = int(image_size or cohort.images.shape[-1])
    site = get_site(cohort.site)
    rng = stream(cohort.seed, "xray_prior", site.index)
    prior = plan_priors(cohort.xray_truth, rng)
    images, _ = render_xrays(prior, cohort.state, size, rng, cohort.config, site=site)
    return images, prior


def comparison_text(stated_now, prior_truth) -> str:
    """The Comparison section for one film: each finding the report states, new or unchanged (notebook 03).

    stated_now, prior_truth: (findings,) bool in FINDINGS order.
    """
    parts = []
    for f, now, before in zip(FINDINGS, stated_now, prior_truth, strict=True):
        if now:
            name = NAMES[f]
            parts.append(f"{name[0].upper() + name[1:]}, unchanged." if before else f"New {name}.")
    return "Prior PA radiograph. " + (" ".join(parts) if parts else "No interval change.")
