"""Notebook 07's pharmacogenomics: every cohort genotype gets CPIC's phenotype and recommendation."""

import pytest

from course_lib.datasets import pharmacogenomics as pgx
from course_lib.synth.cohort import make_cohort


@pytest.fixture(scope="module")
def state():
    return make_cohort(600, seed=1, images=False).state


@pytest.mark.parametrize(("diplotype", "phenotype", "drug"), [
    ("*1/*1", "Normal Metabolizer", "clopidogrel"),
    ("*1/*17", "Rapid Metabolizer", "clopidogrel"),
    ("*17/*17", "Ultrarapid Metabolizer", "clopidogrel"),
    ("*1/*2", "Intermediate Metabolizer", "prasugrel or ticagrelor"),
    ("*17/*2", "Intermediate Metabolizer", "prasugrel or ticagrelor"),  # CPIC 2022: *2/*17 is IM
    ("*2/*2", "Poor Metabolizer", "prasugrel or ticagrelor"),
    ("*3/*2", "Poor Metabolizer", "prasugrel or ticagrelor"),
])
def test_cpic_2022_clopidogrel(diplotype, phenotype, drug):
    assert pgx.antiplatelet_for_acs(diplotype) == (phenotype, drug)


def test_statin_and_warfarin_facts():
    slco = {g: pgx.diplotype_phenotype("SLCO1B1", d) for g, d in pgx.SLCO1B1_FROM_RS4149056.items()}
    assert slco == {"TT": "Normal Function", "TC": "Decreased Function", "CC": "Poor Function"}
    assert pgx.recommendation("simvastatin", "Poor Function").startswith("Prescribe an alternative statin")
    assert "<20mg/day" in pgx.recommendation("simvastatin", "Decreased Function")
    assert pgx.recommendation("atorvastatin", "Poor Function").startswith("Prescribe <=20mg")
    assert pgx.cyp2c9_phenotype("*1/*1") == (2.0, "Normal Metabolizer")
    assert pgx.cyp2c9_phenotype("*1/*3") == (1.0, "Intermediate Metabolizer")
    assert pgx.cyp2c9_phenotype("*2/*3") == (0.5, "Poor Metabolizer")
    assert pgx.warfarin_advice("*3/*3", "GG") == pgx.WARFARIN_ALTERNATIVE
    assert pgx.warfarin_advice("*1/*2", "AA") == pgx.WARFARIN_ALGORITHM
    with pytest.raises(ValueError, match="VKORC1"):
        pgx.warfarin_advice("*1/*1", "XX")
    with pytest.raises(ValueError, match="diplotype"):
        pgx.antiplatelet_for_acs("*1-*2")


def test_every_cohort_genotype_matches_the_guideline_table(state):
    """Recompute each report row straight from the vendored tables, patient by patient."""
    report = pgx.pgx_report(state)
    assert len(report) == len(state)
    dips = pgx.pgx_table("diplotypes")
    recs = pgx.pgx_table("recommendations")
    c19 = dips[dips["Gene"] == "CYP2C19"].set_index("Diplotype")["Phenotype"]
    for (_, row), genotype in zip(report.iterrows(), state["cyp2c19"], strict=True):
        phenotype = c19[genotype]  # the cohort writes alleles in the table's order
        assert row["CYP2C19 phenotype"] == phenotype
        text = recs[(recs["Drug"] == "clopidogrel") & (recs["Phenotype1"] == phenotype)]["Recommendation"].item()
        avoid = text.startswith("Avoid")
        assert row["P2Y12 inhibitor (CPIC 2022)"] == ("prasugrel or ticagrelor" if avoid else "clopidogrel")
    assert pgx.cohort_phenotypes_agree(state).all()
    assert set(report["SLCO1B1 phenotype"]) <= {"Normal Function", "Decreased Function", "Poor Function"}


def test_tables_carry_their_source():
    assert pgx.__doc__ and "pypgx" in pgx.__doc__ and "MIT" in pgx.__doc__ and "35034351" in pgx.__doc__
    with pytest.raises(KeyError, match="unknown table"):
        pgx.pgx_table("nope")
