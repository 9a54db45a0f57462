"""Graph fusion of notebook 11: kNN edges, GCN/GAT patient graphs, the knowledge graph."""

import numpy as np
import pandas as pd
import pytest
import torch

from course_lib.datasets.knowledge_graph import (
    DISEASES,
    RELATIONS,
    kg_edge_index,
    node_list,
    patient_evidence,
)
from course_lib.models.graph import KnowledgeGraphGNN, PatientGNN, knn_edges, train_node_classifier


def test_knn_edges_point_from_neighbours_to_node():
    x = torch.tensor([[0.0], [1.0], [10.0], [11.5]])
    ei = knn_edges(x, k=1)
    assert ei.shape == (2, 4)
    assert dict(zip(ei[1].tolist(), ei[0].tolist(), strict=True)) == {0: 1, 1: 0, 2: 3, 3: 2}
    assert not (ei[0] == ei[1]).any()


@pytest.mark.parametrize("conv", ["gcn", "gat"])
def test_patient_gnn_learns_a_clustered_graph(conv):
    torch.manual_seed(0)
    y = torch.arange(60) % 2
    x = torch.randn(60, 4) + 3 * y[:, None]
    ei = knn_edges(x, 5)
    model = PatientGNN(4, 16, conv)
    mask = torch.arange(60) < 40
    train_node_classifier(model, x, ei, y[:, None].float(), mask, num_epochs=60)
    with torch.no_grad():
        pred = model(x, ei)[:, 0] > 0
    assert model(x, ei).shape == (60, 1) and (pred[~mask] == y[~mask].bool()).float().mean() > 0.9
    with pytest.raises(ValueError):
        PatientGNN(4, conv="sage")


def test_knowledge_graph_is_consistent():
    names = [n for n, _ in node_list()]
    assert names[: len(DISEASES)] == list(DISEASES) and len(set(names)) == len(names)
    assert all(d in DISEASES and e in names for d, e, _ in RELATIONS)
    ei = kg_edge_index()
    assert ei.shape == (2, 2 * len(RELATIONS)) and int(ei.max()) < len(names)


def test_patient_evidence_and_kg_gnn():
    complaints = ["cough and fever for 3 days", "palpitations for 2 hours"]
    rl = pd.DataFrame({f: [np.nan, np.nan] for f in
                       ["consolidation", "atelectasis", "oedema", "effusion", "cardiomegaly", "hyperinflation"]})
    rl.loc[0, "consolidation"] = 1
    cols = ["heart_rate", "sbp", "dbp", "resp_rate", "spo2", "temperature",
            *[f"log {n}" for n in ["wbc", "crp", "procalcitonin", "troponin", "bnp", "lactate",
                                   "creatinine", "d_dimer"]]]
    clinical = np.zeros((2, len(cols)), np.float32)
    clinical[1, 0] = 2.0  # tachycardia
    ev = patient_evidence(complaints, rl, clinical, cols)
    names = [n for n, _ in node_list()]
    assert ev.shape == (2, len(names))
    assert ev[0, names.index("cough")] == 1 and ev[0, names.index("consolidation")] == 1
    assert ev[1, names.index("palpitations")] == 1 and ev[1, names.index("tachycardia")] == 2
    model = KnowledgeGraphGNN(len(names), len(DISEASES), kg_edge_index())
    assert model(torch.tensor(ev)).shape == (2, len(DISEASES))
