"""The op reference: what ``adcli ops`` shows and what ``docs/ops.md`` holds.

Everything comes from the registry (``adcli.engine.registry``): the public names a spec may
call, their signatures, and the derivative table's rules. Regenerate the page with
``python -m adcli.docs_gen`` (``--check`` exits 1 when ``docs/ops.md`` is stale).
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OPS_MD = Path(__file__).resolve().parent.parent / "docs" / "ops.md"

# Public names whose graph records other table ops (composites): the table cannot say so.
# tests/test_docs.py probes each one and checks the grad_fns it records are listed here.
_COMPOSITE: dict[str, list[str]] = {
    "matmul": ["dot", "mv", "mm", "bmm", "view", "_unsafe_view", "expand", "unsqueeze",
               "squeeze_"],
    "square": ["pow"],
    "outer": ["mul", "view"],
    "F.linear": ["addmm", "t", "mm", "view", "_unsafe_view", "add"],
    "F.cross_entropy": ["log_softmax", "nll_loss", "nll_loss2d", "view", "mul", "mul_scalar",
                        "sum", "sum_dim", "neg", "div", "add", "masked_fill"],
    "F.l1_loss": ["sub", "abs", "mean", "sum"],
    "F.dropout": ["mul"],
    "F.relu_": ["relu"],
    "Tensor.expand_as": ["expand"],
    "Tensor.type_as": ["to"],
    "Tensor.sum_to_size": ["sum_dim"],
}
# -- shape, indexing, scan and sort --
_COMPOSITE.update({
    "narrow": ["slice"],
    "movedim": ["permute"],
    "unflatten": ["view"],
    "repeat_interleave": ["view", "_reshape_alias", "_unsafe_view", "clone", "unsqueeze",
                          "expand", "index_select"],
    "Tensor.view_as": ["view"],
    "Tensor.reshape_as": ["view", "_reshape_alias", "_unsafe_view", "clone"],
    "diff": ["slice", "sub", "cat", "copy_"],
    "kron": ["_unsafe_view", "mul"],
    "einsum": ["diagonal", "permute", "unsqueeze", "sum_dim", "mul", "view", "_reshape_alias",
               "_unsafe_view", "clone", "bmm"],
})
# -- covariance, integration, products of sets (ops/statistics.py, ops/stacking.py) --
_COV = ["view", "sum", "sum_dim", "mul", "mul_scalar", "div", "sub", "unsqueeze", "mm", "t",
        "squeeze", "select", "zero_", "to"]
_TRAPEZOID = ["view", "slice", "sub", "add", "select", "mul", "mul_scalar", "sum_dim",
              "div_scalar"]
_COMPOSITE.update({
    "cov": _COV,
    "corrcoef": [*_COV, "diagonal", "sqrt", "clamp"],
    "trapezoid": _TRAPEZOID,
    "trapz": _TRAPEZOID,
    "cumulative_trapezoid": [*_TRAPEZOID, "cumsum"],
    "cartesian_prod": ["view", "expand", "clone", "_unsafe_view", "stack"],
    "combinations": ["view", "expand", "masked_select", "stack"],
})
# -- elementwise math and F activations/normalization/losses --
_COMPOSITE.update({
    "F.softsign": ["abs", "add", "div"],
    "F.softmin": ["neg", "softmax", "to"],
    "F.normalize": ["norm", "clamp_min", "expand", "div"],
    "F.cosine_similarity": ["expand", "norm", "clone", "div", "mul", "sum_dim"],
    "F.kl_div": ["xlogy", "mul", "sub", "exp", "mean", "sum", "div"],
})
# -- margin, embedding and likelihood losses (engine/ops/margin_losses.py) --
_COMPOSITE.update({
    "cosine_embedding_loss": ["mul", "sum_dim", "add_scalar", "sqrt", "div", "sub",
                              "sub_scalar", "clamp_min", "where", "add", "mean", "sum"],
    "margin_ranking_loss": ["sub", "neg", "mul", "add_scalar", "clamp_min", "mean", "sum"],
    "hinge_embedding_loss": ["sub", "clamp_min", "where", "add", "mean", "sum"],
    "multilabel_soft_margin_loss": ["log_sigmoid", "neg", "mul", "rsub", "add", "sum_dim",
                                    "div", "mean", "sum"],
    "triplet_margin_loss": ["sub", "add_scalar", "norm_scalaropt_dim", "minimum", "clamp_min",
                            "mean", "sum"],
    "triplet_margin_with_distance_loss": ["sub", "add_scalar", "norm_scalaropt_dim", "minimum",
                                          "add", "clamp_min", "mean", "sum"],
    "gaussian_nll_loss": ["mul", "clone", "log", "sub", "pow", "div", "add", "mean", "sum"],
    "poisson_nll_loss": ["exp", "mul", "sub", "add_scalar", "log", "mul_scalar", "add",
                         "masked_fill", "mean", "sum"],
})
# -- layers of adcli.nn --
_COMPOSITE.update({
    "F.bilinear": ["diagonal", "permute", "unsqueeze", "sum_dim", "mul", "view",
                   "_reshape_alias", "_unsafe_view", "clone", "bmm", "add"],
    "F.prelu": ["where", "mul", "view"],
    "F.dropout1d": ["mul", "unsqueeze", "squeeze_dim"],
    "F.dropout2d": ["mul"],
    "F.rms_norm": ["pow", "mean_dim", "add_scalar", "rsqrt", "mul"],
    # pad: one op per mode and rank; circular is ATen's slice copies (CopySlices nodes)
    "F.pad": ["constant_pad_nd", *(f"{k}_pad{d}d" for k in ("reflection", "replication")
                                   for d in (1, 2, 3)), "slice", "index_put"],
    "F.local_response_norm": ["mul", "unsqueeze", "constant_pad_nd", "avg_pool2d",
                              "squeeze_dim", "view", "avg_pool3d", "add", "pow", "div"],
    # interpolate: one upsample op per mode (their grad_fns are torch's); area is torch's
    # adaptive average pooling
    "F.interpolate": [*(f"{p}{m}{d}d" for p, m, d in (
        ("upsample_", "nearest", 1), ("upsample_", "nearest", 2), ("upsample_", "nearest", 3),
        ("_upsample_", "nearest_exact", 1), ("_upsample_", "nearest_exact", 2),
        ("_upsample_", "nearest_exact", 3), ("upsample_", "linear", 1),
        ("upsample_", "bilinear", 2), ("upsample_", "trilinear", 3),
        ("upsample_", "bicubic", 2))),
        "adaptive_avg_pool2d", "unsqueeze", "squeeze_dim", "mean_dim"],
})
# -- composed pooling and sampling (engine/ops/pooling_extra.py, nn_random.py) --
_LP_POOL = ["pow", "sign", "abs", "relu", "mul", "neg", "unsqueeze", "squeeze_dim"]
_COMPOSITE.update({
    "F.lp_pool1d": [*_LP_POOL, "avg_pool2d", "max_pool2d_with_indices"],
    "F.lp_pool2d": [*_LP_POOL, "avg_pool2d", "max_pool2d_with_indices"],
    "F.lp_pool3d": [*_LP_POOL, "avg_pool3d", "max_pool3d_with_indices"],
    "ctc_loss": ["_ctc_loss", "where", "div", "mean", "sum", "unsqueeze", "squeeze_dim"],
    "F.ctc_loss": ["_ctc_loss", "where", "div", "mean", "sum", "unsqueeze", "squeeze_dim"],
    "F.gumbel_softmax": ["neg", "log", "add", "div", "div_scalar", "softmax", "sub",
                         "max_dim"],
})
# -- recurrent cells and layers (torch.lstm_cell, torch.lstm, ...: what nn.LSTM & co. run) --
_CELL = ["addmm", "t", "mm", "add"]
_SEQ = [*_CELL, "view", "_reshape_alias", "_unsafe_view", "clone", "bmm", "unbind", "stack",
        "cat", "transpose", "transpose_", "mul"]
_COMPOSITE.update({
    "rnn_tanh_cell": [*_CELL, "tanh"],
    "rnn_relu_cell": [*_CELL, "relu"],
    "lstm_cell": [*_CELL, "unsafe_split", "sigmoid", "tanh", "mul"],
    "gru_cell": [*_CELL, "unsafe_split", "sigmoid", "tanh", "mul", "sub"],
    "rnn_tanh": [*_SEQ, "tanh"],
    "rnn_relu": [*_SEQ, "relu"],
    "lstm": [*_SEQ, "unsafe_split", "sigmoid", "tanh"],
    "gru": [*_SEQ, "unsafe_split", "sigmoid", "tanh", "sub"],
})
# -- attention (F.scaled_dot_product_attention: torch's math path; what nn.MultiheadAttention runs)
_SDPA = ["mul", "transpose", "expand", "unsqueeze", "view", "_reshape_alias", "_unsafe_view",
         "clone", "bmm", "mm", "add", "where", "softmax", "masked_fill", "index_select"]
_COMPOSITE.update({
    "F.scaled_dot_product_attention": _SDPA,
    "F.multi_head_attention_forward": [*_SDPA, "addmm", "baddbmm", "t", "split",
                                       "split_with_sizes",
                                       "select", "squeeze_dim", "cat", "repeat", "mean_dim",
                                       "permute", "constant_pad_nd"],
})
# -- order statistics: torch's quantile_compute (sort, view, gather, lerp, squeeze_ ...)
_QUANTILE = ["view", "unsqueeze", "transpose", "sort", "gather", "lerp_tensor", "squeeze_",
             "unsqueeze_", "transpose_"]
_COMPOSITE.update({"quantile": _QUANTILE, "nanquantile": _QUANTILE})
# -- linear algebra composed as torch composes it (engine/ops/linalg_more.py) --
_COMPOSITE.update({
    "lu": ["linalg_lu_factor_ex"], "Tensor.lu": ["linalg_lu_factor_ex"],
    "chain_matmul": ["mm", "view", "clone"],
    "linalg.matmul": ["dot", "mv", "mm", "bmm", "view", "_unsafe_view", "expand", "unsqueeze",
                      "squeeze_"],
    "linalg.tensorinv": ["view", "linalg_inv_ex", "_reshape_alias"],
    "linalg.tensorsolve": ["permute", "view", "_reshape_alias", "clone", "_unsafe_view",
                           "linalg_solve_ex"],
    "svd_lowrank": ["mm", "bmm", "view", "_unsafe_view", "_reshape_alias", "clone", "expand",
                    "linalg_qr", "linalg_svd", "transpose", "sub"],
    "pca_lowrank": ["mm", "bmm", "view", "_unsafe_view", "_reshape_alias", "clone", "expand",
                    "linalg_qr", "linalg_svd", "transpose", "sub", "mean_dim", "to"],
    # (and its own LOBPCGAutogradFunctionBackward node, a custom Function's, not a table op)
    "lobpcg": ["add", "transpose", "div", "div_scalar"],
    # torch 2's removed functions: stubs that raise torch's error
    **{name: [] for name in ("matrix_rank", "solve", "lstsq", "symeig", "eig", "Tensor.solve",
                             "Tensor.lstsq", "Tensor.symeig", "Tensor.eig")},
})
_NO_GRAD_NOTE = "no derivative: the result does not require grad (or is a new leaf)"
_LIBRARY_NOTES = {"nn": "gradients: those of the ops it runs (see the functions above)",
                  "optim": "updates parameters in place under no_grad (records nothing)",
                  "autograd": "runs the engine's autograd on the function it is given",
                  "linalg": "gradients: the derivative-table ops it records (`adcli ops "
                            "--search Linalg`)",
                  "special": "gradients: the derivative-table ops it records (`adcli ops "
                             "--search Special`)",
                  "func": "transforms built on reverse mode with create_graph, so they nest",
                  "distributions": "samples draw torch's numbers; log_prob, entropy, ... "
                                   "record the ops above",
                  "signal": "gradients: those of the ops it runs (linspace, exp, cos, i0, "
                            "sum, ...)",
                  "fft": "gradients: the derivative-table ops it records (`adcli ops "
                         "--search Fft`)",
                  "more": "no gradients of their own"}
# The spec whitelist's namespaces (``_names.PACKAGE_NAMES``) listed by ``adcli ops`` and
# docs/ops.md beside nn and optim: kind -> the torch prefixes it covers.
_NAMESPACE_KINDS = {
    "autograd": ("torch.autograd",), "linalg": ("torch.linalg",),
    "special": ("torch.special",), "func": ("torch.func",),
    "distributions": ("torch.distributions",), "signal": ("torch.signal",),
    "fft": ("torch.fft",),
    "more": ("torch.utils.data", "torch.utils.checkpoint", "torch.utils.hooks",
             "torch.testing", "torch.random", "torch.cuda", "torch.backends",
             "torch.accelerator", "torch.mps", "torch.xpu", "torch.mtia", "torch.jit",
             "torch.distributed"),
}
_LIBRARY_KINDS = tuple(_LIBRARY_NOTES)


@dataclass
class OpEntry:
    """One name a spec can use, or one derivative-table op that no public name reaches."""

    name: str  # "matmul", "F.mse_loss", "Tensor.view" or a table op name
    kind: str  # "function", "functional", "method" or "derivative"
    torch: str  # the PyTorch equivalent
    signature: str | None = None
    aliases: list[str] = field(default_factory=list)
    summary: str | None = None
    derivatives: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "torch": self.torch,
                "signature": self.signature, "aliases": self.aliases, "summary": self.summary,
                "derivatives": self.derivatives}


def _linked_names(row: dict[str, Any]) -> set[str]:
    """Public names a derivative row's ``torch`` text mentions (``torch.sum(dim=...)`` → sum)."""
    text = row["torch"]
    if text.startswith("(inside"):
        return set()  # internal pieces of a composite: listed through _COMPOSITE instead
    names = set(re.findall(r"(?:torch\.nn\.functional\.|torch\.linalg\.|torch\.Tensor\.|torch\.|"
                           r"Tensor\.|\.)([A-Za-z_][A-Za-z0-9_]*)", text))
    names.update(tok.strip() for tok in text.split("/") if tok.strip().isidentifier())
    names.add(row["name"])
    return names - {"nn", "functional", "linalg", "Tensor", "torch"}


