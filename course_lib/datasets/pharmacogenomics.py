"""CPIC tables for the cohort's pharmacogenomic panel: genotype -> phenotype -> recommendation (notebook 07).

The tables are rows of pypgx 0.27.0's CSV files (api/data/*.csv, MIT licence,
Copyright (c) 2020 Seung-been "Steven" Lee), which transcribe CPIC's allele-function,
diplotype-to-phenotype and recommendation tables. Vendored here (a few rows) so the
course does not install pypgx and its heavy dependencies. Sources of the recommendations:
CPIC CYP2C19/clopidogrel 2022 update (Lee et al., Clin Pharmacol Ther 112:959-967,
doi:10.1002/cpt.2526, PMID 35034351); CPIC SLCO1B1/ABCG2/CYP2C9 and statins 2022
(Cooper-DeHoff et al., Clin Pharmacol Ther 2022, PMID 35152405); CPIC warfarin 2017 update
(Johnson et al., Clin Pharmacol Ther 102:397-404, doi:10.1002/cpt.668).
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd

ALLELES = """\
Gene,StarAllele,ActivityScore,Function,GRCh38Core
CYP2C9,*1,1,Normal Function,
CYP2C9,*2,0.5,Decreased Function,10-94942290-C-T
CYP2C9,*3,0,No Function,10-94981296-A-C
CYP2C19,*1,,Normal Function,10-94842866-A-G
CYP2C19,*2,,No Function,"10-94775367-A-G,10-94781859-G-A"
CYP2C19,*3,,No Function,10-94780653-G-A
CYP2C19,*17,,Increased Function,10-94761900-C-T
SLCO1B1,*1,,Normal Function,
SLCO1B1,*5,,No Function,12-21178615-T-C
SLCO1B1,*15,,No Function,"12-21176804-A-G,12-21178615-T-C"
"""

DIPLOTYPES = """\
Gene,Diplotype,Phenotype
CYP2C19,*1/*2,Intermediate Metabolizer
CYP2C19,*1/*3,Intermediate Metabolizer
CYP2C19,*2/*17,Intermediate Metabolizer
CYP2C19,*3/*17,Intermediate Metabolizer
CYP2C19,*1/*1,Normal Metabolizer
CYP2C19,*2/*2,Poor Metabolizer
CYP2C19,*2/*3,Poor Metabolizer
CYP2C19,*3/*3,Poor Metabolizer
CYP2C19,*1/*17,Rapid Metabolizer
CYP2C19,*17/*17,Ultrarapid Metabolizer
SLCO1B1,*1/*1,Normal Function
SLCO1B1,*1/*5,Decreased Function
SLCO1B1,*1/*15,Decreased Function
SLCO1B1,*5/*5,Poor Function
SLCO1B1,*5/*15,Poor Function
SLCO1B1,*15/*15,Poor Function
"""

EQUATIONS = """\
Gene,Phenotype,Equation
CYP2C9,Poor Metabolizer,0 <= score < 1
CYP2C9,Intermediate Metabolizer,1 <= score < 2
CYP2C9,Normal Metabolizer,2 == score
"""

RECOMMENDATIONS = """\
Drug,Gene1,Phenotype1,Recommendation
clopidogrel,CYP2C19,Ultrarapid Metabolizer,"If considering clopidogrel, use at standard dose (75 mg/day)."
clopidogrel,CYP2C19,Rapid Metabolizer,"If considering clopidogrel, use at standard dose (75 mg/day)."
clopidogrel,CYP2C19,Normal Metabolizer,"If considering clopidogrel, use at standard dose (75 mg/day)."
clopidogrel,CYP2C19,Likely Intermediate Metabolizer,Avoid standard dose clopidogrel (75 mg) if possible. Use prasugrel or ticagrelor at standard dose if no contraindication.
clopidogrel,CYP2C19,Intermediate Metabolizer,Avoid standard dose (75 mg) clopidogrel if possible. Use prasugrel or ticagrelor at standard dose if no contraindication.
clopidogrel,CYP2C19,Likely Poor Metabolizer,Avoid standard dose (75 mg/day) clopidogrel if possible. Use prasugrel or ticagrelor at standard dose if no contraindication.
clopidogrel,CYP2C19,Poor Metabolizer,Avoid standard dose (75 mg/day) clopidogrel if possible. Use prasugrel or ticagrelor at standard dose if no contraindication.
clopidogrel,CYP2C19,Indeterminate,None
atorvastatin,SLCO1B1,Increased Function,Prescribe desired starting dose and adjust doses based on disease-specific guidelines.
atorvastatin,SLCO1B1,Normal Function,Prescribe desired starting dose and adjust doses based on disease-specific guidelines.
atorvastatin,SLCO1B1,Possible Decreased Function,"Prescribe <=40mg as a starting dose and adjust doses of atorvastatin based on disease-specific guidelines. Prescriber should be aware of possible increased risk for myopathy especially for 40mg dose. If dose >40mg needed for desired efficacy, consider combination therapy (i.e., atorvastatin plus non-statin guideline directed medical therapy) (PMID: 30423391)."
atorvastatin,SLCO1B1,Decreased Function,"Prescribe <=40mg as a starting dose and adjust doses of atorvastatin based on disease-specific guidelines. Prescriber should be aware of possible increased risk for myopathy especially for 40mg dose. If dose >40mg needed for desired efficacy, consider combination therapy (i.e., atorvastatin plus non-statin guideline directed medical therapy) (PMID: 30423391)."
atorvastatin,SLCO1B1,Poor Function,"Prescribe <=20mg as a starting dose and adjust doses of atorvastatin based on disease-specific guidelines. If dose >20mg is needed for desired efficacy, consider rosuvastatin or combination therapy (i.e., atorvastatin plus non-statin guideline directed medical therapy) (PMID: 30423391)."
atorvastatin,SLCO1B1,Indeterminate,None
simvastatin,SLCO1B1,Increased Function,Prescribe desired starting dose and adjust doses based on disease-specific guidelines.
simvastatin,SLCO1B1,Normal Function,Prescribe desired starting dose and adjust doses based on disease-specific guidelines.
simvastatin,SLCO1B1,Possible Decreased Function,"Prescribe an alternative statin depending on the desired potency (see Figure 1 of PMID: 35152405 for recommendations for alternative statins). If simvastatin therapy is warranted, limit dose to <20mg/day."
simvastatin,SLCO1B1,Decreased Function,"Prescribe an alternative statin depending on the desired potency (see Figure 1 of PMID: 35152405 for recommendations for alternative statins). If simvastatin therapy is warranted, limit dose to <20mg/day."
simvastatin,SLCO1B1,Poor Function,Prescribe an alternative statin depending on the desired potency (see Figure 1 of PMID: 35152405 for recommendations for alternative statins).
simvastatin,SLCO1B1,Indeterminate,None
"""

# The cohort genotypes only rs4149056 (c.521T>C). Its C allele defines SLCO1B1 *5 and *15,
# both "No Function" in the tables above, so a representative diplotype gives the phenotype.
SLCO1B1_FROM_RS4149056 = {"TT": "*1/*1", "TC": "*1/*5", "CC": "*5/*5"}

# CPIC 2017 warfarin (Fig. 2, footnote e): consider an alternative agent for CYP2C9 poor
# metabolisers; otherwise dose with a validated pharmacogenetic algorithm (IWPC or Gage).
WARFARIN_ALGORITHM = "dose with a validated pharmacogenetic algorithm (IWPC or Gage), target INR 2-3"
WARFARIN_ALTERNATIVE = "consider an alternative anticoagulant (CYP2C9 poor metaboliser)"


def pgx_table(name: str) -> pd.DataFrame:
    """One of the vendored CPIC/pypgx tables: alleles, diplotypes, equations, recommendations."""
    return _parsed(name).copy()


@functools.cache
def _parsed(name: str) -> pd.DataFrame:
    """Parse a vendored table once per session (lookups run for every patient)."""
    tables = {"alleles": ALLELES, "diplotypes": DIPLOTYPES, "equations": EQUATIONS,
              "recommendations": RECOMMENDATIONS}
    if name not in tables:
        raise KeyError(f"unknown table {name!r}; choose one of {list(tables)}")
    return pd.read_csv(io.StringIO(tables[name]), keep_default_na=False)


def _split(diplotype: str) -> tuple[str, str]:
    parts = str(diplotype).replace(" ", "").split("/")
    if len(parts) != 2 or not all(p.startswith("*") for p in parts):
        raise ValueError(f"{diplotype!r} is not a diplotype such as '*1/*2'")
    return parts[0], parts[1]


@functools.cache
def _lookups() -> dict[str, dict]:
    """The tables as dictionaries, built once: pandas filtering per patient would be slow."""
    alleles, dips, recs = _parsed("alleles"), _parsed("diplotypes"), _parsed("recommendations")
    return {
        "function": {(g, a): f for g, a, f in alleles[["Gene", "StarAllele", "Function"]].itertuples(index=False)},
        "score": {(g, a): s for g, a, s in alleles[["Gene", "StarAllele", "ActivityScore"]].itertuples(index=False)},
        "phenotype": {(g, d): p for g, d, p in dips.itertuples(index=False)},
        "recommendation": {(d, p): r for d, p, r in recs[["Drug", "Phenotype1", "Recommendation"]].itertuples(index=False)},
    }


def allele_function(gene: str) -> dict[str, str]:
    """Star allele -> CPIC function ('Normal Function', 'No Function', ...) for one gene."""
    return {a: f for (g, a), f in _lookups()["function"].items() if g == gene}


def diplotype_phenotype(gene: str, diplotype: str) -> str:
    """CPIC phenotype of a CYP2C19 or SLCO1B1 diplotype, in either allele order."""
    a, b = _split(diplotype)
    table = _lookups()["phenotype"]
    for key in ((gene, f"{a}/{b}"), (gene, f"{b}/{a}")):
        if key in table:
            return str(table[key])
    raise KeyError(f"{gene} {diplotype} is not in the vendored table (alleles {sorted(allele_function(gene))})")


def cyp2c9_phenotype(diplotype: str) -> tuple[float, str]:
    """(activity score, phenotype) of a CYP2C9 diplotype: the sum of its alleles' scores."""
    scores = _lookups()["score"]
    alleles = _split(diplotype)
    missing = [a for a in alleles if ("CYP2C9", a) not in scores]
    if missing:
        raise KeyError(f"CYP2C9 {missing} not in the vendored table (alleles {sorted(allele_function('CYP2C9'))})")
    score = sum(float(scores["CYP2C9", a]) for a in alleles)
    phenotype = ("Poor Metabolizer" if score < 1 else "Intermediate Metabolizer" if score < 2
                 else "Normal Metabolizer")  # the equations table: 0<=s<1, 1<=s<2, s==2
    return score, phenotype


def recommendation(drug: str, phenotype: str) -> str:
    """CPIC's recommendation text for a drug and a phenotype of its gene."""
    try:
        return str(_lookups()["recommendation"][drug, phenotype])
    except KeyError:
        raise KeyError(f"no recommendation for {drug} and {phenotype!r}") from None


def antiplatelet_for_acs(diplotype: str, allele_function: dict | None = None) -> tuple[str, str]:
    """(CYP2C19 phenotype, P2Y12 inhibitor) for acute coronary syndrome / PCI, by CPIC 2022.

    `allele_function` is accepted for the exercise's signature; the tables decide here.
    """
    phenotype = diplotype_phenotype("CYP2C19", diplotype)
    text = recommendation("clopidogrel", phenotype)
    drug = "prasugrel or ticagrelor" if text.startswith("Avoid") else "clopidogrel"
    return phenotype, drug


def warfarin_advice(cyp2c9: str, vkorc1_1639: str) -> str:
    """CPIC 2017 for non-African ancestry, without CYP4F2 (not on the cohort's panel)."""
    if vkorc1_1639 not in ("GG", "GA", "AG", "AA"):
        raise ValueError(f"VKORC1 -1639 genotype must be GG, GA or AA, got {vkorc1_1639!r}")
    return WARFARIN_ALTERNATIVE if cyp2c9_phenotype(cyp2c9)[1] == "Poor Metabolizer" else WARFARIN_ALGORITHM


def pgx_report(state: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: genotypes, CPIC phenotypes and the recommendations a cardiologist reads."""
    rows = []
    for r in state.itertuples(index=False):
        c19, drug = antiplatelet_for_acs(r.cyp2c19)
        slco = diplotype_phenotype("SLCO1B1", SLCO1B1_FROM_RS4149056[r.slco1b1_521])
        score, c9 = cyp2c9_phenotype(r.cyp2c9)
        rows.append({
            "patient": r.patient_id, "CYP2C19": r.cyp2c19, "CYP2C19 phenotype": c19,
            "P2Y12 inhibitor (CPIC 2022)": drug, "SLCO1B1 c.521T>C": r.slco1b1_521,
            "SLCO1B1 phenotype": slco, "atorvastatin (CPIC 2022)": recommendation("atorvastatin", slco),
            "simvastatin (CPIC 2022)": recommendation("simvastatin", slco),
            "CYP2C9": r.cyp2c9, "CYP2C9 activity score": score, "CYP2C9 phenotype": c9,
            "VKORC1 -1639": r.vkorc1_1639, "warfarin (CPIC 2017)": warfarin_advice(r.cyp2c9, r.vkorc1_1639),
        })
    return pd.DataFrame(rows).set_index("patient")


def phenotype_counts(report: pd.DataFrame) -> pd.DataFrame:
    """How many patients per CYP2C19 phenotype and drug choice."""
    return (report.groupby(["CYP2C19 phenotype", "P2Y12 inhibitor (CPIC 2022)"]).size()
            .rename("patients").reset_index())


def cohort_phenotypes_agree(state: pd.DataFrame) -> np.ndarray:
    """(n,) whether the cohort's own clopidogrel_metaboliser matches CPIC's phenotype."""
    cpic = [diplotype_phenotype("CYP2C19", d).split()[0].lower() for d in state["cyp2c19"]]
    return np.asarray(cpic) == state["clopidogrel_metaboliser"].str.lower().to_numpy()
