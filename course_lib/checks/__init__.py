"""Exercise checkers: each compares a student's answer with the reference and explains.

Checkers load lazily, so `from course_lib import checks` stays cheap: a notebook pays
only for the checker modules it uses.
"""

from __future__ import annotations

import importlib

from course_lib.checks._core import ExerciseError, ExerciseNotDone

# checker name -> module in course_lib.checks (its notebook is in the module's docstring)
_CHECKERS = {
    "check_heart_rate": "tour",
    "check_screening_threshold": "tour",
    "check_hu_window": "imaging",
    "check_augmentation": "imaging",
    "check_patchify": "imaging",
    "check_crop_scale": "imaging",
    "check_bandpass": "ecg",
    "check_limb_leads": "ecg",
    "check_rr_irregularity": "ecg",
    "check_mi_rule_out": "ecg",
    "check_log_mel": "audio",
    "check_icbhi_score": "audio",
    "check_window_choice": "audio",
    "check_late_average": "fusion",
    "check_late_stacking": "fusion",
    "check_cross_attention": "fusion",
    "check_knn_edges": "fusion",
    "check_fusion_choice": "fusion",
    "check_info_nce": "clip",
    "check_recall_at_k": "clip",
    "check_prompt_ensemble": "clip",
    "check_operating_point": "clip",
    "check_mention_label": "reports",
    "check_most_dangerous": "reports",
    "check_level_to_level0": "pathology",
    "check_gated_attention": "pathology",
    "check_patch_setup": "pathology",
    "check_volume_ml": "volume",
    "check_dice_3d": "volume",
    "check_volumetry_choice": "volume",
    "check_causal_conv1d": "video",
    "check_edit_score": "video",
    "check_choose_fps": "video",
    "check_one_hot": "genomics",
    "check_kmer_tokens": "genomics",
    "check_antiplatelet": "genomics",
    "check_multimodal_dataset": "handson",
    "check_image_encoder": "handson",
    "check_fusion_model": "handson",
    "check_training_loop": "handson",
    "check_choose_threshold": "handson",
    "check_rates_from_counts": "evaluation",
    "check_ece": "evaluation",
    "check_rule_out": "evaluation",
    "check_news2": "vitals",
    "check_forward_fill": "vitals",
    "check_alarm_threshold": "vitals",
    "check_drop_modalities": "missing",
    "check_masked_mean": "missing",
    "check_choose_strategy": "missing",
    "check_ktas_vitals_level": "triage",
    "check_choose_operating_point": "triage",
    "check_pointing_game": "interpret",
    "check_shapley_values": "interpret",
    "check_method_choice": "interpret",
    "check_edge_choice": "deploy",
    "check_psi": "deploy",
    "check_fedavg": "deploy",
}
_MODULES = set(_CHECKERS.values())

__all__ = ["ExerciseError", "ExerciseNotDone", *_CHECKERS]


def __getattr__(name: str):
    """Import a checker (or a checker module such as `checks.tour`) on first use."""
    if name in _CHECKERS:
        return getattr(importlib.import_module(f"course_lib.checks.{_CHECKERS[name]}"), name)
    if name in _MODULES:
        return importlib.import_module(f"course_lib.checks.{name}")
    raise AttributeError(f"module 'course_lib.checks' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *_MODULES])