def _first_line(fn: Any) -> str | None:
    doc = (getattr(fn, "__doc__", None) or "").strip()
    if not doc or type(fn).__doc__ == fn.__doc__:
        return None  # an instance (a dtype) inherits its class docstring
    return doc.splitlines()[0]


def op_entries(include_plugins: bool = True) -> list[OpEntry]:
    """Every public function, ``F.`` function and tensor method, then unreachable table ops.

    ``include_plugins=False`` leaves out ops registered by plugins (docs/ops.md is built-ins).
    """
    from adcli.engine import registry
    from adcli.engine.dtypes import dtype as dtype_cls
    from adcli.engine.tensor import Tensor

    rows = registry.op_table()
    by_op = {row["name"]: row for row in rows}
    links: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        for n in _linked_names(row):
            links.setdefault(n, []).append(row)

    def derivs(public: str, canonical: str) -> list[dict[str, Any]]:
        # A table op of the same name is what the public name records; _COMPOSITE only
        # describes names that have none (the engine may gain one, as clamp_min did).
        if canonical not in by_op:
            for key in (public, canonical):
                if key in _COMPOSITE:
                    return [by_op[n] for n in _COMPOSITE[key] if n in by_op]
        return list(links.get(canonical, []))

    used: set[str] = set()
    entries: list[OpEntry] = []
    seen_fn: dict[int, OpEntry] = {}
    for name, fn in registry.TORCH.items():
        if isinstance(fn, dtype_cls):
            continue  # dtypes are names, not ops
        if not include_plugins and name in registry.PLUGIN_OPS:
            continue
        canonical = getattr(fn, "__name__", name)
        if id(fn) in seen_fn and canonical != name:
            seen_fn[id(fn)].aliases.append(name)
            continue
        entry = OpEntry(name=name, kind="function", torch=f"torch.{name}",
                        signature=registry.signature(fn), summary=_first_line(fn),
                        derivatives=derivs(name, canonical if canonical in links else name))
        sampler = getattr(fn, "derivative_op", None)
        if sampler is not None and not entry.derivatives:
            # a sampler's op, kept out of the table (no finite differences to gradcheck)
            entry.derivatives = [{"name": sampler.name, "grad_fn": sampler.backward_name,
                                  "inputs": list(sampler.inputs), "rules": dict(sampler.rules),
                                  "torch": sampler.torch}]
        seen_fn[id(fn)] = entry
        entries.append(entry)
    for name, fn in registry.FUNCTIONAL.items():
        public = f"F.{name}"
        entries.append(OpEntry(name=public, kind="functional",
                               torch=f"torch.nn.functional.{name}",
                               signature=registry.signature(fn), summary=_first_line(fn),
                               derivatives=derivs(public, name)))
    for name in sorted(registry.TENSOR_METHODS):
        meth = getattr(Tensor, name, None)
        entries.append(OpEntry(name=f"Tensor.{name}", kind="method", torch=f"torch.Tensor.{name}",
                               signature=_method_signature(meth),
                               summary=_first_line(meth) if meth else None,
                               derivatives=derivs(f"Tensor.{name}", _method_base(name, links))))
    entries += _library_entries()
    for e in entries:
        if e.kind in ("linalg", "special") and not e.derivatives:
            # torch.linalg.det records what torch.det records (LinalgDetBackward0)
            found = derivs(e.name, e.name.rsplit(".", 1)[1])
            own = [r for r in found if re.search(rf"{re.escape(e.torch)}\b", r["torch"])]
            e.derivatives = own or found
    for e in entries:
        used.update(d["name"] for d in e.derivatives)
    for row in rows:
        if row["name"] not in used:
            entries.append(OpEntry(name=row["name"], kind="derivative", torch=row["torch"],
                                   derivatives=[row]))
    return entries


