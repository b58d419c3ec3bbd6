"""The model cache of the bundled YAML files: the same objects as validating, and never a
wrong one (stale, damaged or unwritable caches fall back to validating)."""
from __future__ import annotations

import os
import pickle

import pytest

from xltool.check.rules import RuleSet, load_rules
from xltool.modelcache import cache_dir, cached_model, load_model
from xltool.paths import data_dir
from xltool.template.spec import Framework, TemplateSpec, load_framework, load_spec
from xltool.template.templates import bundled_specs
from xltool.yamlfiles import load_yaml


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("XLTOOL_CACHE_DIR", str(folder))
    return folder


def test_cached_models_equal_freshly_validated_ones(cache):
    fresh = [(TemplateSpec, p) for p in sorted(data_dir("templates").glob("*.yaml"))]
    fresh += [(Framework, data_dir("templates") / "frameworks" / "seed.yaml"),
              (Framework, data_dir("templates") / "frameworks" / "mof2021.yaml"),
              (RuleSet, data_dir("rules") / "default.yaml")]
    for model, path in fresh:
        validated = model.model_validate(load_yaml(path))
        first = load_model(model, path)       # validates and writes the cache
        again = load_model(model, path)       # read back from the cache
        assert first == again == validated, path.name
    assert len(list(cache.glob("*.pickle"))) == len(fresh)
    rules = load_rules()
    assert [r.parsed_params for r in rules.rules] == \
        [r.parsed_params for r in RuleSet.model_validate(load_yaml(
            data_dir("rules") / "default.yaml")).rules]
    assert load_spec().dept.indicators.body == TemplateSpec.model_validate(
        load_yaml(data_dir("templates") / "project.yaml")).dept.indicators.body
    assert load_framework("seed").tier1_names == ["产出指标", "效益指标", "满意度指标"]
    assert {k for k in bundled_specs()} >= {(load_spec().id, load_spec().version)}


def test_a_changed_file_is_validated_again(cache, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    calls = []

    def build():
        calls.append(1)
        return load_yaml(path)
    assert cached_model(path, build) == {"a": 1} and cached_model(path, build) == {"a": 1}
    assert len(calls) == 1
    path.write_text("a: 22\n", encoding="utf-8")
    assert cached_model(path, build) == {"a": 22} and len(calls) == 2
    assert len(list(cache.glob("t-*.pickle"))) == 1     # the stale entry was replaced


def test_damaged_or_foreign_cache_files_are_ignored(cache, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    cached_model(path, lambda: load_yaml(path))
    (entry,) = cache.glob("t-*.pickle")
    for damage in (b"", b"not a pickle", entry.read_bytes()[:20],
                   pickle.dumps(("another key", {"a": "wrong"}))):
        entry.write_bytes(damage)
        assert cached_model(path, lambda: load_yaml(path)) == {"a": 1}


def test_no_cache_when_the_folder_cannot_be_written_or_is_turned_off(tmp_path, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XLTOOL_CACHE_DIR", str(blocker / "cache"))   # below a file
    assert cached_model(path, lambda: load_yaml(path)) == {"a": 1}
    monkeypatch.setenv("XLTOOL_CACHE_DIR", "")
    assert cache_dir() is None and cached_model(path, lambda: load_yaml(path)) == {"a": 1}
    monkeypatch.delenv("XLTOOL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name != "nt":
        assert cache_dir() == tmp_path / "xdg" / "xltool"


def test_files_people_pass_are_not_cached(cache, tmp_path):
    own = tmp_path / "规则.yaml"
    own.write_bytes((data_dir("rules") / "default.yaml").read_bytes())
    assert load_rules(own) == load_rules()
    assert not list(cache.glob("规则-*.pickle"))
