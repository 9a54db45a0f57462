"""A pharmacogenomic panel drawn from population allele frequencies (notebook 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Allele frequencies roughly as in European-ancestry populations (CPIC / PharmGKB
# frequency tables); a teaching approximation, not a reference for any population.
CYP2C19_ALLELES = {"*1": 0.63, "*2": 0.15, "*3": 0.01, "*17": 0.21}
CYP2C9_ALLELES = {"*1": 0.80, "*2": 0.13, "*3": 0.07}
VKORC1_A_FREQ = 0.39  # -1639G>A (rs9923231); A lowers warfarin dose
SLCO1B1_C_FREQ = 0.15  # c.521T>C (*5, rs4149056); C raises simvastatin myopathy risk

_NO_FUNCTION_2C19 = ("*2", "*3")


def _diplotypes(rng, alleles: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two independent alleles per patient (Hardy-Weinberg), sorted as 'a/b'."""
    names = np.array(list(alleles))
    p = np.array(list(alleles.values()))
    pair = rng.choice(len(names), (n, 2), p=p / p.sum())
    pair.sort(axis=1)
    return names[pair[:, 0]], names[pair[:, 1]]


def clopidogrel_phenotype(a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """CPIC CYP2C19 phenotype: poor / intermediate / normal / rapid / ultrarapid (notebook 12)."""
    loss = np.isin(a1, _NO_FUNCTION_2C19).astype(int) + np.isin(a2, _NO_FUNCTION_2C19)
    gain = (a1 == "*17").astype(int) + (a2 == "*17")
    return np.select(
        [loss == 2, loss == 1, gain == 2, gain == 1],
        ["poor", "intermediate", "ultrarapid", "rapid"],
        "normal",
    )


def sample_pharmacogenomics(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """CYP2C19, CYP2C9, VKORC1 and SLCO1B1 genotypes with derived phenotypes (notebook 12)."""
    c19a, c19b = _diplotypes(rng, CYP2C19_ALLELES, n)
    c9a, c9b = _diplotypes(rng, CYP2C9_ALLELES, n)
    vkorc1_a = rng.binomial(2, VKORC1_A_FREQ, n)
    slco_c = rng.binomial(2, SLCO1B1_C_FREQ, n)
    c9_reduced = (c9a != "*1").astype(int) + (c9b != "*1")
    return pd.DataFrame(
        {
            "cyp2c19": np.char.add(np.char.add(c19a, "/"), c19b),
            "clopidogrel_metaboliser": clopidogrel_phenotype(c19a, c19b),
            "cyp2c9": np.char.add(np.char.add(c9a, "/"), c9b),
            "vkorc1_1639": np.array(["GG", "GA", "AA"])[vkorc1_a],
            # Warfarin sensitivity rises with reduced CYP2C9 alleles and VKORC1 A alleles.
            "warfarin_sensitivity": np.array(["normal", "sensitive", "highly_sensitive"])[
                np.clip((c9_reduced + vkorc1_a + 1) // 2, 0, 2)
            ],
            "slco1b1_521": np.array(["TT", "TC", "CC"])[slco_c],
            "statin_myopathy_risk": np.array(["normal", "increased", "high"])[slco_c],
        }
    )