def _library_entries() -> list[OpEntry]:
    """``adcli.nn`` (modules, init, utils) and ``adcli.optim``: classes and functions that run
    the ops above (their gradients are those ops' derivatives)."""
    import inspect

    import adcli.nn as nn
    import adcli.optim as optim

    out: list[OpEntry] = []

    def add(kind: str, public: str, obj: Any) -> None:
        target = obj.__init__ if inspect.isclass(obj) else obj
        sig = (_method_signature(target) or "").removesuffix(" -> None") if inspect.isclass(
            obj) else registry_signature(obj)
        # a function default (Transformer's activation=F.relu) by name, not by address
        sig = re.sub(r"<function _F_(\w+) at 0x[0-9a-f]+>", r"F.\1", sig)
        sig = re.sub(r"<function (\w+) at 0x[0-9a-f]+>", r"\1", sig)
        # a sentinel default (random_split's generator=default_generator) by no address
        sig = re.sub(r"<object object at 0x[0-9a-f]+>", "...", sig)
        out.append(OpEntry(name=public, kind=kind, torch=f"torch.{public}", signature=sig,
                           summary=_first_line(obj)))

    for name in nn.__all__:
        obj = getattr(nn, name)
        if inspect.isclass(obj):
            add("nn", f"nn.{name}", obj)
    for sub in ("init", "utils", "grad", "attention", "parallel"):
        mod = getattr(nn, sub)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.ismodule(obj):  # nn.utils.rnn: its functions, one entry each
                for inner in obj.__all__:
                    add("nn", f"nn.{sub}.{name}.{inner}", getattr(obj, inner))
            else:
                add("nn", f"nn.{sub}.{name}", obj)
    for name in optim.__all__:
        obj = getattr(optim, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            add("optim", f"optim.{name}", obj)
    for name in optim.optimizer.__all__:
        obj = getattr(optim.optimizer, name)
        if inspect.isfunction(obj):  # the global step hooks
            add("optim", f"optim.optimizer.{name}", obj)
    for name in optim.lr_scheduler.__all__:
        add("optim", f"optim.lr_scheduler.{name}", getattr(optim.lr_scheduler, name))
    from adcli.spec import _names
    from adcli.spec.language import default_vocabulary

    vocab = default_vocabulary()
    for qual in sorted(getattr(_names, "PACKAGE_NAMES", ())):
        kind = next((k for k, prefixes in _NAMESPACE_KINDS.items()
                     if any(qual.startswith(p + ".") for p in prefixes)), None)
        obj = vocab.resolve_package(qual) if kind else None
        if obj is None or inspect.ismodule(obj):
            continue
        add(kind, qual.removeprefix("torch."), obj)
    return out


def registry_signature(fn: Any) -> str:
    from adcli.engine import registry

    return registry.signature(fn)


def _method_signature(meth: Any) -> str | None:
    """A method's signature without its first parameter (the tensor itself)."""
    import inspect

    if meth is None:
        return None
    try:
        sig = inspect.signature(meth)
    except (TypeError, ValueError):
        return "(...)"
    params = list(sig.parameters.values())
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        sig = sig.replace(parameters=params[1:])
    return str(sig).replace("'", "")


def _method_base(name: str, links: dict[str, Any]) -> str:
    """The op a method records: ``x.clip_`` records clamp, like ``torch.clip`` (an alias)."""
    from adcli.engine import registry

    for cand in (name, name[:-1] if name.endswith("_") else name):
        if cand in links or cand in _COMPOSITE:
            return cand
        canonical = getattr(registry.TORCH.get(cand), "__name__", None)
        if canonical in links or canonical in _COMPOSITE:
            return canonical
    return name


def _normalise(name: str) -> str:
    name = name.strip()
    for prefix, repl in (("torch.nn.functional.", "F."), ("nn.functional.", "F."),
                         ("torch.Tensor.", "Tensor."), ("torch.", "")):
        if name.startswith(prefix):
            return repl + name[len(prefix):]
    return name


def find_op(name: str, entries: list[OpEntry] | None = None) -> list[OpEntry]:
    """The entries a name means: a public name (``matmul``, ``F.mse_loss``, ``torch.exp``,
    ``Tensor.view``), a derivative-table op (``sum_dim``) or a grad_fn (``MulBackward0``).

    An empty list means unknown (see :func:`suggest`).
    """
    from adcli.engine import registry

    entries = entries if entries is not None else op_entries()
    by_name: dict[str, OpEntry] = {}
    for e in entries:  # public entries come first: they win over a same-named table op
        by_name.setdefault(e.name, e)
    for alias_entry in entries:
        for a in alias_entry.aliases:
            by_name.setdefault(a, alias_entry)
    key = _normalise(name)
    for candidate in (key, f"F.{key}", f"Tensor.{key}"):
        if candidate in by_name:
            return [by_name[candidate]]
    rows = [r for r in registry.op_table()
            if key in (r["name"], r["grad_fn"]) or key.lower() == r["grad_fn"].lower()]
    out = []
    for row in rows:
        users = [e.name for e in entries
                 if e.kind != "derivative" and any(d["name"] == row["name"] for d in e.derivatives)]
        out.append(OpEntry(name=row["name"], kind="derivative", torch=row["torch"],
                           aliases=users, derivatives=[row]))
    return out


def known_names(entries: list[OpEntry] | None = None) -> list[str]:
    """Every name :func:`find_op` accepts (for suggestions)."""
    from adcli.engine import registry

    entries = entries if entries is not None else op_entries()
    names = {e.name for e in entries} | {a for e in entries for a in e.aliases}
    names |= {e.name.split(".", 1)[1] for e in entries if e.kind in ("functional", "method")}
    for row in registry.op_table():
        names.update((row["name"], row["grad_fn"]))
    return sorted(names)


def suggest(name: str, entries: list[OpEntry] | None = None) -> list[str]:
    """Close matches of an unknown name."""
    key = _normalise(name)
    return difflib.get_close_matches(key, known_names(entries), n=4, cutoff=0.6)


def search_ops(text: str, entries: list[OpEntry] | None = None) -> list[OpEntry]:
    """Entries whose name, aliases, PyTorch name, summary or grad_fn names contain ``text``
    (case-insensitive), in listing order."""
    key = text.lower()
    entries = entries if entries is not None else op_entries()

    def fields(e: OpEntry) -> list[str]:
        return [e.name, e.torch, e.summary or "", *e.aliases,
                *(str(d.get("grad_fn", "")) for d in e.derivatives)]

    return [e for e in entries if any(key in f.lower() for f in fields(e))]


# -- text (adcli ops) --------------------------------------------------------------------------
def _rule_lines(row: dict[str, Any], indent: str, torch: str | None = None) -> list[str]:
    extra = f"; PyTorch: {row['torch']}" if row["torch"] != torch else ""
    extra += "; complex audited" if row.get("complex") else ""
    lines = [f"{indent}{row['grad_fn']}  (table op {row['name']}{extra})"]
    width = max((len(k) for k in row["rules"]), default=0)
    for inp, rule in row["rules"].items():
        label = "each input" if inp == "*" else inp
        lines.append(f"{indent}  grad {label.ljust(max(width, len(label)))} = {rule}")
    return lines


def entry_text(e: OpEntry) -> list[str]:
    """Plain-text lines describing one entry."""
    head = e.name + (e.signature or "")
    lines = [head]
    if e.aliases:
        label = "used by" if e.kind == "derivative" else "aliases"
        lines.append(f"  {label}: {', '.join(e.aliases)}")
    if e.summary:
        lines.append(f"  {e.summary}")
    if e.kind != "derivative":
        lines.append(f"  PyTorch: {e.torch}")
    if e.derivatives:
        lines.append("  derivative:" if len(e.derivatives) == 1 else "  derivatives:")
        for row in e.derivatives:
            lines.extend(_rule_lines(row, "    ", e.torch))
    elif e.kind in _LIBRARY_KINDS:
        lines.append(f"  {_LIBRARY_NOTES[e.kind]}")
    else:
        lines.append(f"  {_NO_GRAD_NOTE}")
    return lines


_SECTIONS = [
    ("function", "Functions (bare, or torch.-prefixed)"),
    ("functional", "torch.nn.functional (F.)"),
    ("method", "Tensor methods"),
    ("nn", "torch.nn modules, init and utils (nn.)"),
    ("optim", "torch.optim optimizers and schedulers (optim.)"),
    ("autograd", "torch.autograd: functional, forward_ad, graph, function (autograd.)"),
    ("linalg", "torch.linalg (linalg.)"),
    ("special", "torch.special (special.)"),
    ("func", "torch.func (func.)"),
    ("distributions", "torch.distributions (distributions.)"),
    ("signal", "torch.signal.windows (signal.windows.)"),
    ("fft", "torch.fft (fft.)"),
    ("more", "torch.utils.data, utils.checkpoint, utils.hooks, testing, random, cuda, "
             "backends, accelerator, mps, xpu, mtia, jit, distributed"),
    ("derivative", "Internal derivative-table ops (recorded by the ops above)"),
]


def ops_text(entries: list[OpEntry] | None = None) -> str:
    """The full ``adcli ops`` listing."""
    entries = entries if entries is not None else op_entries()
    out: list[str] = []
    for kind, title in _SECTIONS:
        group = [e for e in entries if e.kind == kind]
        if not group and len(entries) < 50:
            continue  # a filtered listing (--namespace, --search) shows its own sections
        out.append(f"== {title}: {len(group)}")
        for e in group:
            out.extend(entry_text(e))
        out.append("")
    out.append("Details of one op: adcli ops NAME (e.g. adcli ops matmul, adcli ops MulBackward0)")
    return "\n".join(out)


# -- markdown (docs/ops.md) --------------------------------------------------------------------
def _md_code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def ops_markdown(entries: list[OpEntry] | None = None) -> str:
    """The text of ``docs/ops.md``."""
    entries = entries if entries is not None else op_entries(include_plugins=False)
    out = [
        "# Op reference",
        "",
        "<!-- Generated from the op registry by `python -m adcli.docs_gen`; do not edit by hand."
        " tests/test_docs.py fails when this file is out of date. -->",
        "",
        "Every name a spec may call, its signature, the PyTorch equivalent and the derivative",
        "rule adcli uses (`grad` is the gradient flowing into the op's output, `result` its",
        "output; `self`, `other`, ... are its inputs). `adcli ops NAME` prints one entry;",
        "`adcli ops --json` prints them all as JSON.",
        "",
    ]
    for kind, title in _SECTIONS:
        group = [e for e in entries if e.kind == kind]
        out.append(f"- [{title}](#{_anchor(title)}) ({len(group)})")
    out.append("")
    for kind, title in _SECTIONS:
        group = [e for e in entries if e.kind == kind]
        out += [f"## {title}", ""]
        if kind == "method":
            out += _methods_md(group)
            continue
        if kind in _LIBRARY_KINDS:
            note = _LIBRARY_NOTES[kind]
            out += [f"{note[0].upper()}{note[1:]}.", ""]
        for e in group:
            out += [f"### {_md_code(e.name)}", ""]
            if e.signature:
                out += [_md_code(e.name + e.signature), ""]
            if e.summary:
                out += [e.summary, ""]
            if e.aliases:
                label = "Used by" if kind == "derivative" else "Aliases"
                out += [f"{label}: " + ", ".join(_md_code(a) for a in e.aliases), ""]
            if kind != "derivative":
                out += [f"PyTorch: {_md_code(e.torch)}", ""]
            if kind in _LIBRARY_KINDS and not e.derivatives:
                continue
            out += _derivs_md(e.derivatives)
    return "\n".join(out).rstrip() + "\n"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _derivs_md(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [f"No derivative: {_NO_GRAD_NOTE.split(': ', 1)[1]}.", ""]
    out = ["| grad_fn | PyTorch | input | derivative |", "| --- | --- | --- | --- |"]
    for row in rows:
        for inp, rule in row["rules"].items():
            mark = " (complex)" if row.get("complex") else ""
            out.append(f"| {_md_code(row['grad_fn'])}{mark} | {_md_cell(row['torch'])} | "
                       f"{'each input' if inp == '*' else _md_code(inp)} | "
                       f"{_md_cell(_md_code(rule))} |")
    return [*out, ""]


def _methods_md(group: list[OpEntry]) -> list[str]:
    out = ["Called as `x.NAME(...)`. Methods that share a name with a function above use its",
           "derivative; in-place methods (ending in `_`) bump the tensor's version counter.", "",
           "| method | signature | grad_fn |", "| --- | --- | --- |"]
    for e in group:
        fns = ", ".join(_md_code(d["grad_fn"]) for d in e.derivatives) or "-"
        out.append(f"| {_md_code(e.name.split('.', 1)[1])} | "
                   f"{_md_cell(_md_code(e.signature)) if e.signature else '-'} | {fns} |")
    return [*out, ""]


def main(argv: list[str] | None = None) -> int:
    """``python -m adcli.docs_gen [--check] [PATH]``: write (or check) docs/ops.md."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    path = Path(args[0]) if args else OPS_MD
    text = ops_markdown()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            sys.stderr.write(f"{path} is out of date: run python -m adcli.docs_gen\n")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
