"""The cohort cache holds only data: one .npz of plain arrays, never a pickle (notebook 00).

Lab PCs often share one data folder between students. A pickle in a shared folder
runs code in the kernel of whoever loads it, so the cache stores arrays, strings and
JSON only, and is read with ``allow_pickle=False``: a planted pickle is refused with
a clear message instead of being executed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

CACHE_FORMAT = 1  # bump when the layout of the .npz changes
_META = "__meta__"


class UnsafeCacheError(ValueError):
    """A cache file holds pickled objects (code could run on load): refused, never read."""


def _frame_to_arrays(prefix: str, frame: pd.DataFrame, arrays: dict) -> dict:
    """Store each column as a plain array; strings become fixed-width unicode arrays."""
    columns = []
    for i, name in enumerate(frame.columns):
        values = frame[name].to_numpy()
        kind = "object" if values.dtype == object else "plain"
        if kind == "object":
            if not all(isinstance(v, str) for v in values):
                raise TypeError(
                    f"column {name!r} of {prefix} holds non-string objects; the cohort cache "
                    "stores numbers, booleans and strings only (convert the column first)"
                )
            values = values.astype(str)
        arrays[f"{prefix}/{i}"] = values
        columns.append([str(name), kind])
    return {"columns": columns, "index": frame.index.tolist() if not _plain_index(frame) else None}


def _plain_index(frame: pd.DataFrame) -> bool:
    return isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1


def _frame_from_arrays(prefix: str, info: dict, data) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            name: (data[f"{prefix}/{i}"].astype(object) if kind == "object" else data[f"{prefix}/{i}"])
            for i, (name, kind) in enumerate(info["columns"])
        }
    )
    if info["index"] is not None:
        frame.index = info["index"]
    return frame


def _encode(name: str, value, arrays: dict):
    """One dataclass field -> entries in `arrays` plus a JSON description of how to rebuild it."""
    if value is None:
        return {"type": "none"}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"field {name!r} is an object array: the cache stores plain arrays only")
        if value.dtype == bool and value.ndim >= 2:  # masks: bit-packed, 8x smaller
            arrays[name] = np.packbits(value, axis=-1)
            return {"type": "bits", "width": int(value.shape[-1])}
        arrays[name] = value
        return {"type": "array"}
    if isinstance(value, pd.DataFrame):
        return {"type": "frame", **_frame_to_arrays(name, value, arrays)}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        arrays[name] = np.array(value, dtype=str)
        return {"type": "strings"}
    if isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()):
        keys = list(value)
        return {"type": "dict", "keys": keys,
                "items": [_encode(f"{name}/{i}", value[k], arrays) for i, k in enumerate(keys)]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = {f.name: _encode(f"{name}/{f.name}", getattr(value, f.name), arrays)
                 for f in dataclasses.fields(value)}
        return {"type": "dataclass", "class": type(value).__qualname__, "fields": parts}
    if isinstance(value, (bool, int, float, str, np.integer, np.floating)):
        return {"type": "scalar", "value": value.item() if hasattr(value, "item") else value}
    raise TypeError(
        f"field {name!r} has type {type(value).__name__}, which the cohort cache cannot store "
        "as plain data; add an encoding for it in course_lib/synth/cache.py"
    )


def _decode(name: str, info: dict, data, classes: dict):
    kind = info["type"]
    if kind == "none":
        return None
    if kind == "array":
        return data[name]
    if kind == "bits":
        return np.unpackbits(data[name], axis=-1, count=info["width"]).astype(bool)
    if kind == "frame":
        return _frame_from_arrays(name, info, data)
    if kind == "strings":
        return [str(v) for v in data[name]]
    if kind == "dict":
        return {k: _decode(f"{name}/{i}", item, data, classes)
                for i, (k, item) in enumerate(zip(info["keys"], info["items"], strict=True))}
    if kind == "dataclass":
        cls = classes[info["class"]]
        return cls(**{f: _decode(f"{name}/{f}", item, data, classes)
                      for f, item in info["fields"].items()})
    if kind == "scalar":
        return info["value"]
    raise ValueError(f"unknown cache entry type {kind!r} for field {name!r}")


def save_dataclass(obj, path: Path, skip: tuple = (), meta: dict | None = None) -> None:
    """Write a dataclass of arrays, frames and strings to one .npz, atomically (notebook 00)."""
    arrays: dict[str, np.ndarray] = {}
    fields = {f.name: _encode(f.name, getattr(obj, f.name), arrays)
              for f in dataclasses.fields(obj) if f.name not in skip}
    description = {"format": CACHE_FORMAT, "fields": fields, "meta": meta or {}}
    arrays[_META] = np.array(json.dumps(description))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _unsafe(path: Path) -> UnsafeCacheError:
    return UnsafeCacheError(
        f"refusing to read the cache file {path}: it contains pickled Python objects, which "
        "can run code when loaded. The course never writes pickles, so someone or something "
        "else put it there. Delete the file (make_cohort then regenerates it) and check who "
        "can write to the shared data folder (COURSE_DATA_DIR)."
    )


def load_dataclass(path: Path, classes: dict, meta: dict | None = None) -> dict:
    """The fields stored by save_dataclass, as a dict ready for the dataclass (notebook 00).

    Refuses a file holding pickled data with UnsafeCacheError; raises ValueError for a
    file of another format or whose metadata does not match `meta`.
    """
    path = Path(path)
    try:
        # numpy itself refuses pickled data here: a raw pickle, or an object array in the .npz
        with np.load(path, allow_pickle=False) as npz:
            data = {key: npz[key] for key in npz.files}  # every member checked, even unused ones
            description = json.loads(str(data[_META]))
            if description.get("format") != CACHE_FORMAT:
                raise ValueError(f"cache file {path} has format {description.get('format')}")
            if meta is not None and description.get("meta") != json.loads(json.dumps(meta)):
                raise ValueError(f"cache file {path} was written for other arguments")
            return {name: _decode(name, info, data, classes)
                    for name, info in description["fields"].items()}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise _unsafe(path) from None
        raise
