"""Notebook 16's library: the files layout, the MIMIC-CXR-JPG adapter on format-exact fixtures, models, metrics, widget."""

import gzip

import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from course_lib.datasets.handson import (
    MultimodalDataset,
    cohort_folder,
    mimic_cxr_table,
    mimic_image_path,
    mimic_report_path,
    pad_collate,
    read_reports_csv,
    report_sections,
    split_loaders,
    write_mimic_folder,
    write_xray_folder,
)
from course_lib.models.clip import TextEncoder, train_wordpiece
from course_lib.models.handson import FusionModel, ImageEncoder
from course_lib.synth import make_cohort
from course_lib.training.handson import (
    choose_threshold,
    evaluate_multimodal,
    multimodal_loss,
    predict_multimodal,
)
from course_lib.training.losses import info_nce
from course_lib.widgets.handson import retrieve_films

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    cohort = make_cohort(60, seed=3, image_size=32, cache=False)
    root = write_xray_folder(cohort, tmp_path_factory.mktemp("files"))
    tok = train_wordpiece(list(read_reports_csv(root / "reports.csv")["report"]), vocab_size=300)
    return cohort, root, tok


def test_folder_layout_round_trips(small):
    cohort, root, _ = small
    table = read_reports_csv(root / "reports.csv")
    assert list(table.columns[:4]) == ["patient_id", "image", "report", "split"]
    assert set(table["split"]) == {"train", "validate", "test"} and table["patient_id"].is_unique
    assert table["pneumonia"].tolist() == cohort.labels[:, 0].astype(int).tolist()
    with Image.open(root / table["image"][5]) as img:
        assert img.mode == "L"
        pixels = np.asarray(img) / 255
    assert np.abs(pixels - cohort.images[5]).max() <= 0.5 / 255 + 1e-6  # 8-bit quantisation only
    before = (root / "reports.csv").stat().st_mtime_ns
    write_xray_folder(cohort, root)  # complete: reused, not rewritten
    assert (root / "reports.csv").stat().st_mtime_ns == before


def test_cohort_folder_names_the_cohort(small):
    cohort, _, _ = small
    assert cohort_folder(cohort).parent.name == "handson" and "n60_s3_px32" in cohort_folder(cohort).name


def test_dataset_items_collate_and_loaders(small):
    _, root, tok = small
    ds = MultimodalDataset(root, tok, image_size=32, max_length=24)
    item = ds[0]
    assert item["image"].shape == (1, 32, 32) and abs(float(item["image"].mean())) < 1e-4
    assert item["input_ids"].dtype == torch.long and len(item["input_ids"]) <= 24
    batch = pad_collate([ds[i] for i in range(5)])
    T = max(len(ds[i]["input_ids"]) for i in range(5))
    assert batch["input_ids"].shape == (5, T) and batch["image"].shape == (5, 1, 32, 32)
    short = min(range(5), key=lambda i: len(ds[i]["input_ids"]))
    n = len(ds[short]["input_ids"])
    assert batch["attention_mask"][short, n:].sum() == 0 and (batch["input_ids"][short, n:] == 0).all()
    first = [next(iter(split_loaders(ds, 8, seed=1)["train"]))["input_ids"] for _ in range(2)]
    assert torch.equal(first[0], first[1])  # seeded shuffling
    sizes = {k: len(v.dataset) for k, v in split_loaders(ds, 8).items()}
    assert sum(sizes.values()) == 60


def test_dataset_errors_name_the_row(small, tmp_path):
    _, root, tok = small
    table = read_reports_csv(root / "reports.csv").head(3).copy()
    table.loc[1, "image"] = "xrays/nowhere.png"
    table.to_csv(tmp_path / "reports.csv", index=False)
    (tmp_path / "xrays").mkdir()
    for name in table["image"][[0, 2]]:
        (tmp_path / name).write_bytes((root / name).read_bytes())
    ds = MultimodalDataset(tmp_path, tok)
    with pytest.raises(FileNotFoundError, match="row 1"):
        ds[1]
    (tmp_path / table["image"][2]).write_bytes(b"not a png")
    with pytest.raises(ValueError, match="row 2"):
        ds[2]
    with pytest.raises(ValueError, match="no label column"):
        MultimodalDataset(tmp_path, tok, label="fracture")
    (tmp_path / "bad.csv").write_text("patient_id,report\nA,x\n")
    with pytest.raises(ValueError, match="lacks the columns"):
        read_reports_csv(tmp_path / "bad.csv")


