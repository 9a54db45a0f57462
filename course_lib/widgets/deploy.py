"""Widget of notebook 17: pick a deployment format, see its size, latency and AUC."""

from __future__ import annotations

import pandas as pd


def describe_edge_choice(table: pd.DataFrame, choice: str, p95_budget_ms: float = 1.0) -> str:
    """One sentence on a deployment format: size, latency, AUC cost against float32 (notebook 17)."""
    if choice not in table.index:
        raise ValueError(f"unknown format {choice!r}: choose one of {list(table.index)}")
    row, ref = table.loc[choice], table.iloc[0]
    fits = "fits" if row["p95 ms"] <= p95_budget_ms else "misses"
    return (f"{choice}: {row['size KB']:.0f} KB ({ref['size KB'] / row['size KB']:.1f}× smaller than "
            f"{table.index[0]}), median {row['median ms']:.3f} ms, p95 {row['p95 ms']:.3f} ms ({fits} a "
            f"{p95_budget_ms:g} ms budget), AUC {row['AUC']:.3f} ({row['AUC'] - ref['AUC']:+.4f}).")


def edge_widget(table: pd.DataFrame, p95_budget_ms: float = 1.0):
    """A dropdown over the formats of the edge table and the sentence describe_edge_choice writes (notebook 17)."""
    import ipywidgets as w

    return w.interactive(lambda choice: print(describe_edge_choice(table, choice, p95_budget_ms)),
                         choice=w.Dropdown(options=list(table.index), description="format"))
