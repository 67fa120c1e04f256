"""Docs stay true: docs/ops.md matches the registry, the JSON Schema accepts every bundled
spec and rejects malformed ones, and the docs only name specs and commands that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from adcli import docs_gen

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SPECS = sorted((ROOT / "specs").glob("*.y*ml"))


def test_ops_md_is_in_sync_with_the_registry():
    current = (DOCS / "ops.md").read_text(encoding="utf-8")
    assert current == docs_gen.ops_markdown(), (
        "docs/ops.md is out of date: run `python -m adcli.docs_gen` and commit the result")


def test_docs_gen_check_mode(tmp_path: Path):
    out = tmp_path / "ops.md"
    assert docs_gen.main([str(out)]) == 0
    assert docs_gen.main(["--check", str(out)]) == 0
    out.write_text("stale\n")
    assert docs_gen.main(["--check", str(out)]) == 1


def test_every_table_op_is_documented():
    from adcli.engine import registry

    text = (DOCS / "ops.md").read_text(encoding="utf-8")
    for row in registry.op_table():
        assert f"`{row['grad_fn']}`" in text, row["name"]
    for name in registry.FUNCTIONAL:
        assert f"### `F.{name}`" in text


def _grad_fns(t) -> set[str]:
    seen: set[str] = set()
    stack = [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node.name() in seen:
            continue
        seen.add(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return seen - {"AccumulateGrad"}


def _probes():
    import adcli
    import adcli.nn.functional as F

    d = adcli.float64

    def leaf(*shape):
        return adcli.randn(*shape, dtype=d, requires_grad=True)

    v, m, b3 = leaf(3), leaf(3, 3), leaf(2, 3, 3)
    return {
        "matmul": [adcli.matmul(v, v), adcli.matmul(m, v), adcli.matmul(v, m),
                   adcli.matmul(m, m), adcli.matmul(b3, m), adcli.matmul(b3, b3),
                   adcli.matmul(b3, v)],
        "square": [adcli.square(v)],
        "outer": [adcli.outer(v, v)],
        "clamp_min": [adcli.clamp_min(v, 0.0)],
        "clamp_max": [adcli.clamp_max(v, 0.0)],
        "unbind": [adcli.unbind(m)[0]],
        "F.linear": [F.linear(m, m, v), F.linear(b3, m)],
        "F.cross_entropy": [F.cross_entropy(m, adcli.tensor([0, 1, 2]))],
        "F.l1_loss": [F.l1_loss(v, v.detach()), F.l1_loss(v, v.detach(), reduction="sum")],
        "F.dropout": [F.dropout(v, 0.5)],
        "Tensor.expand_as": [v.expand_as(m)],
        "Tensor.sum_to_size": [m.sum_to_size(1, 3)],
    }


def test_composites_list_the_grad_fns_they_record():
    """The hand-kept list of composite ops (docs_gen._COMPOSITE) matches what they record."""
    entries = docs_gen.op_entries()
    for name, outputs in _probes().items():
        (entry,) = docs_gen.find_op(name, entries)
        listed = {d["grad_fn"] for d in entry.derivatives}
        for out in outputs:
            assert _grad_fns(out) <= listed, (name, _grad_fns(out), listed)


# -- the JSON Schema (editor integration) ------------------------------------------------------
@pytest.fixture(scope="module")
def validator():
    from adcli.spec.schema import validator as make

    return make()


class Yaml12Loader(yaml.SafeLoader):
    """Reads floats as YAML 1.2 does (editors do; PyYAML's 1.1 reads 1e-7 as a string)."""

    yaml_implicit_resolvers = {k: list(v) for k, v in
                               yaml.SafeLoader.yaml_implicit_resolvers.items()}


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_schema_accepts_every_bundled_spec(validator, path: Path):
    text = path.read_text(encoding="utf-8")
    docs = [d for d in yaml.load_all(text, Loader=Yaml12Loader) if d is not None]
    assert docs
    for doc in docs:
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], (path.name, errors)


def test_schema_accepts_the_init_spec(validator):
    from adcli.cli.cmd_misc import starter_spec

    assert list(validator.iter_errors(yaml.safe_load(starter_spec()))) == []


@pytest.mark.parametrize("doc", [
    {"steps": ["y = x"], "unknown_key": 1},                        # no such key
    {"tensors": {"x": "ones(3)"}, "steps": "y = x"},               # steps must be a list
    {"tensors": {"x": "ones(3)"}, "steps": [{"expect": "x"}]},     # expect must be a mapping
    {"tensors": {"x": "ones(3)"}, "steps": [{"do": "x.sum()", "raises": "no_such_kind"}]},
    {"tensors": {"x": "ones(3)"}, "seed": -1, "steps": []},        # negative seed
    {"tensors": {"x": "ones(3)"}, "dtype": "float16", "steps": []},
    {"tensors": {"x": "ones(3)"}, "steps": [], "gradcheck": [{"wrt": ["x"]}]},  # of missing
    {"tensors": {"x": "ones(3)"}, "steps": [], "gradcheck": [{"of": "x", "mode": "slow"}]},
    {"tensors": {"1x": "ones(3)"}, "steps": []},                   # not an identifier
    ["y = x"],                                                      # not a mapping
])
def test_schema_rejects_malformed_specs(validator, doc):
    assert list(validator.iter_errors(doc)), doc


# -- the prose docs ----------------------------------------------------------------------------
DOC_FILES = sorted(DOCS.glob("*.md"))


def test_docs_exist():
    names = {p.name for p in DOC_FILES}
    assert {"tutorial.md", "spec-format.md", "ci.md", "ops.md", "completion.md",
            "editors.md"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"docs/{name}" in readme, f"README.md does not link docs/{name}"


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_docs_name_existing_specs(path: Path):
    text = path.read_text(encoding="utf-8")
    for ref in set(re.findall(r"\bspecs/[\w./-]+\.ya?ml\b", text)):
        assert (ROOT / ref).is_file(), f"{path.name} names {ref}, which does not exist"


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_docs_name_existing_commands(path: Path):
    from adcli.cli import _register, app

    _register()
    known = {c.name for c in app.registered_commands}
    text = path.read_text(encoding="utf-8")
    # shell lines ("$ adcli run ..."), CI steps ("run: adcli ...", "- adcli ...") and hooks
    shown = re.findall(r"(?:^\$ |run: |^\s*- |entry: )adcli ([a-z]+)\b", text, re.M)
    for cmd in set(shown):
        assert cmd in known, f"{path.name} shows `adcli {cmd}`, not a command"
