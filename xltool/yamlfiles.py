"""Reading the project's YAML files: libyaml's C loader when PyYAML was built with it, and
each file parsed once per process (keyed by path, size and modification time)."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    _Loader = yaml.SafeLoader

_cache: dict[tuple[str, int, int], object] = {}


def load_yaml(path: str | Path) -> object:
    """The parsed content of a YAML file (a fresh copy: callers may change it)."""
    path = os.path.abspath(path)
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _cache:
        with open(path, encoding="utf-8") as fh:
            _cache[key] = yaml.load(fh, Loader=_Loader)
    return copy.deepcopy(_cache[key])
