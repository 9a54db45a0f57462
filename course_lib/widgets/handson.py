"""Notebook 16's widget: pick a held-out report, see the films the trained model retrieves for it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course_lib.viz.handson import plot_retrieved


def retrieve_films(sim: np.ndarray, query: int, labels: np.ndarray, k: int = 5) -> pd.DataFrame:
    """The widget's logic: the k films most similar to report `query`, and whether each is its own film (notebook 16).

    sim: (n, n) image × report cosines of held-out pairs (film i ↔ report i); labels: (n,) pneumonia.
    """
    sim = np.asarray(sim)
    if not 0 <= query < sim.shape[1]:
        raise ValueError(f"query must be a report index 0..{sim.shape[1] - 1}, got {query}")
    order = np.argsort(-sim[:, query], kind="stable")[:k]  # films ranked for this report
    return pd.DataFrame({"film": order, "cosine": sim[order, query], "own film": order == query,
                         "pneumonia": np.asarray(labels)[order].astype(int)})


def retrieval_widget(sim: np.ndarray, reports: list[str], images: np.ndarray, labels: np.ndarray, k: int = 5):
    """Slide through held-out reports; the top-k films appear, the report's own film marked (notebook 16)."""
    import ipywidgets as w

    slider = w.IntSlider(value=0, min=0, max=len(reports) - 1, description="report")

    def show(query):
        table = retrieve_films(sim, query, labels, k)
        caps = [("★ own film " if r["own film"] else "") + f"cos {r['cosine']:.2f}, pneumonia {r['pneumonia']}"
                for _, r in table.iterrows()]
        plot_retrieved(reports[query], [images[i] for i in table["film"]], caps)
        plt.show()

    return w.VBox([slider, w.interactive_output(show, {"query": slider})])
