"""Reading the project's YAML files: libyaml's C loader when PyYAML was built with it, and
each file parsed once per process (keyed by path, size and modification time). PyYAML is
imported when a file is first parsed (a check whose models come from the model cache parses
none)."""
from __future__ import annotations

import copy
import os
from pathlib import Path

_cache: dict[tuple[str, int, int], object] = {}


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # SafeLoader: PyYAML without libyaml


def load_yaml(path: str | Path) -> object:
    """The parsed content of a YAML file (a fresh copy: callers may change it)."""
    import yaml

    path = os.path.abspath(path)
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _cache:
        with open(path, encoding="utf-8") as fh:
            _cache[key] = yaml.load(fh, Loader=_loader())
    return copy.deepcopy(_cache[key])


def yaml_error() -> type[Exception]:
    """yaml.YAMLError, for an `except` clause (evaluated only when something was raised)."""
    import yaml

    return yaml.YAMLError
