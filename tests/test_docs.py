"""Docs stay true: docs/ops.md matches the registry, the JSON Schema accepts every bundled
spec and rejects malformed ones, and the docs only name specs and commands that exist."""

from __future__ import annotations

import os
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
        # the docs list display names (torch's C++ namespace dropped)
        name = None if node is None else node.name().removeprefix("torch::autograd::")
        if node is None or name in seen:
            continue
        seen.add(name)
        stack.extend(n for n, _ in node.next_functions)
    return seen - {"AccumulateGrad"}


def _probes():
    import adcli
    import adcli.nn.functional as F

    d = adcli.float64

    def leaf(*shape):
        return adcli.randn(*shape, dtype=d, requires_grad=True)

    v, m, b3 = leaf(3), leaf(3, 3), leaf(2, 3, 3)
    mt = leaf(3, 3).detach().t().requires_grad_()  # a non-contiguous leaf
    return {
        "matmul": [adcli.matmul(v, v), adcli.matmul(m, v), adcli.matmul(v, m),
                   adcli.matmul(m, m), adcli.matmul(b3, m), adcli.matmul(b3, b3),
                   adcli.matmul(b3, v)],
        "square": [adcli.square(v)],
        "outer": [adcli.outer(v, v)],
        "clamp_min": [adcli.clamp_min(v, 0.0)],
        "clamp_max": [adcli.clamp_max(v, 0.0)],
        "unbind": [adcli.unbind(m)[0]],
        "Tensor.unbind": [m.unbind(1)[2]],
        "Tensor.clamp_min": [v.clamp_min(0.0)],
        "F.linear": [F.linear(m, m, v), F.linear(b3, m)],
        "F.cross_entropy": [F.cross_entropy(m, adcli.tensor([0, 1, 2])),
                            F.cross_entropy(m, adcli.tensor([0, 1, 2]), label_smoothing=0.1),
                            F.cross_entropy(m, adcli.tensor([0, 1, 2]), leaf(3).detach(),
                                            label_smoothing=0.1, ignore_index=1),
                            F.cross_entropy(m, m.detach().softmax(1), reduction="none")],
        "F.l1_loss": [F.l1_loss(v, v.detach()), F.l1_loss(v, v.detach(), reduction="sum")],
        "F.dropout": [F.dropout(v, 0.5)],
        "Tensor.expand_as": [v.expand_as(m)],
        "Tensor.sum_to_size": [m.sum_to_size(1, 3)],
        # -- shape, indexing, scan and sort --
        "narrow": [adcli.narrow(m, 1, 1, 2)],
        "movedim": [adcli.movedim(b3, 0, 2), adcli.moveaxis(b3, (0, 1), (1, 0))],
        "unflatten": [adcli.unflatten(m, 1, (3, 1))],
        "repeat_interleave": [adcli.repeat_interleave(m, 2), mt.repeat_interleave(2),
                              adcli.repeat_interleave(m, 2, dim=1),
                              adcli.repeat_interleave(m, adcli.tensor([1, 0, 2]), dim=0)],
        "Tensor.view_as": [m.view_as(v.expand(9, 3)[:, 0])],
        "Tensor.reshape_as": [m.reshape_as(leaf(9)), mt.reshape_as(leaf(9))],
        "diff": [adcli.diff(m), adcli.diff(m, n=0), adcli.diff(m, prepend=m, dim=0)],
        "kron": [adcli.kron(m, v)],
        "einsum": [adcli.einsum("ij,jk->ik", m, m), adcli.einsum("ii", m),
                   adcli.einsum("ij,ij->ij", m, m), adcli.einsum("bij,jk", b3, mt)],
        # -- elementwise math and F activations/normalization/losses --
        "F.softsign": [F.softsign(v)],
        "F.softmin": [F.softmin(m, 1), F.softmin(m.float(), 0, dtype=d)],
        "F.normalize": [F.normalize(m), F.normalize(v, p=1.0, dim=0)],
        "F.cosine_similarity": [F.cosine_similarity(m, v), F.cosine_similarity(m, m.detach())],
        "F.kl_div": [F.kl_div(m, m.exp(), reduction=r) for r in ("mean", "sum", "batchmean")]
        + [F.kl_div(m, m, log_target=True, reduction="none")],
        # -- layers of adcli.nn --
        "F.bilinear": [F.bilinear(leaf(2, 3), leaf(2, 2), leaf(4, 3, 2), leaf(4)),
                       F.bilinear(leaf(3), leaf(2), leaf(1, 3, 2))],
        "F.prelu": [F.prelu(m, leaf(3)), F.prelu(v, leaf(1))],
        "F.dropout1d": [F.dropout1d(m, 0.5), F.dropout1d(b3, 0.5)],
        "F.dropout2d": [F.dropout2d(leaf(2, 3, 2, 2), 0.5)],
    }


