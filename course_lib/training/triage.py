"""Training the triage assistant, and what a triage committee measures: under- and over-triage (notebook 15)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy.stats import binomtest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from torch.utils.data import DataLoader, TensorDataset

from course_lib.datasets.cohort import xray_tensor
from course_lib.models.ecg import ECGCNN
from course_lib.models.fusion import MLP, SmallCNN
from course_lib.models.missing import block_slices, fill_missing
from course_lib.models.triage import (
    DIMS,
    TARGETS,
    WIDTH,
    TriageAssistant,
    ecg_inputs,
    vitals_inputs,
)
from course_lib.synth.ecg import random_ecg_params, simulate_ecg
from course_lib.training.loop import fit
from course_lib.training.missing import drop_modalities


def triage_targets(state: pd.DataFrame) -> np.ndarray:
    """(n, 8) float32 truth over TARGETS: critical = ESI 1-2, STEMI, then the conditions (notebook 15)."""
    cols = [state["esi"].to_numpy() <= 2, state["mi_type"].to_numpy() == "STEMI"]
    cols += [state[t].to_numpy().astype(bool) for t in TARGETS[2:]]
    return np.column_stack(cols).astype(np.float32)


def triage_rates(critical, level) -> dict[str, float]:
    """Under-triage (critical patient given ESI 3-5) and over-triage (non-critical given ESI 1-2) (notebook 15)."""
    critical, urgent = np.asarray(critical, bool), np.asarray(level) <= 2
    if not critical.any() or critical.all():
        raise ValueError("need both critical and non-critical patients to count under- and over-triage")
    return {"under-triage": float((~urgent[critical]).mean()), "over-triage": float(urgent[~critical].mean()),
            "ESI 1-2 share": float(urgent.mean())}


def choose_operating_point(p_critical, critical, max_under: float = 0.05) -> float:
    """The highest P(critical) cut-off whose under-triage on these (validation) patients is <= max_under (notebook 15).

    The highest such cut-off sends the fewest non-critical patients to ESI 2 (least over-triage).
    """
    critical = np.asarray(critical, bool)
    if not 0 <= max_under < 1:
        raise ValueError(f"max_under is a fraction in [0, 1), got {max_under}")
    if not critical.any():
        raise ValueError("no critical patients: under-triage is undefined")
    ranked = np.sort(np.asarray(p_critical, float)[critical])  # lowest first
    allowed = int(np.floor(max_under * len(ranked) + 1e-9))  # this many may fall below the cut-off
    return float(ranked[allowed])


def threshold_for_over_triage(p_critical, critical, max_over: float) -> float:
    """The lowest P(critical) cut-off whose over-triage on these (validation) patients is <= max_over (notebook 15).

    The lowest such cut-off misses the fewest critical patients for that workload.
    """
    p_neg = np.sort(np.asarray(p_critical, float)[~np.asarray(critical, bool)])[::-1]  # highest first
    allowed = int(np.floor(max_over * len(p_neg) + 1e-9))  # this many may sit at or above the cut-off
    return float(np.nextafter(p_neg[allowed], np.inf)) if allowed < len(p_neg) else 0.0


def match_over_triage(levels_at, p_critical, critical, max_over: float) -> float:
    """The lowest cut-off whose levels over-triage these (validation) patients no more than max_over (notebook 15).

    levels_at: cut-off -> (n,) levels (e.g. lambda t: suggest_levels(p, t, ...)), so every rule that
    sends a patient to ESI 1-2 counts, and the AI arm's workload matches, e.g., the nurse's.
    """
    critical = np.asarray(critical, bool)
    cuts = np.unique(np.asarray(p_critical, float))  # candidates, lowest first

    def fits(k: int) -> bool:
        return triage_rates(critical, levels_at(cuts[k]))["over-triage"] <= max_over

    # Over-triage falls as the cut-off rises: bisect for the lowest candidate that fits.
    lo, hi = 0, len(cuts) - 1
    if not fits(hi):
        return float(cuts[-1]) + 1e-9  # even the highest cut-off over-triages: only the rules' own ESI 1-2 remain
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits(mid) else (mid + 1, hi)
    return float(cuts[lo])


def over_triage_margin(critical, level, reference, z: float = 1.645, n_boot: int = 1000, seed: int = 0) -> float:
    """z x bootstrap standard error of the paired over-triage difference (level minus reference) (notebook 15).

    Both arms triage the same (validation) non-critical patients; resampling them gives the spread of
    the difference a new sample of patients would show. Matching at `reference - margin` puts the
    one-sided 95% upper bound (z = 1.645) of the difference at the reference's over-triage.
    """
    critical = np.asarray(critical, bool)
    if critical.all():
        raise ValueError("need non-critical patients to measure over-triage")
    diff = ((np.asarray(level)[~critical] <= 2).astype(float)
            - (np.asarray(reference)[~critical] <= 2))  # (m,) in {-1, 0, 1}
    rng = np.random.default_rng(seed)
    boot = diff[rng.integers(0, len(diff), (n_boot, len(diff)))].mean(1)
    return float(z * boot.std())


def sensitivity_ci(found) -> dict[str, float]:
    """Sensitivity k/n of a bool array over positives, with the Wilson 95% interval (scipy) (notebook 15)."""
    found = np.asarray(found, bool)
    if found.size == 0:
        raise ValueError("no positive patients: sensitivity is undefined")
    k, n = int(found.sum()), int(found.size)
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return {"found": k, "patients": n, "sensitivity": k / n, "95% CI low": float(ci.low),
            "95% CI high": float(ci.high)}


def patient_inputs(cohort, ecg_signals: np.ndarray, i: int, with_film: bool = True) -> dict:
    """What arrives with patient i: note, vitals (+ trend), age, sex, ECG (T, 12), film or None (notebook 15)."""
    length = int(cohort.vitals_series.lengths[i])
    return {"patient_id": str(cohort.patient_ids[i]), "complaint": cohort.complaints[i], "vitals": cohort.vitals[i],
            "age": int(cohort.state["age"].iat[i]), "sex": str(cohort.state["sex"].iat[i]), "ecg": ecg_signals[i],
            "image": cohort.images[i] if with_film else None, "vitals_times": cohort.vitals_series.times[i, :length],
            "vitals_series": cohort.vitals_series.values[i, :length]}


def _fit_encoder(model, X, Y, idx, num_epochs, lr, batch_size=64):
    data = DataLoader(TensorDataset(X[idx], torch.from_numpy(Y[idx])), batch_size=batch_size, shuffle=True)
    fit(model, data, num_epochs=num_epochs, lr=lr, weight_decay=1e-3, progress=False)
    return model.cpu().eval()


@dataclass
class TriageTraining:
    """A fitted assistant and what evaluation needs: fused inputs and probabilities of every patient (notebook 15)."""

    assistant: TriageAssistant
    features: np.ndarray  # (n, 37) fused inputs, X-ray present
    probs: np.ndarray  # (n, 8) fused probabilities
    single: dict[str, np.ndarray]  # modality -> (n,) P(critical) from a stacker on that modality alone
    seconds: dict[str, float]


def balanced_ecgs(n: int, seed: int, duration: float = 5.0):
    """(signals (n, T, 12), labels (n, 5)) of notebook 05's balanced ECG findings, 100 Hz (notebook 15)."""
    batch = simulate_ecg(**random_ecg_params(n, seed=seed), fs=100, duration=duration, seed=seed + 1)
    return batch.signals, batch.labels()


