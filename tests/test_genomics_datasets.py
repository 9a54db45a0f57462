"""Notebook 07's real-data loaders on format-exact fixtures and on logomaker's bundled files."""

import gzip

import numpy as np
import pytest

from course_lib.datasets import genomics as gdata

VCF = """##fileformat=VCFv4.1
##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
10\t94781859\t12769\tG\tA\t.\t.\tALLELEID=27828;CLNDN=Clopidogrel_response;CLNSIG=drug_response;GENEINFO=CYP2C19:1557
10\t94761900\t16897\tC\tT\t.\t.\tALLELEID=31936;CLNSIG=drug_response;GENEINFO=CYP2C19:1557
12\t21178615\t37345\tT\tC\t.\t.\tALLELEID=46176;CLNSIG=drug_response;GENEINFO=SLCO1B1:10599
1\t1000\t1\tA\tG\t.\t.\tCLNSIG=Benign;GENEINFO=OTHER:1
"""


def test_read_fasta_with_comments_and_gzip(tmp_path):
    text = "# a comment line\n>site1 first\nacgtACGT\nAC\n>site2\nTTTT\n"
    (tmp_path / "a.fa").write_text(text)
    with gzip.open(tmp_path / "a.fa.gz", "wt") as f:
        f.write(text)
    for name in ("a.fa", "a.fa.gz"):
        table = gdata.read_fasta(tmp_path / name)
        assert table["id"].tolist() == ["site1", "site2"]
        assert table["sequence"].tolist() == ["ACGTACGTAC", "TTTT"]
    (tmp_path / "empty.fa").write_text("# nothing\n")
    with pytest.raises(ValueError, match="no FASTA records"):
        gdata.read_fasta(tmp_path / "empty.fa")


def test_read_vcf_and_info_keys(tmp_path):
    (tmp_path / "v.vcf").write_text(VCF)
    table = gdata.read_vcf(tmp_path / "v.vcf", info_keys=("GENEINFO", "CLNSIG", "CLNDN"))
    assert len(table) == 4 and table["POS"].dtype.kind == "i"
    assert table.loc[0, "CLNSIG"] == "drug_response" and table.loc[0, "CLNDN"] == "Clopidogrel_response"
    assert table["CLNDN"].isna().sum() == 3
    (tmp_path / "bad.vcf").write_text("not a vcf\n")
    with pytest.raises(ValueError, match="not a VCF"):
        gdata.read_vcf(tmp_path / "bad.vcf")


def test_clinvar_subset_by_gene(data_dir):
    folder = gdata.clinvar_dir()
    folder.mkdir(parents=True)
    assert not gdata.clinvar_available()
    with gzip.open(folder / "clinvar.vcf.gz", "wt") as f:
        f.write(VCF)
    assert gdata.clinvar_available()
    table = gdata.clinvar_gene_variants(("CYP2C19", "SLCO1B1"))
    assert table["GENEINFO"].str.split(":").str[0].tolist() == ["CYP2C19", "CYP2C19", "SLCO1B1"]


def test_logomaker_splice_sites_are_real_5prime_sites():
    sites = gdata.splice_sites()
    assert len(sites) == 10227 and sites["sequence"].str.len().eq(9).all()
    assert sites["sequence"].str[3].eq("G").all() and sites["sequence"].str[4].isin(["T", "C"]).all()
    top = sites.sort_values("count").iloc[-1]["sequence"]
    assert top.startswith("CAGGT")  # the consensus CAG|GTRAGT
    seqs, labels = gdata.splice_site_task(seed=0)
    assert set(np.array(seqs)[labels == 0]).isdisjoint(sites["sequence"])
    matrix = gdata.splice_probability_matrix()
    assert matrix.shape == (9, 4) and np.allclose(matrix.sum(1), 1, atol=1e-3)


def test_logomaker_missing_file_is_explained():
    with pytest.raises(FileNotFoundError, match="logomaker"):
        gdata.logomaker_file("no_such_file.txt")
