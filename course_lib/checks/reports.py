"""Checkers for notebook 03's exercises: a negation-aware mention rule, the most dangerous draft."""

from __future__ import annotations

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

MENTION = "Exercise 03.1 (negation and uncertainty)"
DANGER = "Exercise 03.2 (the most dangerous draft)"

# Sentences that each mention a finding, with the label a radiologist would give: 1 positive,
# 0 negated, -1 uncertain. The tricky ones: negation not at the start, hedges, a normal finding
# described positively ("angles are sharp"), and negation beating a hedge.
_SENTENCES = [
    ("dense consolidation of the right lower lobe.", 1.0),
    ("no focal consolidation.", 0.0),
    ("no evidence of pulmonary oedema.", 0.0),
    ("costophrenic angles are sharp.", 0.0),
    ("heart size is normal.", 0.0),
    ("possible early consolidation in the left lower lobe.", -1.0),
    ("subtle patchy opacity, which may represent early pneumonia.", -1.0),
    ("mild vascular congestion, ?early oedema.", -1.0),
    ("borderline cardiomegaly.", -1.0),
    ("moderate right pleural effusion.", 1.0),
    ("the lungs are clear without effusion.", 0.0),
    ("there is no focal consolidation.", 0.0),  # real reports (IU X-ray) put the "no" mid-sentence
]


@exercise_check(MENTION, reference="course_lib.preprocess.reports:mention_label")
def check_mention_label(mention_label) -> None:
    """Exercise 03.1: label twelve sentences positive (1), negated (0) or uncertain (-1)."""
    wrong = []
    for sentence, want in _SENTENCES:
        got = call_student(mention_label, sentence, exercise=MENTION)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{MENTION}: return a number (1, 0 or -1), got {got!r}") from None
        if got != want:
            wrong.append((sentence, got, want))
    if wrong:
        sentence, got, want = wrong[0]
        name = {1.0: "positive (1)", 0.0: "negated (0)", -1.0: "uncertain (-1)"}
        hint = ("look for negation cues anywhere in the sentence ('no evidence of', 'without'), and for "
                "normal findings described positively ('are sharp', 'is normal')" if want == 0.0 else
                "hedging words ('possible', 'may represent', '?', 'borderline') make a mention uncertain"
                if want == -1.0 else "a plain statement of a finding is positive")
        raise ExerciseError(f"{MENTION}: {len(wrong)} of {len(_SENTENCES)} sentences mislabelled, e.g. "
                            f"{sentence!r} -> {name.get(got, got)}, expected {name[want]}: {hint}.")
    passed(MENTION, f"all {len(_SENTENCES)} sentences labelled as a radiologist would")


_TRUTH = [True, False, False, False, False, False]  # the film: right lower lobe consolidation only
_DRAFTS = [
    "FINDINGS: No focal consolidation. No pleural effusion. Heart size is normal.\n"
    "IMPRESSION: 1. No acute cardiopulmonary process.",
    "FINDINGS: Dense consolidation of the right lower lobe. Small right pleural effusion. Normal heart size.\n"
    "IMPRESSION: 1. Right lower lobe pneumonia. 2. Small right pleural effusion.",
    "FINDINGS: Airspace opacification of the right lower lobe. Costophrenic angles are sharp.\n"
    "IMPRESSION: 1. Right lower lobe pneumonia.",
]


@exercise_check(DANGER, reference="course_lib.training.reports:most_dangerous")
def check_most_dangerous(most_dangerous) -> None:
    """Exercise 03.2: a missed pneumonia is the most dangerous draft, whatever its order or n-gram overlap."""
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        drafts = [_DRAFTS[k] for k in order]
        got = call_student(most_dangerous, drafts, list(_TRUTH), exercise=DANGER)
        if not isinstance(got, int | type(order[0])) or not 0 <= int(got) < 3:
            raise ExerciseError(f"{DANGER}: return the index (0, 1 or 2) of one draft, got {got!r}")
        picked = order[int(got)]
        if picked == 1:
            raise ExerciseError(f"{DANGER}: you picked the draft with a hallucinated small effusion. It is "
                                "wrong, but it reports the pneumonia: the patient is treated. Which error "
                                "leaves a sick patient untreated?")
        if picked == 2:
            raise ExerciseError(f"{DANGER}: you picked the correct draft (worded differently from the others). "
                                "Score the findings each draft states against the film, not the words.")
    passed(DANGER, "the 'normal' draft that misses the pneumonia is the dangerous one, in any order")