def test_composites_list_the_grad_fns_they_record():
    """The hand-kept list of composite ops (docs_gen._COMPOSITE) matches what they record."""
    entries = docs_gen.op_entries()
    for name, outputs in _probes().items():
        (entry,) = docs_gen.find_op(name, entries)
        assert entry.kind != "derivative", (name, "found the table op, not the public name")
        listed = {d["grad_fn"] for d in entry.derivatives}
        for out in outputs:
            assert _grad_fns(out) <= listed, (name, _grad_fns(out), listed)


def test_composites_do_not_shadow_a_table_op():
    from adcli.engine import registry

    table = {row["name"] for row in registry.op_table()}
    assert not {k.split(".")[-1] for k in docs_gen._COMPOSITE} & table


def test_find_op_prefers_the_public_name():
    """``adcli ops NAME`` for a public name shows the function, even when a derivative-table
    op has the same name (unbind, clamp_min, ...)."""
    from adcli.engine import registry

    entries = docs_gen.op_entries()
    for name in [*registry.TORCH, *(f"F.{n}" for n in registry.FUNCTIONAL),
                 *(f"Tensor.{n}" for n in registry.TENSOR_METHODS)]:
        found = docs_gen.find_op(name, entries)
        if name in registry.TORCH and not found:
            continue  # dtypes (torch.float64) are names, not ops
        assert len(found) == 1 and found[0].kind != "derivative", (name, found)


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


# The hostile corpus (tests/spec/hostile) whose problem is the document's structure, so an
# editor flags it; the rest are statement-language or runtime problems (adcli validate's job).
HOSTILE = ROOT / "tests" / "spec" / "hostile"
STRUCTURAL = [
    "billion_laughs.yaml", "dtype_wrong_value.yaml", "expect_bad_wanted.yaml",
    "expect_wrong_type.yaml", "raises_bad_kind.yaml", "seed_wrong_type.yaml",
    "step_unknown_key.yaml", "step_wrong_type.yaml", "steps_wrong_type.yaml",
    "tensor_bad_mapping.yaml", "tensors_wrong_type.yaml", "too_many_steps.yaml",
    "top_level_list.yaml", "top_level_scalar.yaml", "unknown_top_key.yaml",
    "yaml_binary_tag.yaml", "yaml_set_tag.yaml",
]


@pytest.mark.parametrize("name", STRUCTURAL)
def test_schema_rejects_the_malformed_corpus(validator, name: str):
    docs = list(yaml.load_all((HOSTILE / name).read_text(encoding="utf-8"), Loader=Yaml12Loader))
    assert any(list(validator.iter_errors(d)) for d in docs), name


@pytest.mark.slow
def test_schema_reads_the_same_as_draft_07():
    """yaml-language-server validates with draft-07 semantics: the schema must be a valid
    draft-07 schema and give the same verdicts there as under its declared 2020-12."""
    import jsonschema

    from adcli.spec.schema import schema

    jsonschema.Draft7Validator.check_schema(schema())
    v7, v2020 = jsonschema.Draft7Validator(schema()), jsonschema.Draft202012Validator(schema())
    docs = [d for p in SPECS for d in yaml.load_all(p.read_text(encoding="utf-8"),
                                                    Loader=Yaml12Loader)]
    docs += [d for n in STRUCTURAL for d in yaml.load_all(
        (HOSTILE / n).read_text(encoding="utf-8"), Loader=Yaml12Loader)]
    assert len(docs) > len(SPECS)
    for doc in docs:
        assert (sorted(e.message for e in v7.iter_errors(doc))
                == sorted(e.message for e in v2020.iter_errors(doc)))


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


