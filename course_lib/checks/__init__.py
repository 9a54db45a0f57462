"""Exercise checkers: each compares a student's answer with the reference and explains."""

from course_lib.checks._core import ExerciseError, ExerciseNotDone
from course_lib.checks.ecg import check_bandpass, check_limb_leads, check_rr_irregularity
from course_lib.checks.tour import check_heart_rate

__all__ = ["ExerciseError", "ExerciseNotDone", "check_bandpass", "check_heart_rate",
           "check_limb_leads", "check_rr_irregularity"]
