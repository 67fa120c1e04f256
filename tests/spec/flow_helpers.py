"""Run the same statements with real torch (exec of the test's own literal source) and as a
spec, and compare what they bound."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pytest

from adcli.spec.interpreter import execute
from adcli.spec.loader import load_specs


def spec_text(src: str, *, header: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(src).strip("\n"), "    ")
    return f"{header}steps:\n  - |\n{body}\n"


def run_spec_src(src: str, *, header: str = "", vocab: Any = None) -> Any:
    spec = load_specs("t.yaml", text=spec_text(src, header=header), vocab=vocab)[0]
    return execute(spec, vocab=vocab)


def run_torch(src: str, env: dict[str, Any] | None = None) -> dict[str, Any]:
    torch = pytest.importorskip("torch")
    ns: dict[str, Any] = {"torch": torch, "F": torch.nn.functional, **(env or {})}
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # a spec's default dtype
    try:
        exec(textwrap.dedent(src), ns)  # the test's own literal source, never spec input
    finally:
        torch.set_default_dtype(old)
    return ns


def same(got: Any, want: Any, where: str = "") -> None:
    """adcli's value ``got`` is torch's ``want`` (tensors: values, dtype, requires_grad,
    grad_fn name; containers element by element)."""
    import torch

    from adcli.engine.tensor import Tensor

    if isinstance(want, torch.Tensor):
        assert isinstance(got, Tensor), (where, got)
        assert list(got.shape) == list(want.shape), where
        np.testing.assert_allclose(np.asarray(got._data, dtype=np.float64),
                                   want.detach().double().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=where)
        assert got.requires_grad == want.requires_grad, where
        want_fn = None if want.grad_fn is None else type(want.grad_fn).__name__
        got_fn = None if got.grad_fn is None else got.grad_fn.name()
        assert got_fn == want_fn, (where, got_fn, want_fn)
        return
    if isinstance(want, list | tuple):
        assert type(got) is type(want) and len(got) == len(want), (where, got, want)
        for k, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{where}[{k}]")
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (where, got, want)
        for k in want:
            same(got[k], want[k], f"{where}[{k!r}]")
        return
    if isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-12), where
        return
    assert got == want, (where, got, want)


def compare(src: str, names: list[str], *, header: str = "",
            env: dict[str, Any] | None = None) -> Any:
    """Run ``src`` both ways; the listed names hold the same values (and ``.grad``s)."""
    ours = run_spec_src(src, header=header)
    theirs = run_torch(src, env)
    for name in names:
        expr = name
        got = ours.evaluate(expr)
        want = eval(expr, theirs)  # the test's own literal names
        same(got, want, name)
    return ours


def same_torch(got: Any, want: Any, where: str = "") -> None:
    """The torch engine's value ``got`` is torch's ``want`` exactly (both are torch's)."""
    import torch

    if isinstance(want, torch.Tensor):
        assert isinstance(got, torch.Tensor), (where, got)
        assert got.dtype == want.dtype and torch.equal(got.detach(), want.detach()), \
            (where, got, want)
        assert got.requires_grad == want.requires_grad, where
        assert type(got.grad_fn) is type(want.grad_fn), (where, got.grad_fn, want.grad_fn)
        return
    if isinstance(want, list | tuple):
        assert type(got) is type(want) and len(got) == len(want), (where, got, want)
        for k, (g, w) in enumerate(zip(got, want)):
            same_torch(g, w, f"{where}[{k}]")
        return
    assert got == want, (where, got, want)


def compare_engines(src: str, names: list[str], *, header: str = "") -> tuple[Any, Any]:
    """Run ``src`` as a spec on adcli's engine and on ``--engine torch``, and with torch
    itself: on both engines the listed names hold torch's values."""
    from adcli.engines import forced

    theirs = run_torch(src)
    ours = run_spec_src(src, header=header)
    with forced("torch"):
        on_torch = run_spec_src(src, header=header)
    for name in names:
        want = eval(name, theirs)  # the test's own literal names
        same(ours.evaluate(name), want, f"adcli engine: {name}")
        same_torch(on_torch.evaluate(name), want, f"torch engine: {name}")
    return ours, on_torch
