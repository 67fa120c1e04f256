"""Docs stay true: docs/ops.md matches the registry, the JSON Schema accepts every bundled
spec and rejects malformed ones, the docs only name specs and commands that exist, and every
shell session they show prints what they show (tests/doc_sessions.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import doc_sessions
import pytest
import yaml
from requires import require_torch

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
        "lu": [adcli.lu(m)[0], adcli.lu(b3, get_infos=True)[0]],
        "Tensor.lu": [m.lu()[0]],
        "chain_matmul": [adcli.chain_matmul(m), adcli.chain_matmul(m, m, m)],
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
        # -- covariance, integration, products of sets (ops/statistics.py, ops/stacking.py) --
        "cov": [adcli.cov(m), adcli.cov(v),
                adcli.cov(m, aweights=adcli.rand(3, dtype=d, requires_grad=True),
                          fweights=adcli.tensor([1, 2, 1]))],
        "corrcoef": [adcli.corrcoef(m), adcli.corrcoef(v)],
        "trapezoid": [adcli.trapezoid(m), adcli.trapezoid(m, v)],
        "trapz": [adcli.trapz(m, dx=2.0), adcli.trapz(m, m, dim=0)],
        "cumulative_trapezoid": [adcli.cumulative_trapezoid(m),
                                 adcli.cumulative_trapezoid(m, v)],
        "cartesian_prod": [adcli.cartesian_prod(v, v)],
        "combinations": [adcli.combinations(v), adcli.combinations(v, 3, True)],
        # -- order statistics --
        "quantile": [adcli.quantile(m, 0.3), adcli.quantile(m, 0.5, 0, True),
                     adcli.quantile(m, adcli.tensor([0.2, 0.7], dtype=d), 1),
                     adcli.quantile(b3, 0.3, 1, interpolation="lower")],
        "nanquantile": [adcli.nanquantile(m, 0.3), adcli.nanquantile(v, adcli.tensor([0.5],
                                                                                      dtype=d))],
        # -- layers of adcli.nn --
        "F.bilinear": [F.bilinear(leaf(2, 3), leaf(2, 2), leaf(4, 3, 2), leaf(4)),
                       F.bilinear(leaf(3), leaf(2), leaf(1, 3, 2))],
        "F.prelu": [F.prelu(m, leaf(3)), F.prelu(v, leaf(1))],
        "F.dropout1d": [F.dropout1d(m, 0.5), F.dropout1d(b3, 0.5)],
        "F.dropout2d": [F.dropout2d(leaf(2, 3, 2, 2), 0.5)],
        "F.rms_norm": [F.rms_norm(b3, (3,), leaf(3)), F.rms_norm(b3, (3, 3), eps=0.1)],
        "F.pad": [F.pad(b3, (1, -1)), F.pad(b3, (1, 1), "reflect"),
                  F.pad(b3, (1, 0, 2, 1), "replicate"),
                  F.pad(leaf(1, 2, 3, 3), (1,) * 6, "reflect"),
                  F.pad(b3, (2, 1, 0, 1), "circular")],
        "F.local_response_norm": [F.local_response_norm(b3, 2),
                                  F.local_response_norm(leaf(2, 3, 2, 2), 3)],
        "F.interpolate": [F.interpolate(b3, size=2, mode=mode) for mode in
                          ("nearest", "nearest-exact", "linear", "area")]
        + [F.interpolate(b3, size=1, mode="area"), F.interpolate(b3[None], size=1, mode="area")]
        + [F.interpolate(b3[None], size=2, mode=mode) for mode in
           ("nearest", "nearest-exact", "bilinear", "bicubic", "area")]
        + [F.interpolate(b3[None, None], size=2, mode=mode) for mode in
           ("nearest", "nearest-exact", "trilinear")],
        # -- recurrent cells and layers --
        **_recurrent_probes(leaf),
        **_attention_probes(leaf),
        **_margin_loss_probes(leaf),
        **_pool_sample_probes(leaf),
    }


def _pool_sample_probes(leaf):
    import adcli.nn.functional as F

    x1, x2, x3 = leaf(2, 3, 6), leaf(1, 2, 4, 4), leaf(1, 1, 4, 4, 2)
    inf = float("inf")
    return {
        "F.lp_pool1d": [F.lp_pool1d(x1, 2, 2), F.lp_pool1d(x1, inf, 3),
                        F.lp_pool1d(x1, -inf, 2, 1, True)],
        "F.lp_pool2d": [F.lp_pool2d(x2, 3.0, 2), F.lp_pool2d(x2, inf, (2, 1)),
                        F.lp_pool2d(x2, -inf, 2, 1)],
        "F.lp_pool3d": [F.lp_pool3d(x3, 2, 2), F.lp_pool3d(x3, inf, 2),
                        F.lp_pool3d(x3, -inf, (2, 2, 1))],
        "F.gumbel_softmax": [F.gumbel_softmax(x2), F.gumbel_softmax(x2, 0.5, True, dim=1)],
    }


def _attention_probes(leaf):
    import adcli
    import adcli.nn.functional as F

    q, k, v = leaf(2, 3, 4, 4), leaf(2, 3, 5, 4), leaf(2, 3, 5, 2)
    dead = adcli.ones(4, 5, dtype=adcli.bool)
    dead[1] = False  # a fully masked row (the safe softmax's masked_fill)
    x, m = leaf(3, 2, 4), leaf(5, 2, 4)
    w, b, wo, bo = leaf(12, 4), leaf(12), leaf(4, 4), leaf(4)
    mha = F.multi_head_attention_forward

    def z(*shape):  # float masks of the query's dtype (torch's baddbmm refuses others)
        return adcli.zeros(*shape, dtype=adcli.float64)

    return {
        "F.scaled_dot_product_attention": [
            F.scaled_dot_product_attention(q, k, v),
            F.scaled_dot_product_attention(q, k, v, attn_mask=dead, dropout_p=0.2),
            F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=-0.5),
            F.scaled_dot_product_attention(leaf(2, 4, 4, 4), leaf(2, 2, 5, 4), leaf(2, 2, 5, 2),
                                           enable_gqa=True)],
        "F.multi_head_attention_forward": [
            *mha(x, m, m, 4, 2, w, b, leaf(1, 1, 4), leaf(1, 1, 4), True, 0.2, wo, bo,
                 key_padding_mask=z(2, 5), attn_mask=z(3, 5)),
            mha(x, x, x, 4, 2, w, b, None, None, False, 0.0, wo, bo, need_weights=False,
                attn_mask=z(3, 3), is_causal=True)[0],
            mha(x, m, m, 4, 2, w, None, None, None, False, 0.0, wo, None, need_weights=False,
                attn_mask=z(4, 3, 5))[0],
            mha(x, m, m, 4, 2, None, b, None, None, False, 0.0, wo, bo,
                use_separate_proj_weight=True, q_proj_weight=leaf(4, 4),
                k_proj_weight=leaf(4, 4), v_proj_weight=leaf(4, 4))[0],
            *mha(x[:, 0], m[:, 0], m[:, 0], 4, 2, w, b, None, None, False, 0.0, wo, bo)],
    }


def _margin_loss_probes(leaf):
    import adcli
    import adcli.nn.functional as F

    x, y, z = leaf(3, 4), leaf(3, 4), leaf(3, 4)
    t = adcli.tensor([1.0, -1, 1], dtype=adcli.float64)
    pm = adcli.tensor([[1.0, -1, 1, -1]] * 3, dtype=adcli.float64)
    reds = ("mean", "sum", "none")
    return {
        "cosine_embedding_loss": [F.cosine_embedding_loss(x, y, t, 0.1, reduction=r)
                                  for r in reds],
        "margin_ranking_loss": [*(F.margin_ranking_loss(x, y, pm, reduction=r) for r in reds),
                                F.margin_ranking_loss(x, y, z)],
        "hinge_embedding_loss": [F.hinge_embedding_loss(x, pm, reduction=r) for r in reds],
        "multilabel_soft_margin_loss": [F.multilabel_soft_margin_loss(x, y, weight=z,
                                                                      reduction=r)
                                        for r in reds],
        "triplet_margin_loss": [F.triplet_margin_loss(x, y, z, swap=s, reduction=r)
                                for r in reds for s in (False, True)],
        "triplet_margin_with_distance_loss": [
            F.triplet_margin_with_distance_loss(x, y, z, swap=s, reduction=r)
            for r in reds for s in (False, True)],
        "gaussian_nll_loss": [*(F.gaussian_nll_loss(x, y, z * z, full=f, reduction=r)
                                for r in reds for f in (False, True)),
                              F.gaussian_nll_loss(x, y, 0.5)],
        "poisson_nll_loss": [F.poisson_nll_loss(x, y * y, log_input=lg, full=f, reduction=r)
                             for r in reds for f in (False, True) for lg in (False, True)],
    }


def _recurrent_probes(leaf):
    import adcli

    x, h, c = leaf(3, 4), leaf(3, 5), leaf(3, 5)
    seq, seq_bf, h0, c0 = leaf(4, 3, 4), leaf(3, 4, 4), leaf(2, 3, 5), leaf(2, 3, 5)

    def w(gates, n_in=4):  # weight_ih, weight_hh, bias_ih, bias_hh of one layer
        return [leaf(gates * 5, n_in), leaf(gates * 5, 5), leaf(gates * 5), leaf(gates * 5)]

    def flat(gates, layers=1, bidirectional=False):
        d = 2 if bidirectional else 1
        return [p for k in range(layers * d) for p in w(gates, 4 if k < d else 5 * d)]

    return {
        "rnn_tanh_cell": [adcli.rnn_tanh_cell(x, h, *w(1)), adcli.rnn_tanh_cell(x, h, *w(1)[:2])],
        "rnn_relu_cell": [adcli.rnn_relu_cell(x, h, *w(1))],
        "lstm_cell": [*adcli.lstm_cell(x, (h, c), *w(4)), *adcli.lstm_cell(x, (h, c), *w(4)[:2])],
        "gru_cell": [adcli.gru_cell(x, h, *w(3)), adcli.gru_cell(x, h, *w(3)[:2])],
        "rnn_tanh": [*adcli.rnn_tanh(seq_bf, h0, flat(1, 2), True, 2, 0.5, True, False, True)],
        "rnn_relu": [*adcli.rnn_relu(seq, h0[:1], flat(1)[:2], False, 1, 0.0, True, False,
                                     False)],
        "gru": [*adcli.gru(seq, h0, flat(3, 1, True), True, 1, 0.0, True, True, False)],
        "lstm": [*adcli.lstm(seq_bf, (h0, c0), flat(4, 2), True, 2, 0.5, True, False, True),
                 *adcli.lstm(seq, (h0[:1], c0[:1]), w(4)[:2], False, 1, 0.0, True, False,
                             False)],
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


# -- every shell session shown in README.md and docs/ is real ---------------------------------
# Commands a test cannot run as a reader would, each with where it is checked instead.
NOT_RUN = {
    "pip install": "installs from the network; test_install_from_a_clone_in_a_fresh_venv "
                   "runs the install from a clone",
    "git clone": "test_install_from_a_clone_in_a_fresh_venv clones the repository",
    "adcli --install-completion": "writes into the user's shell configuration; "
                                  "tests/cli/test_misc_cli.py covers completion",
    "python benchmarks/": "a measurement, not a fixed output (benchmarks/ run on their own)",
}
SHELL_DOCS = [p for p in [ROOT / "README.md", *DOC_FILES] if doc_sessions.sessions(
    p.read_text(encoding="utf-8"))]
# Docs whose reader works in a clone (specs/ and examples/ at hand); the others start empty.
IN_A_CLONE = {"README.md", "tutorial.md", "ci.md", "torch-engine.md", "completion.md",
              "reports.md"}


def _not_run(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOC_FILES], ids=lambda p: p.name)
def test_doc_commands_are_valid_bash(path: Path):
    """Every command a reader may paste (console lines, bash blocks, ``adcli ...`` in tables
    and prose) parses in bash: unquoted parentheses or quotes would be a syntax error."""
    for line, command in doc_sessions.shell_lines(path.read_text(encoding="utf-8")):
        problem = doc_sessions.syntax_error(command)
        assert problem is None, f"{path.name}:{line}: `{command}` is not valid bash: {problem}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SHELL_DOCS, ids=lambda p: p.name)
def test_doc_sessions_print_what_the_doc_shows(path: Path, tmp_path: Path):
    """Each ``$ command`` of the doc runs in a fresh folder holding the files the doc shows
    (``# NAME`` blocks, header line and all) and prints what the doc shows under it (timings,
    addresses and the folder's path normalised; a ``...`` line stands for lines left out)."""
    text = path.read_text(encoding="utf-8")
    if path.name == "torch-engine.md":
        require_torch()
    folder = tmp_path / "reader"
    folder.mkdir()
    env = doc_sessions.fresh_folder(folder, bundled=path.name in IN_A_CLONE)
    for name, body in doc_sessions.shown_files(text).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    ran = 0
    for cmd in doc_sessions.sessions(text):
        if _not_run(cmd.text):
            continue
        got, code = doc_sessions.run(cmd.text, folder, env)
        where = f"{path.name}:{cmd.line}: $ {cmd.text}"
        want_code = cmd.exit_code if cmd.exit_code is not None else (
            None if cmd.output else 0)  # a command shown without output must succeed
        if want_code is not None:
            assert code == want_code, f"{where}: exit code {code}\n" + "\n".join(got)
        if cmd.output:
            pytest_run = cmd.text.startswith("pytest")
            problem = doc_sessions.compare(
                doc_sessions.normalise(cmd.output, pytest_header=pytest_run),
                doc_sessions.normalise(got, folder, pytest_header=pytest_run))
            assert problem is None, f"{where}\n{problem}"
        ran += 1
    assert ran, f"{path.name}: no command ran"


def test_docs_name_placeholders_in_one_place():
    """The repository URL and release tag are placeholders, defined once (README's install
    section), and no doc names a made-up repository or installs from PyPI."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    defined = re.findall(r"^\| `(<[a-z-]+>)` \|", readme, re.M)
    assert set(defined) == {"<repository-url>", "<release-tag>"}
    texts = {p.name: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *DOC_FILES]}
    texts[".pre-commit-hooks.yaml"] = (ROOT / ".pre-commit-hooks.yaml").read_text(
        encoding="utf-8")
    for name, text in texts.items():
        assert "github.com/adcli" not in text and "<owner>" not in text, name
        assert not re.search(r"""pip install (?:-U )?["']?adcli(?:\[[\w,]+\])?(?!\s*@)["']?"""
                             r"(?=[\s`]|$)", text, re.M), \
            f"{name}: adcli is not on PyPI; install from a clone or <repository-url>"
        for ph in set(re.findall(r"<[a-z]+-[a-z-]+>", text)) & {"<repository-url>",
                                                                "<release-tag>"}:
            assert name == "README.md" or "README.md#install" in text, \
                f"{name} uses {ph} without pointing to README.md#install"


@pytest.mark.slow
def test_install_from_a_clone_in_a_fresh_venv(tmp_path: Path):
    """README's install from a clone, then the CI guide's workflow steps, in a new virtualenv
    (system packages visible for the dependencies, none of this checkout's files)."""
    import subprocess
    import sys

    clone = tmp_path / "adcli"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["NO_COLOR"] = "1"

    def sh(command: str, cwd: Path) -> str:
        res = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                             text=True, timeout=600)
        assert res.returncode == 0, f"{command}\n{res.stdout}\n{res.stderr}"
        return res.stdout

    # README: `pip install .` in the clone (pip builds a wheel with hatchling).
    sh("pip install -q --no-deps .", clone)
    where = sh("cd / && python -c 'import adcli, sys; print(adcli.__file__)'", clone).strip()
    assert where.startswith(str(venv)), where  # the installed copy, not this checkout
    assert sh("adcli --version", clone).startswith("adcli ")
    # docs/ci.md: the workflow's steps, in the clone.
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    workflow = next(b for b in (yaml.safe_load(x) for x in
                                re.findall(r"```yaml\n(.*?)```", text, re.S))
                    if isinstance(b, dict) and "jobs" in b)
    steps = [s["run"] for s in workflow["jobs"]["specs"]["steps"] if "run" in s]
    install = [s for s in steps if s.startswith("pip install")]
    assert install == ['pip install "adcli @ git+<repository-url>@<release-tag>"']
    head = sh("git rev-parse HEAD", clone).strip()
    # pip takes a local repository as file://localhost/PATH in a "name @ url" requirement
    url = f"file://localhost{clone.as_posix()}"
    sh(install[0].replace("<repository-url>", url).replace("<release-tag>", head)
       .replace("pip install", "pip install -q --no-deps --force-reinstall"), tmp_path)
    for step in steps:
        if not step.startswith("pip install"):
            sh(step, clone)
    assert "<testsuite" in (clone / "report.xml").read_text(encoding="utf-8")
    assert (clone / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_ci_guide_snippets_parse_and_run_the_real_commands():
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
              if not b.lstrip().startswith("- id:")]  # the override fragment is not a file
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["specs"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert "adcli gradcheck specs/ --junit report.xml --html report.html" in runs
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert upload["with"]["path"].split() == ["report.xml", "report.html"]
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

    from adcli.cli import _register, app

    _register()  # commands register lazily; alone this test would see none
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


# -- docs/spec-format.md: every example runs ---------------------------------------------------
SPEC_FORMAT = DOCS / "spec-format.md"
_GLANCE = ("tensors:\n  x: ones(5)\n  y: zeros(3)\n  w: randn(5, 3, requires_grad=True)\n"
           "  b: randn(3, requires_grad=True)\n")
_LOSS = ["z = x @ w + b", "loss = F.binary_cross_entropy_with_logits(z, y)",
         "loss.backward()"]
# Each YAML example of spec-format.md, found by a line of it, with the tensors and earlier
# steps it reads (the doc's fragments use the names of its first example): (marker, kind,
# header, steps before it). kind: "spec" (a whole spec), "steps" (a `steps:` section),
# "items" (step items), "gradcheck" (a gradcheck section).
SPEC_FORMAT_PROBES: list[tuple[str, str, str, list[str]]] = [
    ("name: seed-backward", "spec", "", []),
    ("- z = x @ w + b                        # assignment", "steps", _GLANCE, []),
    ("def layer(inp, w, b=0.0", "steps",
     "tensors:\n  x: randn(3, requires_grad=True)\n",
     ["ws = [torch.randn(3, 3), torch.randn(3, 3)]", "loss = (x ** 2).sum()"]),
    ("class Cube(torch.autograd.Function):", "steps",
     "tensors:\n  x: randn(3, requires_grad=True)\n", []),
    ("except RuntimeError as e:               # torch's class", "steps",
     "tensors:\n  x: randn(3, 3)\n",
     ["out = torch.ones(1)", "weights = dict(a=torch.ones(3))", "name = 'b'", "n = 0"]),
    ("model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())", "items",
     "tensors:\n  x: randn(4, 3)\n", []),
    ("import torch.linalg as LA", "items",
     "tensors:\n  A: randn(3, 3)\n  b: randn(3, requires_grad=True)\n  mu: zeros(3)\n"
     "  sigma: ones(3)\n  x: randn(3)\n  v: ones(3)\n  X: randn(6, 2)\n  Y: randn(6)\n", []),
    ("g = torch.Generator().manual_seed(1)", "items", "", []),
    ("with torch.no_grad() as nothing:", "items", _GLANCE, []),
    ("w.grad.shape: [5, 3]          # compared as a list", "items",
     "tensors:\n  x: ones(5)\n  y: zeros(3)\n  w: zeros(5, 3, requires_grad=True)\n"
     "  b: zeros(3, requires_grad=True)\n", [*_LOSS, "a = torch.ones(2, dtype=torch.float32)"]),
    ("- do: y.backward()", "items", "tensors:\n  x: randn(3, requires_grad=True)\n",
     ["y = (x * x).sum()", "y.backward()"]),
    ("- no_grad:", "items", _GLANCE, []),
    ("- print: w.grad", "items", _GLANCE, _LOSS),
    ("- of: loss                # an expression", "gradcheck",
     _GLANCE.replace("x: ones(5)", "x: randn(5, requires_grad=True)"), _LOSS),
]


def _yaml_examples(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(r"```yaml\n(.*?)```", text, re.S)]


def _probe_text(block: str) -> str:
    found = [p for p in SPEC_FORMAT_PROBES if p[0] in block]
    assert len(found) == 1, f"no single probe for this example of spec-format.md:\n{block}"
    _, kind, header, before = found[0]
    steps = "".join(f"  - {s}\n" for s in before)
    if kind == "spec":
        return block
    if kind == "steps":
        return header + block.replace("steps:\n", "steps:\n" + steps, 1)
    if kind == "gradcheck":
        return header + "steps:\n" + steps + block
    return header + "steps:\n" + steps + block


def test_every_spec_format_example_has_one_probe():
    blocks = _yaml_examples(SPEC_FORMAT)
    assert len(blocks) >= 10
    for block in blocks:
        _probe_text(block)
    used = {p[0] for p in SPEC_FORMAT_PROBES if any(p[0] in b for b in blocks)}
    assert used == {p[0] for p in SPEC_FORMAT_PROBES}, "a probe whose example is gone"


def _run_example(block: str, engine: str) -> None:
    """The example, with the tensors it reads, loads, runs without an error or a failed
    expectation and passes its gradchecks."""
    from adcli.check.spec_checks import Options, check_spec
    from adcli.engines import forced
    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs

    text = _probe_text(block)
    with forced(engine):
        for spec in load_specs("example.yaml", text=text):
            report = run_spec(spec)
            assert report.ok, (text, report.error, [e for e in report.expectations
                                                    if not e.ok])
            if spec.gradcheck:
                if engine == "torch":
                    from adcli.engines.torch_specs import check_spec_torch as check_spec
                checked = check_spec(spec, Options())
                assert checked and all(c.ok for c in checked), (text, checked)


_EXAMPLE_IDS = {"ids": lambda b: b.strip().splitlines()[0][:40]}


@pytest.mark.parametrize("block", _yaml_examples(SPEC_FORMAT), **_EXAMPLE_IDS)
def test_spec_format_examples_run(block: str):
    _run_example(block, "adcli")


@pytest.mark.parametrize("block", _yaml_examples(SPEC_FORMAT), **_EXAMPLE_IDS)
def test_spec_format_examples_run_on_the_torch_engine(block: str):
    require_torch()
    _run_example(block, "torch")


def test_spec_format_json_examples_are_json_documents():
    import json

    text = SPEC_FORMAT.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    for block in blocks:
        assert "version" in json.loads(block), block
