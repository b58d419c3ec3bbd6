"""The bundled template versions, found by the identity a workbook carries."""
from __future__ import annotations

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
        return load_framework(name)
    except (OSError, ValidationError, yaml_error(), TypeError, ValueError):
        return None


def find_framework(name: str) -> Framework | None:
    """A bundled framework by id, or None when unknown here."""
    return _framework(name) if name.isidentifier() else None


def find_template(template_id: str, version: str,
                  framework: str) -> tuple[TemplateSpec, Framework] | None:
    """The spec and framework a workbook was generated with, or None when unknown here."""
    spec = bundled_specs().get((template_id, version))
    fw = _framework(framework) if spec is not None and framework.isidentifier() else None
    return (spec, fw) if spec is not None and fw is not None else None
