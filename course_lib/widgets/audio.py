"""Widget of notebook 06: choose the sounds, the chest site and the stethoscope; see and hear them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from course_lib.synth.audio import DEVICES, FS, SITES, simulate_lung_sounds
from course_lib.viz.audio import plot_lung_sound

SOUNDS = ("normal (vesicular)", "fine crackles", "coarse crackles", "wheezes", "coarse crackles + wheezes",
          "pleural rub")


def lung_sound_params(sound: str = "fine crackles", site: str = "Pr", resp_rate: float = 18.0,
                      heart_rate: float = 80.0, noise: float = 0.05, obstructive: bool = False) -> pd.DataFrame:
    """The generator's one-row input for a chosen sound heard over a diseased lower lobe (notebook 06)."""
    if sound not in SOUNDS:
        raise ValueError(f"unknown sound {sound!r}; choose one of {SOUNDS}")
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}; choose one of {SITES}")
    near = {"Pr": 1.0, "Ar": 0.5}.get(site, 0.0)  # a right-lower-lobe process, heard at the back
    crackles = "crackles" in sound
    return pd.DataFrame([{
        "patient": 0, "site": site, "resp_rate": resp_rate, "heart_rate": heart_rate,
        "insp_fraction": 0.27 if obstructive or "wheezes" in sound else 0.38,
        "crackle_gain": near if crackles else 0.0,
        "crackle_kind": ("fine" if sound.startswith("fine") else "coarse") if crackles else "",
        "crackle_rate": 7.0, "wheeze_prob": 0.9 if "wheezes" in sound else 0.0, "wheeze_gain": 0.8,
        "rub_gain": near if sound == "pleural rub" else 0.0, "noise": noise}])


def render_lung_sound(sound: str = "fine crackles", site: str = "Pr", device: str = "electronic",
                      resp_rate: float = 18.0, heart_rate: float = 80.0, noise: float = 0.05,
                      seed: int = 0, duration: float = 8.0) -> tuple[plt.Figure, np.ndarray]:
    """Simulate one recording, plot it with its truth; returns the figure and the audio (notebook 06)."""
    batch = simulate_lung_sounds(lung_sound_params(sound, site, resp_rate, heart_rate, noise),
                                 duration=duration, device=device, seed=seed)
    truth = {"cycles": batch.cycles[0], "inspiration_end": batch.inspiration_end[0],
             "crackles": batch.crackles[0], "wheezes": batch.wheezes[0], "rubs": batch.rubs[0]}
    fig = plot_lung_sound(batch.audio[0], batch.fs, truth,
                          title=f"{sound} at {site}, {device} stethoscope, {resp_rate:.0f} breaths/min")
    return fig, batch.audio[0]


def lung_sound_widget():
    """Dropdowns and sliders over render_lung_sound, with an audio player (notebook 06).

    Renders when a control changes or "render" is pressed, not when the cell runs: the static
    figure below the widget covers a notebook run without a live kernel.
    """
    import ipywidgets as w
    from IPython.display import Audio, display

    controls = {
        "sound": w.Dropdown(options=list(SOUNDS), value="fine crackles", description="sound"),
        "site": w.Dropdown(options=list(SITES), value="Pr", description="site"),
        "device": w.Dropdown(options=list(DEVICES), value="electronic", description="stethoscope"),
        "resp_rate": w.IntSlider(value=18, min=10, max=40, description="breaths/min"),
        "heart_rate": w.IntSlider(value=80, min=40, max=160, description="heart bpm"),
        "noise": w.FloatSlider(value=0.05, min=0, max=0.5, step=0.05, description="room noise"),
    }
    out = w.Output()
    button = w.Button(description="render", icon="play")

    def update(_event=None):
        with out:
            out.clear_output(wait=True)
            fig, audio = render_lung_sound(**{k: c.value for k, c in controls.items()})
            plt.show()
            display(Audio(audio, rate=FS))

    for control in controls.values():
        control.observe(update, names="value")
    button.on_click(update)
    return w.VBox([w.HBox(list(controls.values())[:3]), w.HBox([*list(controls.values())[3:], button]), out])
