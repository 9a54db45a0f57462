"""The report-generation widget of notebook 03 (logic in plain functions)."""

from __future__ import annotations

import torch

from course_lib.training.reports import errors_of, generate_reports


def generate_one(model, tokenizer, feats: torch.Tensor, tags: torch.Tensor, beams: int = 1,
                 repetition_penalty: float = 1.0, length_penalty: float = 1.0, side: int = 0) -> str:
    """The widget's logic: one film's features (V, N, D), tags (V, findings), side -> report (notebook 03).

    beams=1 is greedy search; more beams keep the k most probable prefixes (transformers' generate).
    """
    if beams < 1:
        raise ValueError(f"beams must be >= 1, got {beams}")
    if repetition_penalty <= 0:
        raise ValueError(f"repetition_penalty must be > 0 (1.0 = none), got {repetition_penalty}")
    kwargs = {"num_beams": beams, "repetition_penalty": repetition_penalty}
    if beams > 1:
        kwargs["length_penalty"] = length_penalty  # only beam search ranks finished beams by length
    return generate_reports(model, tokenizer, feats[None], tags[None], side=torch.tensor([int(side)]), **kwargs)[0]


def report_widget(model, tokenizer, feats: torch.Tensor, tags: torch.Tensor, images, truth, films: list[int],
                  sides: torch.Tensor | None = None):
    """Pick a film and the decoding settings; see the report with its errors highlighted (notebook 03)."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from course_lib.viz.reports import plot_report

    film = w.Dropdown(options=films, description="film")
    beams = w.IntSlider(value=1, min=1, max=5, description="beams")
    repetition = w.FloatSlider(value=1.0, min=0.5, max=2.0, step=0.25, description="repetition")
    length = w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.5, description="length pen.")
    out = w.Output()

    def show(_=None):
        with out:
            out.clear_output(wait=True)
            i = film.value
            side = 0 if sides is None else int(sides[i])
            report = generate_one(model, tokenizer, feats[i], tags[i], beams.value, repetition.value, length.value, side)
            plot_report(images[i], report, truth[i], title=f"film {i}: {errors_of(report, truth[i])}")
            plt.show()

    for control in (film, beams, repetition, length):
        control.observe(show, names="value")
    show()
    return w.VBox([w.HBox([film, beams]), w.HBox([repetition, length]), out])
