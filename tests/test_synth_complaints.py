"""Triage notes are realistic, not an oracle: a bag of words sees tendencies, not labels (notebooks 00, 11).

Measured (issue 14 part 1): TF-IDF 1-2-grams + logistic regression, 5-fold out-of-fold,
3,000 patients, complaint text alone. Version 3 of the cohort gave acute MI 0.985,
COPD/asthma 0.935, heart failure 0.920; the notes now share phrasing across diseases,
a third of MIs present without chest pain, and non-cardiac chest pain is common.
"""

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from course_lib.synth import CONDITIONS, make_cohort


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(3000, seed=11, images=False, cache=False)


def _text_auc_proba(texts, y) -> np.ndarray:
    """Out-of-fold P(condition | complaint text), TF-IDF 1-2-grams + logistic regression."""
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    return cross_val_predict(model, texts, y, cv=folds, method="predict_proba")[:, 1]


def _text_auc(texts, y) -> float:
    return roc_auc_score(y, _text_auc_proba(texts, y))


def test_complaint_text_alone_is_informative_but_no_oracle(cohort):
    with threadpool_limits(1):
        auc = {c: _text_auc(cohort.complaints, cohort.labels[:, j]) for j, c in enumerate(CONDITIONS)}
    for value in auc.values():
        assert 0.70 <= value <= 0.85, auc  # issue 14; seeds 0, 1, 11: 0.72-0.84


def test_complaint_text_still_adds_to_vitals_and_labs(cohort):
    """Stacking: the text model's out-of-fold probability as one more clinical feature."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    clinical = np.column_stack([cohort.vitals, np.log(cohort.labs)])
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    gain = []
    with threadpool_limits(1):
        for j in range(len(CONDITIONS)):
            y = cohort.labels[:, j]
            text = _text_auc_proba(cohort.complaints, y)
            model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.06, random_state=0)
            p0 = cross_val_predict(model, clinical, y, cv=folds, method="predict_proba")[:, 1]
            p1 = cross_val_predict(model, np.column_stack([clinical, text]), y, cv=folds,
                                   method="predict_proba")[:, 1]
            gain.append(roc_auc_score(y, p1) - roc_auc_score(y, p0))
    assert np.mean(gain) > 0.01 and min(gain) > -0.01, gain


def test_a_third_of_mis_present_without_chest_pain(cohort):
    st = cohort.state
    mi = st.acute_mi.to_numpy()
    no_chest_pain = (st.chief_symptom[mi] != "chest_pain").mean()
    assert 0.25 <= no_chest_pain <= 0.45, no_chest_pain  # NRMI-2: 33% (Canto, JAMA 2000)
    women = st.sex.eq("F").to_numpy()
    assert (st.chief_symptom[mi & women] != "chest_pain").mean() > (
        st.chief_symptom[mi & ~women] != "chest_pain").mean()
    chest = st.chief_symptom.eq("chest_pain").to_numpy()
    assert 0.1 <= mi[chest].mean() <= 0.35  # most chest pain is not an MI


def test_written_duration_matches_time_since_onset(cohort):
    hours = cohort.state.onset_hours.to_numpy()
    checked = 0
    for text, h in zip(cohort.complaints, hours, strict=True):
        m = re.search(r"(?:for |x|since |onset )(\d+) ?(?:hours|h\b|hrs)", text)
        if m:
            assert abs(int(m.group(1)) - h) <= 1, (text, h)
            checked += 1
        m = re.search(r"(?:for |x)?(\d+)(?: days|d\b|/7)", text)
        if m and not re.search(r"\d+ ?(?:hours|h\b|hrs)", text):
            assert abs(int(m.group(1)) - h / 24) <= 1 or int(m.group(1)) == 1, (text, h)
            checked += 1
    assert checked > 500


def test_shorthand_and_typos_at_a_realistic_rate(cohort):
    words = " ".join(cohort.complaints).split()
    assert sum(w.strip(",.;") in {"SOB", "CP", "palps", "L", "w/", "N+V", "DIB"} for w in words) > 100
    site_b = make_cohort(400, seed=11, images=False, cache=False, site="B")
    assert np.mean([len(t) for t in site_b.complaints]) < np.mean([len(t) for t in cohort.complaints[:400]])


def test_notes_are_deterministic():
    a = make_cohort(50, seed=4, images=False, cache=False)
    b = make_cohort(50, seed=4, images=False, cache=False)
    assert a.complaints == b.complaints
