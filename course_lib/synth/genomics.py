"""A pharmacogenomic panel (notebook 12) and a multi-omics tumour cohort with a gene network (notebook 07)."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class ExpressionCohort:
    """Tumour expression with gene modules, a copy-number driver, clinical and imaging data (notebook 07)."""

    expression: np.ndarray  # (n, G) log2 expression
    genes: list[str]
    edges: np.ndarray  # (E, 2) regulator -> target, gene indices
    module: np.ndarray  # (G,) module of each gene, -1 for genes outside every module
    subtype: np.ndarray  # (n,) 0..n_subtypes-1
    copy_number: np.ndarray  # (n,) copies of the driver gene (2 = normal)
    clinical: pd.DataFrame  # age (years), stage (1-4)
    imaging: np.ndarray  # (n,) tumour diameter on imaging, mm (radiogenomics feature)
    outcome: np.ndarray  # (n,) 1 = event (e.g. progression within 2 years)
    driver: int  # index of the driver gene


def make_expression_cohort(n: int = 600, n_genes: int = 200, n_modules: int = 5,
                           module_size: int = 12, n_subtypes: int = 3, noise: float = 1.0,
                           seed: int = 0) -> ExpressionCohort:
    """Expression from a regulatory network: each module's regulator drives its targets (notebook 07).

    Subtypes set the regulators' activity; a driver gene is amplified in the last subtype and
    its copy number raises its expression (log2 CN/2). The outcome depends on subtype, copy
    number, age, stage and tumour size, and each data source sees only part of it.
    """
    rng = np.random.default_rng([seed, 7004])
    if n_modules * module_size + 1 > n_genes:
        raise ValueError("n_modules * module_size must leave room for the driver gene")
    subtype = rng.integers(0, n_subtypes, n)
    activity_means = rng.normal(0, 1.5, (n_subtypes, n_modules))  # regulator activity per subtype
    activity = activity_means[subtype] + rng.normal(0, 0.7, (n, n_modules))  # (n, M)
    expr = rng.normal(6.0, 1.0, n_genes) + rng.normal(0, noise, (n, n_genes))
    module = np.full(n_genes, -1)
    edges = []
    for m in range(n_modules):
        members = np.arange(m * module_size, (m + 1) * module_size)
        module[members] = m
        expr[:, members[0]] += activity[:, m]  # the regulator (e.g. a transcription factor)
        weights = rng.uniform(0.5, 1.2, module_size - 1) * rng.choice([-1, 1], module_size - 1)
        expr[:, members[1:]] += activity[:, [m]] * weights
        edges += [(members[0], t) for t in members[1:]]
    driver = n_modules * module_size
    amplified = rng.random(n) < np.where(subtype == n_subtypes - 1, 0.5, 0.08)
    copy_number = np.where(amplified, rng.choice([4, 6, 8], n), rng.choice([1, 2, 2, 2, 3], n))
    expr[:, driver] += np.log2(copy_number / 2)  # more copies, more transcripts
    age = rng.normal(62, 10, n).clip(30, 90)
    stage = rng.choice([1, 2, 3, 4], n, p=[0.3, 0.3, 0.25, 0.15])
    size = np.exp(rng.normal(np.log(25), 0.35, n) + 0.15 * (stage - 2))  # mm
    risk = (1.5 * (subtype == n_subtypes - 1) + 0.8 * np.log2(copy_number / 2) + 0.5 * (stage - 2)
            + 0.03 * (age - 62) + 1.2 * np.log(size / 25) + rng.normal(0, 0.5, n))
    outcome = (rng.random(n) < 1 / (1 + np.exp(-2 * (risk - np.median(risk))))).astype(int)
    genes = [f"REG{m}" if i == m * module_size else f"G{i:03d}" for i in range(n_genes)
             for m in [i // module_size]]
    genes[driver] = "DRIVER"
    return ExpressionCohort(expr.astype(np.float32), genes, np.array(edges), module, subtype,
                            copy_number, pd.DataFrame({"age": age.round(), "stage": stage}),
                            size.astype(np.float32), outcome, driver)