# --- MIMIC-CXR-JPG on a format-exact fixture -----------------------------------------------------

def _gz_csv(path, frame):
    with gzip.open(path, "wt") as f:
        frame.to_csv(f, index=False)


@pytest.fixture
def mimic(tmp_path):
    """Two patients, three studies; one study has a PA and a lateral film; one film not fetched."""
    films = pd.DataFrame({
        "dicom_id": ["aa-1", "aa-2", "bb-1", "cc-1"],
        "subject_id": [10000032, 10000032, 10000032, 11000011],
        "study_id": [50414267, 50414267, 53189527, 56699142],
        "ViewPosition": ["PA", "LATERAL", "AP", "PA"],
    })
    _gz_csv(tmp_path / "mimic-cxr-2.0.0-metadata.csv.gz", films.assign(Rows=3056, Columns=2544))
    _gz_csv(tmp_path / "mimic-cxr-2.0.0-split.csv.gz",
            films[["dicom_id", "study_id", "subject_id"]].assign(split=["train", "train", "train", "test"]))
    _gz_csv(tmp_path / "mimic-cxr-2.0.0-chexpert.csv.gz", pd.DataFrame({
        "subject_id": [10000032, 10000032, 11000011], "study_id": [50414267, 53189527, 56699142],
        "Pneumonia": [np.nan, -1.0, 1.0], "No Finding": [1.0, np.nan, np.nan],
        "Pleural Effusion": [0.0, 1.0, np.nan]}))
    for d, s, t in [("aa-1", 10000032, 50414267), ("bb-1", 10000032, 53189527)]:  # cc-1 not fetched
        path = tmp_path / mimic_image_path(s, t, d)
        path.parent.mkdir(parents=True)
        Image.fromarray(np.full((48, 40), 128, np.uint8), mode="L").save(path, format="JPEG")
    for s, t, text in [(10000032, 50414267, "EXAMINATION: CHEST (PA AND LAT)\nFINDINGS: Lungs are clear.\n"
                        "IMPRESSION: No acute cardiopulmonary process."),
                       (10000032, 53189527, "FINDINGS: Patchy right basilar opacity.\n IMPRESSION:  May represent "
                        "pneumonia. \nRECOMMENDATION(S): Follow-up radiograph.")]:
        path = tmp_path / "reports" / mimic_report_path(s, t)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_mimic_paths_follow_physionet():
    assert mimic_image_path(10000032, 50414267, "02aa804e") == "files/p10/p10000032/s50414267/02aa804e.jpg"
    assert mimic_report_path(10000032, 50414267) == "files/p10/p10000032/s50414267.txt"


def test_report_sections_impression_first():
    text = "FINDINGS: Opacity.\nIMPRESSION: Pneumonia.\nRECOMMENDATION(S): Repeat."
    assert report_sections(text) == "IMPRESSION: Pneumonia.\nFINDINGS: Opacity."
    assert report_sections("  wet read   only ") == "wet read only"


def test_mimic_table_one_frontal_film_per_study(mimic):
    table = mimic_cxr_table(mimic, mimic / "reports")
    assert table["study_id"].tolist() == [50414267, 53189527]  # lateral dropped; unfetched study dropped
    assert table["image"][0] == "files/p10/p10000032/s50414267/aa-1.jpg"
    assert table["pneumonia"].tolist() == [0.0, 1.0]  # blank -> 0, uncertain -> 1 (U-Ones)
    assert table["pleural_effusion"].tolist() == [0.0, 1.0]
    assert table["report"][1].startswith("IMPRESSION: May represent pneumonia.")
    assert "RECOMMENDATION" not in table["report"][1]
    zeros = mimic_cxr_table(mimic, mimic / "reports", uncertain_as=0.0)
    assert zeros["pneumonia"].tolist() == [0.0, 0.0]
    assert len(mimic_cxr_table(mimic, mimic / "reports", split="test", present_only=False)) == 1


