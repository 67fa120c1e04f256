"""Random text and random YAML structures: the loader only ever raises SpecError."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adcli.spec.errors import SpecError
from adcli.spec.loader import load_specs

pytestmark = pytest.mark.slow  # big hypothesis runs

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30),
                    st.sampled_from(["x = 1", "ones(3)", "x.backward()", "__import__('os')",
                                     "graph_freed", "loss", "w.grad"]))
keys = st.one_of(st.sampled_from(["name", "seed", "dtype", "tensors", "steps", "gradcheck",
                                  "do", "raises", "match", "expect", "atol", "rtol", "print",
                                  "graph", "no_grad", "of", "wrt", "data", "requires_grad",
                                  "x", "w"]), st.text(max_size=10))
trees = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=4)), max_leaves=25)


def _load(text: str | bytes) -> None:
    try:
        load_specs("fuzz.yaml", text=text)
    except SpecError as err:
        assert str(err).startswith("fuzz.yaml:")
        assert "\n" not in str(err)


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _load(text)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _load(data)


@SETTINGS
@given(trees)
def test_random_structures(tree: object) -> None:
    _load(yaml.safe_dump(tree))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["tensors", "steps", "gradcheck"]), trees, max_size=3))
def test_random_specs(tree: dict) -> None:
    _load(yaml.safe_dump(tree))


@SETTINGS
@given(st.lists(st.text(alphabet="xyzab01()[]+-*/.:,=_ \n'\"", max_size=40), max_size=5))
def test_random_statements(lines: list[str]) -> None:
    _load(yaml.safe_dump({"steps": lines}))
