"""The text-to-image search widget of notebook 02 (logic in plain functions)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course_lib.models.clip import search


def impression(report: str) -> str:
    """The IMPRESSION of a report, wherever it stands (the whole report if it has none) (notebook 02)."""
    return report.split("IMPRESSION:")[-1].split("FINDINGS:")[0].strip()


def search_table(query: str, model, tokenizer, image_emb, reports: list[str], k: int = 5) -> pd.DataFrame:
    """The widget's logic: top-k films for a query, with cosine and each film's report (notebook 02)."""
    if not query.strip():
        raise ValueError("type a query, e.g. 'right lower lobe pneumonia'")
    hits = search(query, model, tokenizer, image_emb, k)
    return pd.DataFrame({"film": [i for i, _ in hits], "cosine": [s for _, s in hits],
                         "impression": [impression(reports[i]) for i, _ in hits]})


def render_search(query: str, table: pd.DataFrame, images: np.ndarray):
    """The top films of a search, each titled with its cosine and impression (notebook 02)."""
    fig, axes = plt.subplots(1, len(table), figsize=(2.4 * len(table), 2.9), squeeze=False)
    for ax, row in zip(axes[0], table.itertuples(), strict=True):
        ax.imshow(images[row.film], cmap="gray")
        ax.set_title(f"cos {row.cosine:.2f}\n{row.impression[:32]}", fontsize=7)
        ax.axis("off")
    fig.suptitle(f"query: “{query}”", fontsize=9)
    fig.tight_layout()
    return fig


def search_widget(model, tokenizer, image_emb, reports: list[str], images: np.ndarray, k: int = 5):
    """Type a query, see the top-k films and their reports (notebook 02)."""
    import ipywidgets as w

    box = w.Text(value="right lower lobe pneumonia", description="query", continuous_update=False)

    def show(query):
        try:
            table = search_table(query, model, tokenizer, image_emb, reports, k)
        except ValueError as err:
            print(err)
            return
        render_search(query, table, images)
        plt.show()

    return w.VBox([box, w.interactive_output(show, {"query": box})])
