"""Show the library code that a notebook teaches, as the student would read it (notebook 01)."""

from __future__ import annotations

import inspect


def source_of(obj) -> str:
    """The source text of a library function or class, without its module's context."""
    try:
        return inspect.getsource(obj)
    except (TypeError, OSError) as err:
        raise TypeError(f"show_source needs a function or class defined in Python code, got {obj!r}") from err


def show_source(obj) -> None:
    """Display a function's or class's source with syntax highlighting (plain text outside Jupyter)."""
    text = source_of(obj)
    module = getattr(obj, "__module__", "")
    if _in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(f"`{module}.{obj.__qualname__}`\n```python\n{text}```"))
    else:  # a plain Python session or a test: print it
        print(f"# {module}.{obj.__qualname__}\n{text}")


def _in_notebook() -> bool:
    """Whether a Jupyter kernel is running this code (Markdown renders there)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