def fit_triage_assistant(cohort, ecg, train, val, seed: int = 0, xray_drop: float = 0.5,
                         n_balanced_ecg: int = 600) -> TriageTraining:
    """Train the four encoders on `train`, the late-fusion stacker on `val` with X-ray dropout (notebook 15).

    ecg: the cohort's ECGBatch (100 Hz). The ECG reader learns the 5 findings of notebook 05 on
    the training patients' ECGs plus `n_balanced_ecg` balanced simulated ones (STEMI and VT are
    rare in an ED cohort). The stacker learns on validation patients, where the encoders' logits
    are out-of-sample as on new patients (notebook 11's rule).
    """
    torch.manual_seed(seed)
    Y = triage_targets(cohort.state)  # (n, 8)
    seconds, t0 = {}, time.perf_counter()
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    X_txt = tfidf.fit(np.asarray(cohort.complaints)[train]).transform(cohort.complaints)
    fits = [LogisticRegression(C=2.0, solver="liblinear").fit(X_txt[train], Y[train, j]) for j in range(len(TARGETS))]
    text_coef = np.column_stack([f.coef_[0] for f in fits])  # (V, 8)
    text_bias = np.array([f.intercept_[0] for f in fits])
    seconds["text"], t0 = time.perf_counter() - t0, time.perf_counter()

    raw = vitals_inputs(cohort.vitals, cohort.state["age"].to_numpy(), cohort.state["sex"].to_numpy())
    v_mean, v_std = raw[train].mean(0), raw[train].std(0) + 1e-6
    vit = _fit_encoder(MLP(raw.shape[1], hidden=32, num_outputs=len(TARGETS)),
                       torch.from_numpy((raw - v_mean) / v_std), Y, train, num_epochs=30, lr=3e-3)
    seconds["vitals"], t0 = time.perf_counter() - t0, time.perf_counter()

    extra, extra_y = balanced_ecgs(n_balanced_ecg, seed=1000 + seed, duration=ecg.signals.shape[1] / ecg.fs)
    sig = np.concatenate([ecg.signals[train], extra])  # (m, T, 12)
    X_ecg = ecg_inputs(sig, ecg.fs)  # (m, 12, T) band-passed
    y_ecg = np.concatenate([ecg.labels()[train], extra_y])
    reader = _fit_encoder(ECGCNN(num_classes=5, width=8), X_ecg, y_ecg, np.arange(len(sig)), num_epochs=6, lr=3e-3)
    seconds["ecg"], t0 = time.perf_counter() - t0, time.perf_counter()

    X_img = xray_tensor(cohort.images, 32)
    cnn = _fit_encoder(SmallCNN(num_outputs=len(TARGETS), width=8), X_img, Y, train, num_epochs=6, lr=3e-3)
    seconds["xray"], t0 = time.perf_counter() - t0, time.perf_counter()

    width = WIDTH + len(DIMS)
    assistant = TriageAssistant(tfidf, text_coef, text_bias, vit, v_mean, v_std, reader, cnn,
                                np.zeros((width, len(TARGETS))), np.zeros(len(TARGETS)), np.zeros(width))
    F = assistant.features(cohort.complaints, raw, ecg.signals, cohort.images, True)  # (n, 37)

    # Late fusion on validation patients: two copies, the second with the film dropped for half of them.
    rng = np.random.default_rng(seed)
    avail = np.ones((len(val), 4), bool)
    masks = [avail, drop_modalities(avail, [0, 0, 0, xray_drop], rng)]
    F_val = np.concatenate([np.column_stack([fill_missing(F[val, :WIDTH], m, DIMS), m]) for m in masks])
    Y_val = np.tile(Y[val], (2, 1))
    mu, sd = F_val.mean(0), F_val.std(0) + 1e-6  # standardised inputs: well-posed L2 penalty, fast solver
    stack = [LogisticRegression(C=0.3, max_iter=2000).fit((F_val - mu) / sd, Y_val[:, j])
             for j in range(len(TARGETS))]
    coef = np.column_stack([s.coef_[0] for s in stack]) / sd[:, None]  # folded back onto raw inputs
    assistant.fusion_coef = coef
    assistant.fusion_bias = np.array([s.intercept_[0] for s in stack]) - mu @ coef
    assistant.feature_mean = F[val].mean(0)
    single = {}
    for name, block in block_slices(DIMS).items():  # the same stacker on one modality's block: a unimodal triage
        mu, sd = F[val, block].mean(0), F[val, block].std(0) + 1e-6
        lr = LogisticRegression(C=0.3, max_iter=2000).fit((F[val, block] - mu) / sd, Y[val, 0])
        single[name] = lr.predict_proba((F[:, block] - mu) / sd)[:, 1]
    seconds["fusion"] = time.perf_counter() - t0
    return TriageTraining(assistant, F, assistant.probabilities(F), single, seconds)


