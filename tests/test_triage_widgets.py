"""Notebook 15's dashboard logic (plain functions) and its figures."""

from datetime import datetime, timezone

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from course_lib.models.triage import TARGETS, TriageCard  # noqa: E402
from course_lib.viz.triage import (  # noqa: E402
    plot_door_to_doctor,
    plot_level_agreement,
    plot_patient_card,
    plot_risk_calibration,
)
from course_lib.widgets.triage import (  # noqa: E402
    dashboard_widget,
    override_table,
    record_override,
    waiting_room,
)


def card(pid, level, risk, p=0.5, film=True):
    probs = dict.fromkeys(TARGETS, 0.1) | {"critical": p, "sepsis": 0.4}
    return TriageCard(pid, probs, risk, level, [("Sepsis hour-1 bundle", "rule")], {"text": 0.1, "vitals": 0.2,
                      "ecg": 0.0, "xray": -0.1}, ["fever"], np.ones((32, 32)) if film else None, film, 0.004)


def patient(pid, film=True):
    rng = np.random.default_rng(0)
    return {"patient_id": pid, "complaint": "fever, confused", "vitals": np.array([112, 95, 60, 24, 93, 38.9]),
            "age": 70, "sex": "F", "ecg": rng.normal(0, 0.1, (500, 12)), "image": rng.random((64, 64)) if film else None,
            "vitals_times": np.array([0.0, 1.0, 2.0]), "vitals_series": rng.normal(100, 5, (3, 6))}


CARDS = [card("A", 3, 2, 0.15), card("B", 2, 6, 0.55), card("C", 2, 9, 0.88, film=False), card("D", 5, 1, 0.02)]


def test_waiting_room_sorts_by_level_then_risk_then_arrival():
    room = waiting_room(CARDS, arrival_minutes=[0, 5, 10, 15])
    assert room["patient_id"].tolist() == ["C", "B", "A", "D"]
    assert room.loc[0, "film"] == "not yet" and room.loc[0, "top suggestion"] == "sepsis"
    with pytest.raises(ValueError, match="one arrival"):
        waiting_room(CARDS, arrival_minutes=[0])


def test_override_needs_a_reason_and_is_logged():
    log = []
    when = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    entry = record_override(log, CARDS[3], 2, "  looks septic to me ", clinician="RN Kim", now=when)
    assert entry["reason"] == "looks septic to me" and entry["suggested_level"] == 5 and entry["time"].startswith("2026")
    record_override(log, CARDS[2], 4, "known chronic tachycardia")
    for bad_reason in ["", "  ", None]:
        with pytest.raises(ValueError, match="reason"):
            record_override(log, CARDS[0], 2, bad_reason)
    with pytest.raises(ValueError, match="ESI level"):
        record_override(log, CARDS[0], 7, "typo")
    table = override_table(log)
    assert len(table) == 2 and table["direction"].tolist() == ["up-triage", "down-triage"]
    assert override_table([]).empty


def test_dashboard_and_figures_build():
    pytest.importorskip("ipywidgets")
    box = dashboard_widget(CARDS, [patient(c.patient_id, c.xray_available) for c in CARDS], [], [0, 5, 10, 15])
    assert box.children[1].options[0].startswith("C")
    fig = plot_patient_card(patient("B"), CARDS[1])
    assert len(fig.axes) == 4
    plot_patient_card(patient("C", film=False), CARDS[2])
    plot_level_agreement(np.array([1, 2, 3, 4, 5]), {"x": np.array([1, 2, 2, 4, 3])})
    plot_risk_calibration(np.array([0, 1, 1, 0]), np.array([0.05, 0.95, 0.5, 0.3]))
    days = pd.DataFrame({"arm": ["a", "a", "b", "b"], "critical": [True] * 4, "level": [2, 3, 2, 3],
                         "door_to_doctor": [5.0, 50.0, 7.0, 40.0], "arrival": [1.0, 70.0, 1.0, 70.0], "day": 0})
    plot_door_to_doctor(days)
    matplotlib.pyplot.close("all")
