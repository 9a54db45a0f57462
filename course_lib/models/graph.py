"""Graph fusion: kNN patient-similarity graphs, a small medical knowledge graph, GCN/GAT (notebook 11)."""

from __future__ import annotations

import warnings

import torch
from torch import nn

with warnings.catch_warnings():  # torch_geometric 2.8 still calls the deprecated torch.jit.script on import
    warnings.simplefilter("ignore", FutureWarning)
    from torch_geometric.nn import GATConv, GCNConv


def knn_edges(x: torch.Tensor, k: int) -> torch.Tensor:
    """Edges from each node's k nearest neighbours (Euclidean, no self-loops) (notebook 11).

    x (N, D) -> edge_index (2, N * k), row 0 the neighbour (source), row 1 the node (target):
    torch_geometric's direction, so messages flow from neighbours to the node.
    """
    dist = torch.cdist(x, x)  # (N, N)
    dist.fill_diagonal_(float("inf"))  # a node is not its own neighbour
    nbrs = dist.topk(k, dim=1, largest=False).indices  # (N, k)
    target = torch.arange(len(x)).repeat_interleave(k)  # (N * k,)
    return torch.stack([nbrs.reshape(-1), target])


class PatientGNN(nn.Module):
    """Two graph layers (GCN or GAT) over a patient-similarity graph, one logit per node (notebook 11)."""

    def __init__(self, in_dim: int, hidden: int = 32, conv: str = "gcn", heads: int = 4,
                 num_outputs: int = 1, dropout: float = 0.3):
        super().__init__()
        if conv == "gcn":
            self.conv1 = GCNConv(in_dim, hidden)
            self.conv2 = GCNConv(hidden, num_outputs)
        elif conv == "gat":
            self.conv1 = GATConv(in_dim, hidden // heads, heads=heads)  # heads concatenated
            self.conv2 = GATConv(hidden, num_outputs, heads=1)
        else:
            raise ValueError(f"conv must be 'gcn' or 'gat', got {conv!r}")
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        h = self.dropout(torch.relu(self.conv1(self.dropout(x), edge_index)))  # (N, hidden)
        return self.conv2(h, edge_index)  # (N, num_outputs)


def train_node_classifier(model: nn.Module, x: torch.Tensor, edge_index: torch.Tensor,
                          y: torch.Tensor, train_mask: torch.Tensor, num_epochs: int = 200,
                          lr: float = 0.01, weight_decay: float = 5e-4) -> list[float]:
    """Full-batch transductive training: every node passes messages, only train nodes give a loss (notebook 11)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn, losses = nn.BCEWithLogitsLoss(), []
    model.train()
    for _ in range(num_epochs):
        loss = loss_fn(model(x, edge_index)[train_mask], y[train_mask])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


class KnowledgeGraphGNN(nn.Module):
    """GCN over a patient's copy of the knowledge graph; disease nodes give the diagnoses (notebook 11).

    Each node starts from its evidence value plus a learned node embedding (what the node *is*);
    message passing carries evidence from symptoms, findings and tests to the diseases they relate to.
    """

    def __init__(self, num_nodes: int, num_diseases: int, edge_index: torch.Tensor, hidden: int = 16):
        super().__init__()
        self.num_nodes, self.num_diseases = num_nodes, num_diseases
        self.register_buffer("edge_index", edge_index)
        self.node_embed = nn.Parameter(torch.randn(num_nodes, hidden) * 0.1)
        self.evidence_proj = nn.Linear(1, hidden)
        self.conv1, self.conv2 = GCNConv(hidden, hidden), GCNConv(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, evidence: torch.Tensor) -> torch.Tensor:
        B, V = evidence.shape  # (B, V) evidence per node
        h = self.evidence_proj(evidence[..., None]) + self.node_embed  # (B, V, H)
        offsets = (torch.arange(B, device=evidence.device) * V).repeat_interleave(self.edge_index.shape[1])
        edges = self.edge_index.repeat(1, B) + offsets  # B disjoint copies of the graph
        h = h.reshape(B * V, -1)
        h = torch.relu(self.conv1(h, edges))
        h = torch.relu(self.conv2(h, edges)) + h  # residual keeps each node's own evidence
        return self.out(h).reshape(B, V)[:, : self.num_diseases]  # (B, num_diseases) logits
