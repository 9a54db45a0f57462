"""Shared machinery of the exercise checkers: clear messages for students (notebook 00)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ExerciseNotDone(AssertionError):
    """Raised when the exercise still raises NotImplementedError."""


class ExerciseError(AssertionError):
    """Raised when an answer is wrong; the message says what is wrong, in plain words."""


def call_student(func: Callable[..., Any], *args: Any, exercise: str, **kwargs: Any) -> Any:
    """Call the student's function; turn 'not done yet' and crashes into clear messages."""
    try:
        return func(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotDone(
            f"{exercise}: not done yet. Replace `raise NotImplementedError` in the exercise "
            "cell above with your solution, run that cell, then run this check again."
        ) from None
    except Exception as err:  # a student's bug: show it without a wall of traceback
        raise ExerciseError(
            f"{exercise}: your function raised {type(err).__name__}: {err}"
        ) from err


def passed(exercise: str, detail: str = "") -> None:
    """Print the success line of a check."""
    print(f"✅ {exercise}: correct." + (f" {detail}" if detail else ""))