# -- the outputs shown in the tutorial are real ------------------------------------------------
def _console_sessions(text: str) -> list[tuple[str, list[str], int | None]]:
    """(command, output lines, exit code from a following ``$ echo $?``) per ``$ adcli``."""
    out: list[tuple[str, list[str], int | None]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        cur: list | None = None
        for line in block.splitlines():
            if line.startswith("$ echo $?") and cur is not None:
                cur[2] = -1  # the next line is the code
            elif line.startswith("$ "):
                cur = [line[2:], [], None]
                out.append(cur)  # type: ignore[arg-type]
            elif cur is not None and cur[2] == -1:
                cur[2] = int(line)
            elif cur is not None:
                cur[1].append(line)
    return [(c, lines, code) for c, lines, code in out
            if c.startswith("adcli ") and lines and not c.startswith("adcli init")]


def _norm(lines: list[str]) -> list[str]:
    return [re.sub(r"0x[0-9a-f]+", "0x...", ln.rstrip()) for ln in lines if ln.strip()]


@pytest.mark.slow
def test_tutorial_outputs_are_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import shlex
    import subprocess
    import sys

    from typer.testing import CliRunner

    from adcli.cli import _register, app

    _register()
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    # the files the tutorial shows as ``# name`` code blocks
    for name, body in re.findall(r"```\w+\n# ([\w.]+\.(?:ya?ml|py))\n(.*?)```", text, re.S):
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    monkeypatch.chdir(tmp_path)
    sessions = _console_sessions(text)
    assert len(sessions) >= 12
    for cmd, want, code in sessions:
        args = shlex.split(cmd)[1:]
        if "--plugin" in args:  # a plugin registers ops for good: keep it out of this process
            proc = subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                                  text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            stdout, stderr, rc = proc.stdout, proc.stderr, proc.returncode
        else:
            res = CliRunner().invoke(app, args, env={"NO_COLOR": "1"})
            stdout, stderr, rc = res.stdout, res.stderr, res.exit_code
        got = _norm(stdout.splitlines()) + _norm(stderr.splitlines())
        assert sorted(got) == sorted(_norm(want)), (cmd, "\n".join(got))
        if code is not None:
            assert rc == code, cmd


def test_ci_guide_snippets_parse_and_run_the_real_commands():
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
              if not b.lstrip().startswith("- id:")]  # the override fragment is not a file
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["specs"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert "adcli gradcheck specs/ --junit report.xml" in runs
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "report.xml"
    # the matrix: every shard 1..N of the same N, on both commands, and they really run
    matrix = next(b for b in blocks if isinstance(b, dict) and "jobs" in b
                  and "strategy" in b["jobs"].get("shards", {}))
    shards = matrix["jobs"]["shards"]["strategy"]["matrix"]["shard"]
    runs = [s["run"] for s in matrix["jobs"]["shards"]["steps"]
            if s.get("run", "").startswith("adcli ")]
    assert {r.split()[1] for r in runs} == {"run", "gradcheck"}
    for r in runs:
        n = int(re.search(r"--shard \$\{\{ matrix.shard \}\}/(\d+)", r).group(1))
        assert shards == list(range(1, n + 1))
    from typer.testing import CliRunner

    from adcli.cli import app

    for r in runs:
        args = r.replace("${{ matrix.shard }}", "2").split()[1:]
        args = [a for a in args if not a.startswith("report-")]
        args = [a for a in args if a != "--junit"] + (["--junit", "-"] if "--junit" in args
                                                      else [])
        res = CliRunner().invoke(app, [a if a != "specs/" else str(ROOT / "specs")
                                       for a in args])
        assert res.exit_code == 0, (r, res.output)
    precommit = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    hook_ids = {h["id"] for r in precommit["repos"] for h in r["hooks"]}
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook_ids == {h["id"] for h in manifest}
