"""Recall@K on hand-made similarity matrices (notebook 02)."""

import numpy as np

from course_lib.training.retrieval import recall_at_k, retrieval_table


def test_recall_perfect_and_reversed():
    assert recall_at_k(np.eye(5), 1) == 1.0
    worst = 1 - np.eye(5)  # the match scores lowest in every row
    assert recall_at_k(worst, 4) == 0.0 and recall_at_k(worst, 5) == 1.0


def test_recall_hand_made():
    sim = np.array([[0.9, 0.1, 0.2],   # match first
                    [0.8, 0.5, 0.1],   # match second
                    [0.7, 0.9, 0.3]])  # match third
    assert recall_at_k(sim, 1) == 1 / 3
    assert recall_at_k(sim, 2) == 2 / 3
    assert recall_at_k(sim, 3) == 1.0
    assert recall_at_k(sim.T, 1) == 2 / 3  # text→image: columns become queries (report 2 loses)


def test_ties_are_pessimistic_and_relevant_sets():
    assert recall_at_k(np.ones((4, 4)), 3) == 0.0  # a constant model retrieves nothing
    sim = np.array([[0.1, 0.9, 0.5]])
    relevant = np.array([[True, False, True]])
    assert recall_at_k(sim, 1, relevant) == 0.0 and recall_at_k(sim, 2, relevant) == 1.0


def test_rectangular_and_table():
    sim = np.array([[0.2, 0.9, 0.1, 0.0], [0.9, 0.1, 0.3, 0.2]])  # 2 queries, 4 gallery items
    assert recall_at_k(sim, 1) == 0.0 and recall_at_k(sim, 2) == 0.5
    table = retrieval_table(np.eye(3), ks=(1,))
    assert table == {"image→text R@1": 1.0, "text→image R@1": 1.0}