def triage_table(critical, levels: dict[str, np.ndarray], extra: dict[str, dict] | None = None) -> pd.DataFrame:
    """One row per triage method: under-triage, over-triage, share sent to ESI 1-2 (notebook 15)."""
    rows = {name: {**triage_rates(critical, lv), **(extra or {}).get(name, {})} for name, lv in levels.items()}
    return pd.DataFrame(rows).T


def sensitivity_by_group(critical_level, groups: dict[str, np.ndarray]) -> pd.DataFrame:
    """Share of each group's patients sent to ESI 1-2 (sensitivity for a time-critical diagnosis) (notebook 15).

    critical_level: {method: (n,) levels}; groups: {diagnosis: (n,) bool}.
    """
    return pd.DataFrame({name: {g: float((np.asarray(lv)[m] <= 2).mean()) for g, m in groups.items()}
                         for name, lv in critical_level.items()}).rename_axis("diagnosis")


def subgroup_under_triage(critical, level, groups: pd.DataFrame) -> pd.DataFrame:
    """Under-triage of critical patients in each subgroup (age band, sex), with counts (notebook 15)."""
    critical, missed = np.asarray(critical, bool), np.asarray(level) > 2
    rows = []
    for col in groups.columns:
        for value in sorted(pd.unique(groups[col])):
            m = critical & (groups[col].to_numpy() == value)
            rows.append({"group": f"{col} = {value}", "critical patients": int(m.sum()),
                         "under-triage": float(missed[m].mean()) if m.any() else float("nan")})
    return pd.DataFrame(rows).set_index("group")


def latency_ms(assistant: TriageAssistant, patients: list[dict]) -> np.ndarray:
    """(n,) wall milliseconds of assistant.assess for each patient, one at a time (notebook 15)."""
    out = []
    for p in patients:
        start = time.perf_counter()
        assistant.assess(p)
        out.append(1000 * (time.perf_counter() - start))
    return np.array(out)
