"""The report-generation widget of notebook 03 (logic in plain functions)."""

from __future__ import annotations

import torch

from course_lib.training.reports import beam_decode, decode_text, errors_of, greedy_decode


def generate_one(model, tokenizer, x: torch.Tensor, beams: int = 1, max_len: int = 40,
                 length_penalty: float = 1.0) -> str:
    """The widget's logic: one film (1, H, W) -> report, greedy (beams=1) or beam search (notebook 03)."""
    if beams < 1:
        raise ValueError(f"beams must be >= 1, got {beams}")
    X = x[None]  # (1, 1, H, W)
    bos, eos = tokenizer.cls_token_id, tokenizer.sep_token_id
    ids = (greedy_decode(model, X, bos, eos, max_len) if beams == 1
           else beam_decode(model, X, bos, eos, beams, max_len, length_penalty))
    return decode_text(tokenizer, ids)[0]


def report_widget(model, tokenizer, X: torch.Tensor, images, truth, films: list[int]):
    """Pick a film and the decoding settings; see the report with its errors highlighted (notebook 03)."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from course_lib.viz.reports import plot_report

    film = w.Dropdown(options=films, description="film")
    beams = w.IntSlider(value=1, min=1, max=5, description="beams")
    penalty = w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.25, description="length pen.")
    out = w.Output()

    def show(_=None):
        with out:
            out.clear_output(wait=True)
            report = generate_one(model, tokenizer, X[film.value], beams.value, length_penalty=penalty.value)
            plot_report(images[film.value], report, truth[film.value],
                        title=f"film {film.value}: {errors_of(report, truth[film.value])}")
            plt.show()

    for control in (film, beams, penalty):
        control.observe(show, names="value")
    show()
    return w.VBox([w.HBox([film, beams, penalty]), out])
