"""The bundled template versions and frameworks, found by the identity a workbook carries.

A workbook's identity names its framework (and its 部门整体绩效目标 framework) by id when the
framework is one shipped with xltool. A framework the county gave as a YAML file
(`--framework 体系.yaml`, `--dept-framework 体系.yaml`) is recorded whole, as JSON, so the
returns can be checked on any computer, without that file, and against exactly the framework
they were generated with (a file that reuses a bundled id but differs from it is recorded whole
too).
"""
from __future__ import annotations

import json
from functools import lru_cache

from pydantic import ValidationError

from ..paths import data_dir
from ..yamlfiles import yaml_error
from .spec import Framework, TemplateSpec, load_framework, load_spec


@lru_cache(maxsize=None)
def bundled_specs() -> dict[tuple[str, str], TemplateSpec]:
    """(template id, version) -> spec, for every templates/*.yaml."""
    out = {}
    for path in sorted(data_dir("templates").glob("*.yaml")):
        spec = load_spec(path)
        out[(spec.id, spec.version)] = spec
    return out


@lru_cache(maxsize=None)
def _framework(name: str) -> Framework | None:
    try:
        if name.startswith("{"):
            return Framework.model_validate_json(name)
        return load_framework(name) if name.isidentifier() else None
    except (OSError, ValidationError, yaml_error(), TypeError, ValueError):
        return None


def framework_ref(framework: Framework) -> str:
    """What a workbook's identity records for `framework`: the id of a bundled framework, or
    the framework itself as JSON."""
    if _framework(framework.id) == framework:
        return framework.id
    return json.dumps(framework.model_dump(mode="json"), ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)


def find_framework(ref: str) -> Framework | None:
    """The framework an identity records (a bundled id or a recorded framework), or None when
    unknown here."""
    return _framework(ref)


def find_template(template_id: str, version: str,
                  framework: str) -> tuple[TemplateSpec, Framework] | None:
    """The spec and framework a workbook was generated with, or None when unknown here."""
    spec = bundled_specs().get((template_id, version))
    fw = _framework(framework) if spec is not None else None
    return (spec, fw) if spec is not None and fw is not None else None
