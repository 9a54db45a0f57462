"""The clinician dashboard of notebook 15: waiting room sorted by risk, a card per patient, logged overrides.

The logic is plain functions (waiting_room, record_override, override_table) that the tests call;
the ipywidgets layer only wires them to buttons.
"""

from __future__ import annotations

from datetime import datetime, timezone

import matplotlib.pyplot as plt
import pandas as pd

from course_lib.viz.triage import plot_patient_card

OVERRIDE_FIELDS = ("time", "patient_id", "clinician", "suggested_level", "chosen_level", "risk",
                   "p_critical", "reason")


def waiting_room(cards: list, arrival_minutes=None) -> pd.DataFrame:
    """One row per waiting patient, most urgent first: level, then risk, then who came first (notebook 15)."""
    arrival = list(arrival_minutes) if arrival_minutes is not None else list(range(len(cards)))
    if len(arrival) != len(cards):
        raise ValueError("give one arrival time per card")
    rows = [{"patient_id": c.patient_id, "level": c.level, "risk": c.risk,
             "P(critical)": round(c.probabilities["critical"], 3),
             "top suggestion": max(list(c.probabilities)[1:], key=c.probabilities.get),
             "actions": len(c.actions), "arrived (min)": a, "film": "yes" if c.xray_available else "not yet"}
            for c, a in zip(cards, arrival, strict=True)]
    table = pd.DataFrame(rows)
    return table.sort_values(["level", "risk", "arrived (min)"], ascending=[True, False, True]).reset_index(drop=True)


def record_override(log: list, card, chosen_level: int, reason: str, clinician: str = "triage nurse",
                    now: datetime | None = None) -> dict:
    """Append a disagreement with the assistant to `log` and return the entry; a reason is required (notebook 15).

    What is logged is what an audit needs: who, when, what the model said (level, risk, probability)
    and what the clinician chose, and why.
    """
    if int(chosen_level) not in (1, 2, 3, 4, 5):
        raise ValueError(f"chosen_level must be an ESI level 1-5, got {chosen_level!r}")
    if not isinstance(reason, str) or len(reason.strip()) < 3:
        raise ValueError("an override needs a reason in words (e.g. 'looks grey and sweaty'): it is what "
                         "the safety review reads")
    entry = {"time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
             "patient_id": card.patient_id, "clinician": clinician, "suggested_level": int(card.level),
             "chosen_level": int(chosen_level), "risk": int(card.risk),
             "p_critical": round(float(card.probabilities["critical"]), 4), "reason": reason.strip()}
    log.append(entry)
    return entry


def override_table(log: list) -> pd.DataFrame:
    """The override log as a table, with the direction of each disagreement (notebook 15)."""
    table = pd.DataFrame(log, columns=list(OVERRIDE_FIELDS))
    table["direction"] = [("up-triage" if c < s else "down-triage" if c > s else "same")
                          for s, c in zip(table["suggested_level"], table["chosen_level"], strict=True)]
    return table


def dashboard_widget(cards: list, patients: list[dict], log: list, arrival_minutes=None):
    """Waiting room (sorted), a card per patient, and an override box that logs with a reason (notebook 15)."""
    import ipywidgets as widgets
    from IPython.display import display

    by_id = {c.patient_id: (c, p) for c, p in zip(cards, patients, strict=True)}
    room = waiting_room(cards, arrival_minutes)
    options = [f"{r.patient_id}  ESI {r.level}  risk {r.risk}" for r in room.itertuples()]
    pick = widgets.Dropdown(options=options, description="patient", layout=widgets.Layout(width="320px"))
    level = widgets.Dropdown(options=[1, 2, 3, 4, 5], description="my level")
    reason = widgets.Text(placeholder="reason (required)", description="reason")
    button = widgets.Button(description="log override", button_style="warning")
    card_out, log_out = widgets.Output(), widgets.Output()

    def current():
        return by_id[pick.value.split()[0]]

    def show(_=None):
        card, patient = current()
        level.value = card.level
        with card_out:
            card_out.clear_output(wait=True)
            plot_patient_card(patient, card)
            plt.show()

    def on_click(_):
        with log_out:
            log_out.clear_output(wait=True)
            try:
                record_override(log, current()[0], level.value, reason.value)
                reason.value = ""
            except ValueError as err:
                print(err)
            display(override_table(log))

    pick.observe(show, names="value")
    button.on_click(on_click)
    show()
    return widgets.VBox([widgets.HTML("<b>Waiting room</b> (most urgent first)"), pick, card_out,
                         widgets.HBox([level, reason, button]), log_out])
