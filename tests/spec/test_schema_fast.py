"""The loader's fast schema check agrees with jsonschema (which it spares valid documents)."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adcli.spec.loader import _read_documents
from adcli.spec.schema import _fast_supported, fast_valid, schema, validator

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _collect(node: Any, keys: set[str], atoms: set[Any]) -> None:
    """Every property name and every enum value / bound / pattern-like string of the schema."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "properties":
                keys.update(v)
            if k == "enum":
                atoms.update(v)
            if k in ("minimum", "maximum", "exclusiveMinimum", "minLength", "maxLength",
                     "minItems", "maxItems") and isinstance(v, int):
                atoms.update({v, v - 1, v + 1, float(v)})
            if k in ("minLength", "maxLength"):
                atoms.update("x" * n for n in (v - 1, v, v + 1) if 0 <= n < 20_000)
            if k == "required":
                keys.update(v)
            _collect(v, keys, atoms)
    elif isinstance(node, list):
        for v in node:
            _collect(v, keys, atoms)


_KEYS: set[str] = set()
_ATOMS: set[Any] = set()
_collect(schema(), _KEYS, _ATOMS)
KEYS = sorted(_KEYS)
ATOMS = sorted(_ATOMS, key=repr)
# every optional key the schema has, once (the bundled specs leave some out)
EVERY_FIELD = """
name: every-field
description: all optional keys
seed: 3
engine: adcli
dtype: float64
tensors:
  x: {data: [1.0, 2.0], requires_grad: true, dtype: float64}
  n: 2.5
steps:
  - y = x * 2
  - do: y.backward()
    raises: nonscalar_backward
    match: scalar
  - no_grad:
      - z = x * 3
  - expect: {y.sum(): 6.0}
    atol: 1e-6
    rtol: 1e-5
  - print: [y]
  - graph: y
gradcheck:
  - of: (x * x).sum()
    wrt: [x]
    eps: 1e-6
    atol: 1e-5
    rtol: 1e-3
    mode: full
    order: 1
    detached: hold
"""
# the documents as the loader reads them (YAML 1.2 floats: 1e-3 is a number)
SEEDS = [d.value for f in sorted((ROOT / "specs").glob("*.yaml"))
         for d in _read_documents(f.read_text(encoding="utf-8"), str(f))
         if isinstance(d.value, dict)]
SEEDS.append(_read_documents(EVERY_FIELD, "every-field.yaml")[0].value)

scalars = st.one_of(
    st.sampled_from(ATOMS), st.none(), st.booleans(), st.integers(-3, 5), st.integers(),
    st.floats(allow_nan=True), st.sampled_from(ATOMS), st.sampled_from(KEYS),
    st.sampled_from(["", "x", "x.sum()", "1bad", "torch.ones(3)", "a = b", "_", "é", "x" * 201]),
    st.text(max_size=5),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=3)), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_specs(draw: st.DrawFn) -> Any:
    """A bundled spec with a few sub-values replaced, dropped or added (mostly near-valid)."""
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return doc


def _from_schema(node: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Documents shaped by the schema itself: mostly valid, with boundary values and strays."""
    if depth > 6 or not isinstance(node, dict):
        return scalars
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: _from_schema(schema()["$defs"][name], depth + 1))
    options: list[st.SearchStrategy[Any]] = []
    if "enum" in node:
        options.append(st.sampled_from(node["enum"]))
    for key in ("allOf", "anyOf"):
        for sub in node.get(key, []):
            options.append(_from_schema(sub.get("then", sub), depth + 1))
    types = node.get("type", [])
    types = types if isinstance(types, list) else [types]
    if "object" in types or "properties" in node:
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        fields = {k: _from_schema(v, depth + 1) for k, v in props.items()}
        if isinstance(extra, dict):
            fields.update({n: _from_schema(extra, depth + 1) for n in ("x", "w1", "1x", "_")})
        if fields:
            keys = sorted(fields)
            required = [k for k in node.get("required", []) if k in fields]
            options.append(st.lists(st.sampled_from(keys), unique=True, max_size=4).flatmap(
                lambda ks: st.fixed_dictionaries({k: fields[k] for k in {*required, *ks}})))
    if "array" in types or "items" in node:
        options.append(st.lists(_from_schema(node.get("items", {}), depth + 1), max_size=3))
    if "string" in types:
        options.append(st.sampled_from(["x", "w1", "x.sum()", "y = x * 2", "", "x" * 201]))
    if "number" in types or "integer" in types:
        options.append(st.sampled_from([0, 1, 2, -1, 0.0, 1e-6, 1.5, 4294967295, 4294967296]))
    if "boolean" in types:
        options.append(st.booleans())
    if not options:
        return scalars
    # mostly the shape the schema asks for; now and then any value at all
    return st.one_of(*options, *options, *options, scalars)


def _jsonschema_valid(doc: Any) -> bool:
    return not any(True for _ in validator().iter_errors(doc))


def test_fast_check_covers_the_schema() -> None:
    assert _fast_supported()  # else every document pays for jsonschema again
    for doc in SEEDS:
        assert fast_valid(doc)


@pytest.mark.slow
@SETTINGS
@given(mutated_specs())
def test_fast_check_agrees_on_mutated_specs(doc: Any) -> None:
    expected = _jsonschema_valid(doc)
    event(f"valid={expected}")  # both kinds occur (see --hypothesis-show-statistics)
    assert fast_valid(doc) == expected


@pytest.mark.slow
@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6))
def test_fast_check_agrees_on_random_documents(doc: Any) -> None:
    assert fast_valid(doc) == _jsonschema_valid(doc)


@pytest.mark.slow
@SETTINGS
@given(_from_schema(schema()))
def test_fast_check_agrees_on_schema_shaped_documents(doc: Any) -> None:
    expected = _jsonschema_valid(doc)
    event(f"valid={expected}")
    assert fast_valid(doc) == expected


def test_unsure_inputs_go_to_jsonschema() -> None:
    # not plain JSON (a YAML date, an int key): never claimed valid by the fast check
    assert not fast_valid({"name": datetime.date(2020, 1, 1)})
    assert not fast_valid({"tensors": {1: "x"}})


BOUNDARY = [0, -1, 0.0, 1e-300, "", None, True, [], {}, "x" * 201, 4294967296, 1.5]


@pytest.mark.slow
def test_fast_check_agrees_on_every_field_at_its_boundaries() -> None:
    """Each mapping value of each bundled spec, replaced in turn by each boundary value."""
    checked = 0
    for seed in SEEDS[-1:] + SEEDS[:4]:  # every-field first: it has every key
        for path in _paths(seed):
            if not path or not isinstance(path[-1], str):
                continue
            for value in BOUNDARY:
                doc = copy.deepcopy(seed)
                parent = doc
                for p in path[:-1]:
                    parent = parent[p]
                parent[path[-1]] = value
                assert fast_valid(doc) == _jsonschema_valid(doc), (path, value)
                checked += 1
    assert checked > 500