def test_mimic_folder_feeds_the_dataset(mimic):
    csv = write_mimic_folder(mimic, mimic / "reports")
    tok = train_wordpiece(list(read_reports_csv(csv)["report"]) * 3, vocab_size=100)
    item = MultimodalDataset(mimic, tok, image_size=32)[1]
    assert item["image"].shape == (1, 32, 32) and float(item["label"]) == 1.0


def test_mimic_missing_tables_say_how_to_fetch(tmp_path):
    with pytest.raises(FileNotFoundError, match="fetch_mimic_cxr.py"):
        mimic_cxr_table(tmp_path)


# --- models, loss, metrics, widget ---------------------------------------------------------------

def test_image_encoder_sizes():
    X = torch.randn(2, 1, 32, 32)
    for stages, dim in ((1, 64), (2, 128), (3, 256), (4, 512)):
        enc = ImageEncoder(stages)
        assert enc.out_dim == dim and enc(X).shape == (2, dim)
    big = ImageEncoder(arch="resnet50")
    assert big.out_dim == 2048 and big.eval()(torch.randn(1, 1, 64, 64)).shape == (1, 2048)
    with pytest.raises(ValueError, match="stages"):
        ImageEncoder(5)


def test_fusion_model_and_loss():
    torch.manual_seed(0)
    model = FusionModel(ImageEncoder(1), TextEncoder(50, hidden=16, layers=1, heads=2), hidden_dim=8, emb_dim=4)
    assert model.fusion.in_features == 64 + 16
    ids = torch.randint(5, 50, (3, 7))
    out = model.eval()(torch.randn(3, 1, 32, 32), ids, torch.ones_like(ids))
    assert out["img_emb"].shape == (3, 4) and torch.allclose(out["text_emb"].norm(dim=-1), torch.ones(3))
    y = torch.tensor([1.0, 0.0, 1.0])
    want = info_nce(out["img_emb"], out["text_emb"], model.logit_scale) + \
        0.5 * torch.nn.functional.binary_cross_entropy_with_logits(out["logits"], y)
    assert torch.allclose(multimodal_loss(out, y, model.logit_scale, 0.5), want)


def test_evaluate_and_predict():
    emb = np.eye(20, dtype=np.float32)
    metrics = evaluate_multimodal({"img_emb": emb, "text_emb": emb, "prob": np.linspace(0, 1, 20),
                                   "label": (np.arange(20) >= 10).astype(float)}, k=10)
    assert metrics["image→text R@10"] == 1.0 and metrics["chance R@10"] == 0.5 and metrics["AUC"] == 1.0

    class Echo(torch.nn.Module):
        def forward(self, image, input_ids, attention_mask):
            v = image.flatten(1)
            return {"img_emb": v, "text_emb": v, "logits": v[:, 0]}

    batch = {"image": torch.randn(4, 1, 2, 2), "input_ids": torch.zeros(4, 3, dtype=torch.long),
             "attention_mask": torch.ones(4, 3, dtype=torch.long), "label": torch.ones(4)}
    pred = predict_multimodal(Echo(), [batch, batch])
    assert pred["img_emb"].shape == (8, 4) and pred["prob"].min() > 0


def test_choose_threshold_and_widget_logic():
    p, y = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.2]), np.array([1, 1, 0, 1, 0, 0])
    assert choose_threshold(p, y, 0.6) == 0.8 and choose_threshold(p, y, 1.0) == 0.4
    sim = np.array([[0.9, 0.1, 0.3], [0.2, 0.8, 0.7], [0.1, 0.5, 0.6]])
    table = retrieve_films(sim, 2, np.array([0, 1, 1]), k=2)
    assert table["film"].tolist() == [1, 2] and table["own film"].tolist() == [False, True]
    with pytest.raises(ValueError, match="report index"):
        retrieve_films(sim, 3, np.zeros(3))


def test_figures(small):
    from course_lib.viz.handson import plot_folder, plot_history, plot_retrieved

    _, root, _ = small
    assert plot_folder(root, read_reports_csv(root / "reports.csv"), rows=(0, 1)).axes
    assert plot_history({"train_loss": [3, 2, 1], "val_loss": [3, 2.5, 2.7], "best_epoch": 1}).axes
    assert plot_retrieved("q", [np.zeros((4, 4))] * 2, ["a", "b"]).axes
