"""Real sequence data: FASTA and VCF readers, logomaker's bundled splice sites, ClinVar (notebook 07).

logomaker 0.8.7 (MIT) ships real data with its examples: 5' splice-site 9-mers of the human
genome with their counts (GENCODE on hg38; Tareen & Kinney, Bioinformatics 2020), E. coli CRP
sites from RegulonDB, and SpliceAI saliency values (Jaganathan et al., Cell 2019).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.setup import data_dir

VCF_COLUMNS = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]


def logomaker_file(name: str, folder: str = "datafiles") -> Path:
    """Path of a data file bundled with logomaker (no download)."""
    try:
        import logomaker
    except ImportError as err:
        raise ImportError("logomaker is not installed: `pip install -r requirements.txt`") from err
    path = Path(logomaker.__file__).parent / "examples" / folder / name
    if not path.exists():
        raise FileNotFoundError(f"{name} is not bundled with this logomaker version; install logomaker==0.8.7")
    return path


def read_fasta(path) -> pd.DataFrame:
    """A FASTA file (plain or .gz) as a table of id, description, sequence, with Biopython.

    Lines before the first record are comments (the "fasta-pearson" dialect).
    """
    from Bio import SeqIO

    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        rows = [{"id": r.id, "description": r.description, "sequence": str(r.seq).upper()}
                for r in SeqIO.parse(handle, "fasta-pearson")]
    if not rows:
        raise ValueError(f"{path} holds no FASTA records (lines starting with '>')")
    return pd.DataFrame(rows)


def read_vcf(path, info_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """The variant lines of a VCF (plain or .gz) as a table; `info_keys` become columns."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        header = None
        for line in handle:
            if line.startswith("#CHROM"):
                header = line[1:].rstrip("\n").split("\t")
                break
        if header is None or header[:8] != VCF_COLUMNS:
            raise ValueError(f"{path} is not a VCF: no '#CHROM POS ID REF ALT QUAL FILTER INFO' line")
        table = pd.read_csv(handle, sep="\t", names=header, dtype=str, comment=None)
    table["POS"] = table["POS"].astype(int)
    for key in info_keys:
        table[key] = table["INFO"].str.extract(rf"(?:^|;){key}=([^;]*)", expand=False)
    return table


def splice_sites(min_count: int = 1) -> pd.DataFrame:
    """Real human 5' splice-site 9-mers (3 exon + 6 intron bases) with their genome counts."""
    table = pd.read_csv(logomaker_file("ss_sequences.txt"), sep="\t", comment="#")
    table["sequence"] = table["sequence"].str.replace("U", "T")  # RNA letters -> DNA
    return table[table["count"] >= min_count].reset_index(drop=True)


def splice_site_task(seed: int = 0, n_decoys_per_site: float = 1.0) -> tuple[list[str], np.ndarray]:
    """Real 5' splice sites (1) vs random 9-mers of the same NNNGYNNNN form (0), shuffled.

    Decoys keep the G and the C/T at intron positions +1/+2 that every listed site has, so a
    model must learn the rest of the consensus; decoys that occur as real sites are dropped.
    """
    real = splice_sites()["sequence"].tolist()
    rng = np.random.default_rng([seed, 7003])
    n = int(len(real) * n_decoys_per_site * 1.2) + 10
    p = np.array([0.295, 0.205, 0.205, 0.295])  # human genome base frequencies (41% GC)
    body = np.array(list("ACGT"))[rng.choice(4, size=(n, 9), p=p)]
    body[:, 3] = "G"
    body[:, 4] = np.where(rng.random(n) < 0.5, "T", "C")
    decoys = sorted(set("".join(r) for r in body) - set(real))
    decoys = list(rng.permutation(decoys)[: int(len(real) * n_decoys_per_site)])
    seqs = np.array(real + decoys)
    labels = np.r_[np.ones(len(real), int), np.zeros(len(decoys), int)]
    order = rng.permutation(len(seqs))
    return seqs[order].tolist(), labels[order]


def splice_probability_matrix() -> pd.DataFrame:
    """logomaker's (9, 4) base-probability matrix of the real 5' splice sites (A, C, G, T)."""
    table = pd.read_csv(logomaker_file("ss_probability_matrix.txt", "matrices"), sep="\t",
                        comment="#", index_col=0)
    return table.rename(columns={"U": "T"})[["A", "C", "G", "T"]]


def clinvar_dir() -> Path:
    """Where data_scripts/fetch_clinvar.py puts ClinVar's GRCh38 VCF."""
    return data_dir() / "clinvar"


def clinvar_available(folder: Path | None = None) -> bool:
    """Whether the ClinVar VCF has been fetched."""
    return ((folder or clinvar_dir()) / "clinvar.vcf.gz").exists()


def clinvar_gene_variants(genes: tuple[str, ...], folder: Path | None = None,
                          max_lines: int | None = None) -> pd.DataFrame:
    """ClinVar variants in the given genes (GENEINFO), with their clinical significance (CLNSIG)."""
    path = (folder or clinvar_dir()) / "clinvar.vcf.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python data_scripts/fetch_clinvar.py`")
    keep = ["##fileformat=VCFv4.1\n"]
    tags = tuple(f"GENEINFO={g}:" for g in genes)
    with gzip.open(path, "rt") as handle:  # 100+ MB: stream it, keep only the genes asked for
        for i, line in enumerate(handle):
            if max_lines and i >= max_lines:
                break
            if line.startswith("#CHROM") or (line[0] != "#" and any(t in line for t in tags)):
                keep.append(line)
    subset = path.with_name("subset_" + "_".join(genes) + ".vcf")
    subset.write_text("".join(keep))
    return read_vcf(subset, info_keys=("GENEINFO", "CLNSIG", "CLNDN"))
