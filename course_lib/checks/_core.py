"""Shared machinery of the exercise checkers: clear messages for students (notebook 00)."""

from __future__ import annotations

import functools
import importlib
import os
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


# --- Check cells that never stop Run All (notebook 00) ---------------------------------------

STRICT_VAR = "COURSE_STRICT_CHECKS"  # "1": a failed check raises (tests set it for source notebooks)
STATUS: dict[str, tuple[str, str]] = {}  # exercise -> ("passed" | "not done" | "failed", message)


def strict() -> bool:
    """Whether a failed check should raise instead of falling back to the reference."""
    return os.environ.get(STRICT_VAR, "") == "1"


def load_reference(path: str) -> Any:
    """The library's reference answer, fetched by "module:name" only when it is needed."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def exercise_check(exercise: str, reference: str) -> Callable[[Callable[..., None]], Callable[..., Any]]:
    """Decorate a checker: report instead of stopping, and return the answer or the reference.

    The check cell reads `my_function = checks.check_x(my_function)`. When the answer passes,
    the student's own function comes back and later cells use it. When it is not done yet or
    wrong, the message is printed, and the library's reference comes back with a one-line note,
    so Run All reaches the end. With COURSE_STRICT_CHECKS=1 (the tests of the source notebooks)
    a failed check raises as before.
    """

    def decorate(check: Callable[..., None]) -> Callable[..., Any]:
        @functools.wraps(check)
        def run(answer: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                check(answer, *args, **kwargs)
            except (ExerciseNotDone, ExerciseError) as err:
                if strict():
                    raise
                status = "not done" if isinstance(err, ExerciseNotDone) else "failed"
                STATUS[exercise] = (status, str(err))
                print(("⏳ " if status == "not done" else "❌ ") + str(err))
                ref = load_reference(reference)
                print(f"↪ Later cells use the reference `{reference.partition(':')[2]}` "
                      f"until you finish {exercise.split(' (')[0]}.")
                return ref
            STATUS[exercise] = ("passed", "")
            return answer

        run.exercise = exercise  # type: ignore[attr-defined]
        run.reference = reference  # type: ignore[attr-defined]
        return run

    return decorate
