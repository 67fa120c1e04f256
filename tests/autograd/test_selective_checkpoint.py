"""Selective activation checkpointing and torch.ops.aten overloads, against torch: the policy's
calls, how many kernels the recomputation runs again, gradients, and the errors."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli
from adcli.engine.table import OPS

torch = require_torch()


def _fn(T: Any) -> Any:
    def fn(a: Any, b: Any) -> Any:
        return T.sigmoid(T.mm(T.mm(a, b), b)) * b

    return fn


def _policy(T: Any, save: str, log: list[Any]) -> Any:
    cp = T.utils.checkpoint
    aten = T.ops.aten
    chosen = {"mm": {aten.mm.default}, "sigmoid": {aten.sigmoid.default}, "none": set(),
              "all": {aten.mm.default, aten.sigmoid.default, aten.mul.Tensor}}[save]

    def policy(ctx: Any, op: Any, *args: Any, **kwargs: Any) -> Any:
        log.append((str(op), ctx.is_recompute, tuple(a.shape for a in args
                                                     if isinstance(a, T.Tensor))))
        if op in chosen:
            return cp.CheckpointPolicy.MUST_SAVE if save != "all" else True
        return cp.CheckpointPolicy.PREFER_RECOMPUTE

    return policy


class _Count:
    """How many times torch dispatches aten.mm, or adcli runs mm's kernel."""

    def __init__(self, T: Any) -> None:
        self.T = T
        self.n = 0

    def __enter__(self) -> _Count:
        if self.T is torch:
            from torch.utils._python_dispatch import TorchDispatchMode

            counter = self

            class Mode(TorchDispatchMode):
                def __torch_dispatch__(self, func: Any, types: Any, args: Any = (),
                                       kwargs: Any = None) -> Any:
                    if func is torch.ops.aten.mm.default:
                        counter.n += 1
                    return func(*args, **(kwargs or {}))

            self.mode = Mode()
            self.mode.__enter__()
        else:
            op = OPS["mm"]
            self.kernel = kernel = op.forward

            def counting(*a: Any, **k: Any) -> Any:
                self.n += 1
                return kernel(*a, **k)

            op.forward = counting
        return self

    def __exit__(self, *exc: object) -> None:
        if self.T is torch:
            self.mode.__exit__(*exc)
        else:
            OPS["mm"].forward = self.kernel


def _run(T: Any, save: str, as_list: bool = False) -> dict[str, Any]:
    cp = T.utils.checkpoint
    T.manual_seed(0)
    x = T.randn(4, 4, dtype=T.float64, requires_grad=True)
    y = T.randn(4, 4, dtype=T.float64, requires_grad=True)
    log: list[Any] = []
    calls: list[int] = []
    fn = _fn(T)

    def counted(a: Any, b: Any) -> Any:
        calls.append(1)
        return fn(a, b)

    policy = [T.ops.aten.mm.default] if as_list else _policy(T, save, log)
    context_fn = functools.partial(cp.create_selective_checkpoint_contexts, policy)
    with _Count(T) as count:
        out = cp.checkpoint(counted, x, y, use_reentrant=False, context_fn=context_fn)
        out.sum().backward()
    return {"log": log, "calls": len(calls), "mm": count.n, "out": out.detach().numpy(),
            "grads": (x.grad.numpy(), y.grad.numpy())}


@pytest.mark.parametrize("save", ["mm", "sigmoid", "none", "all", "list"])
def test_policy_calls_gradients_and_recomputed_kernels_match_torch(save: str) -> None:
    ours = _run(adcli, "mm" if save == "list" else save, as_list=save == "list")
    theirs = _run(torch, "mm" if save == "list" else save, as_list=save == "list")
    assert ours["log"] == theirs["log"]
    assert ours["calls"] == theirs["calls"] == 2  # the forward, then one recomputation
    np.testing.assert_allclose(ours["out"], theirs["out"], rtol=1e-12)
    for a, t in zip(ours["grads"], theirs["grads"]):
        np.testing.assert_allclose(a, t, rtol=1e-12)
    if save in ("mm", "sigmoid", "none", "all", "list"):
        # torch's count includes MmBackward0's own mms (adcli's backward formulas are NumPy):
        # compare what the recomputation adds over saving both mms.
        base_ours = _run(adcli, "mm")["mm"]
        base_theirs = _run(torch, "mm")["mm"]
        assert ours["mm"] - base_ours == theirs["mm"] - base_theirs
    if save in ("mm", "list"):
        assert ours["mm"] == 2  # the forward's two, none recomputed


def _errors(T: Any, case: str) -> Any:
    cp = T.utils.checkpoint
    x = T.ones(3, 3, requires_grad=True)
    try:
        if case == "packet_in_list":
            cp.create_selective_checkpoint_contexts([T.ops.aten.mm])
        elif case == "bad_type":
            cp.create_selective_checkpoint_contexts(3)
        elif case in ("backward_twice", "mutated"):
            ctx = functools.partial(cp.create_selective_checkpoint_contexts,
                                    [T.ops.aten.mm.default])

            def f(a: Any) -> Any:
                m = T.mm(a, a)
                if case == "mutated":
                    m.mul_(1.0)  # the cached output changes in place
                return m.sin()

            out = cp.checkpoint(f, x, use_reentrant=False, context_fn=ctx)
            out.sum().backward(retain_graph=True)
            out.sum().backward()
        return "no error"
    except Exception as e:
        return type(e).__name__, str(e).replace("torch._ops.", "adcli.ops.")


@pytest.mark.parametrize("case", ["packet_in_list", "bad_type", "backward_twice", "mutated"])
def test_errors_match_torch(case: str) -> None:
    assert _errors(adcli, case) == _errors(torch, case)


def test_policy_enum_context_and_ignored_ops_match_torch() -> None:
    def prog(T: Any) -> Any:
        cp = T.utils.checkpoint
        ctx = cp.SelectiveCheckpointContext(is_recompute=False, op_output=3)
        return ([(p.name, p.value) for p in cp.CheckpointPolicy], ctx.is_recompute,
                ctx.op_output, T.ops.aten.detach.default in cp.SAC_IGNORED_OPS,
                T.ops.aten.mm.default in cp.SAC_IGNORED_OPS)

    assert prog(adcli) == prog(torch)


@pytest.mark.parametrize("name", ["mm", "mul", "neg", "sum", "nosuchop"])
def test_ops_aten_objects_match_torch(name: str) -> None:
    def prog(T: Any) -> Any:
        aten = T.ops.aten
        try:
            packet = getattr(aten, name)
        except AttributeError as e:
            return str(e)
        ov = packet.Tensor if name == "mul" else packet.default  # (aten.mul.default: Scalars)
        a = T.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=T.float64)
        value = ov(a, a) if name in ("mm", "mul") else ov(a)
        return (repr(ov), str(ov), ov.name(), repr(packet), str(packet), ov.__name__,
                ov is getattr(packet, ov._overloadname), ov in {getattr(packet, ov._overloadname)},
                ov.overloadpacket is packet, value.tolist())

    assert prog(adcli) == prog(torch)
