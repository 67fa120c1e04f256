"""torch.autograd.graph against torch: saved-tensor hooks (pack/unpack calls, values,
gradients, errors), ``_saved_*``/``_raw_saved_*``, save_on_cpu, disable_saved_tensors_hooks,
allow_mutation_on_saved_tensors, gradient edges, multi-grad and post-accumulate hooks."""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _g(T: Any) -> Any:
    return T.autograd.graph


def leaf(T: Any, data: Any) -> Any:
    return T.tensor(data, dtype=T.float64, requires_grad=True)


X = [0.5, -1.25, 2.0]
W = [[0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [0.7, 0.8, -0.9]]

OPS = {
    "pow_scalar": lambda T, x, w: x.pow(2),
    "pow_tensor": lambda T, x, w: x.pow(w[0]),
    "exp": lambda T, x, w: x.exp(),
    "mul_self": lambda T, x, w: x * x,
    "mul_const": lambda T, x, w: x * 2,
    "add": lambda T, x, w: x + w[1],
    "div": lambda T, x, w: x / (w[0] + 3),
    "sin": lambda T, x, w: x.sin(),
    "tanh": lambda T, x, w: x.tanh(),
    "sigmoid": lambda T, x, w: x.sigmoid(),
    "relu": lambda T, x, w: x.relu(),
    "matmul": lambda T, x, w: w @ x,
    "mm": lambda T, x, w: w @ w,
    "sum": lambda T, x, w: x.sum(),
    "mean": lambda T, x, w: x.mean(),
    "max": lambda T, x, w: x.max(),
    "prod": lambda T, x, w: x.prod(),
    "norm": lambda T, x, w: x.norm(),
    "view": lambda T, x, w: x.view(3, 1),
    "transpose": lambda T, x, w: w.t(),
    "inplace_exp": lambda T, x, w: (x * 1).exp_(),
    "inplace_mul": lambda T, x, w: (x * 1).mul_(w[0]),
    "atan2": lambda T, x, w: T.atan2(x, w[1]),
    "lerp": lambda T, x, w: T.lerp(x, w[0], w[1]),
    "linear": lambda T, x, w: T.nn.functional.linear(x.view(1, 3), w),
}


@pytest.mark.parametrize("case", sorted(OPS))
def test_pack_and_unpack_calls_per_op(case: str) -> None:
    """Which saved values each op packs (shape, what the packed tensor is), in torch's order,
    and how many unpacks backward makes; gradients unchanged by identity hooks."""

    def prog(T: Any) -> Any:
        x, w = leaf(T, X), leaf(T, W)
        log: list[Any] = []

        def pack(t: Any) -> Any:
            log.append(("pack", tuple(t.shape), t.requires_grad, t is x, t is w,
                        t.grad_fn.name() if t.grad_fn is not None else None))
            return t

        def unpack(t: Any) -> Any:
            log.append("unpack")
            return t

        with _g(T).saved_tensors_hooks(pack, unpack):
            y = OPS[case](T, x, w)
        n = len(log)
        y.sum().backward()
        return log[:n], log[n:].count("unpack"), x.grad, w.grad, y.grad_fn.name()

    compare(prog, torch)


def test_output_is_packed_as_itself_and_unpacked_value_is_new() -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, X)
        seen: list[Any] = []
        with _g(T).saved_tensors_hooks(lambda t: (seen.append(t), t)[1], lambda t: t):
            y = x * x
            z = x.exp()
        return (seen[0] is x, seen[1] is x, seen[2] is z, z.grad_fn._saved_result is z,
                z.grad_fn._saved_result.grad_fn.name(), y.grad_fn._saved_self is x)

    compare(prog, torch)


@pytest.mark.parametrize("create_graph", [False, True])
def test_transforming_hooks_values_and_graph(create_graph: bool) -> None:
    """pack multiplies by 2, unpack divides: gradients (and create_graph's graph) as torch."""

    def prog(T: Any) -> Any:
        x = leaf(T, X)
        w = leaf(T, W)
        with _g(T).saved_tensors_hooks(lambda t: t * 2, lambda t: t / 2):
            y = (w @ x).tanh().pow(3).sum() + (x * x).exp().sum()
        gx, gw = T.autograd.grad(y, (x, w), create_graph=create_graph)
        out = [gx, gw]
        if create_graph:
            out.append(gx.grad_fn.name())
            out.append([n.name() if n is not None else None
                        for n, _ in gx.grad_fn.next_functions])
            out.append(T.autograd.grad(gx.sum(), x)[0])
        return out

    compare(prog, torch)


def test_pack_to_other_objects_and_nesting() -> None:
    """pack may return anything; the innermost context wins; the hooks are those active at
    save time, not at backward time; grad mode is off inside pack."""

    def prog(T: Any) -> Any:
        x = leaf(T, X)
        calls: list[Any] = []

        def hooks(tag: str) -> Any:
            def pack(t: Any) -> Any:
                calls.append(("p" + tag, T.is_grad_enabled(), (t * 2).requires_grad))
                return {"value": t.detach().clone(), "tag": tag}

            def unpack(p: Any) -> Any:
                calls.append("u" + p["tag"])
                return p["value"]

            return _g(T).saved_tensors_hooks(*hooks_pair(pack, unpack))

        def hooks_pair(p: Any, u: Any) -> Any:
            return p, u

        with hooks("1"), hooks("2"):
            y = x.sin()
        with hooks("3"):
            y.sum().backward()
        return calls, x.grad

    compare(prog, torch)


def test_custom_function_and_linear_module() -> None:
    def prog(T: Any) -> Any:
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any, b: Any) -> Any:
                ctx.save_for_backward(a, b, None)
                return a * b

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                a, b, _ = ctx.saved_tensors
                return g * b, g * a

        x = leaf(T, X)
        calls: list[Any] = []
        with _g(T).saved_tensors_hooks(
                lambda t: (calls.append(("p", tuple(t.shape))), t * 3)[1],
                lambda t: (calls.append("u"), t / 3)[1]):
            y = F.apply(x, x * 2)
        y.sum().backward()
        T.manual_seed(0)
        lin = T.nn.Linear(3, 2).double()
        with _g(T).saved_tensors_hooks(
                lambda t: (calls.append(("p", tuple(t.shape))), t)[1],
                lambda t: (calls.append("u"), t)[1]):
            z = lin(x.view(1, 3))
        z.sum().backward()
        return calls, x.grad, lin.weight.grad, z.grad_fn.name()

    compare(prog, torch)


ERRORS = {
    "unpack_not_tensor": """
with G.saved_tensors_hooks(lambda t: t, lambda t: 1):
    y = x.exp()
y.sum().backward()""",
    "pack_inplace": """
b = x * 1
with G.saved_tensors_hooks(lambda t: t.mul_(2), lambda t: t):
    b * b""",
    "disabled_enter": """
with G.disable_saved_tensors_hooks("no hooks here"):
    x.exp()
    with G.saved_tensors_hooks(lambda t: t, lambda t: t):
        pass""",
    "disabled_save": """
with G.saved_tensors_hooks(lambda t: t, lambda t: t):
    x + x
    with G.disable_saved_tensors_hooks("not while saving"):
        x.exp()""",
    "freed_access": """
with G.saved_tensors_hooks(lambda t: t, lambda t: t):
    y = x.sin()
y.sum().backward()
y.grad_fn._saved_self""",
    "raw_twice": """
y = x.sin()
y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)
y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)""",
    "raw_after_context": """
with G.saved_tensors_hooks(lambda t: t, lambda t: t):
    y = x.sin()
y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)""",
    "raw_freed": """
y = x.sin()
y.sum().backward()
y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)""",
    "freed_twice": """
y = x.exp()
y.sum().backward()
y.sum().backward()""",
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_word_for_word(case: str) -> None:
    def prog(T: Any) -> Any:
        env = {"G": _g(T), "x": leaf(T, X)}
        exec(ERRORS[case], env)
        return "no error"

    compare(prog, torch)


def test_raw_saved_register_hooks_and_saved_values() -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, X)
        calls: list[Any] = []
        y = x.exp()
        raw = y.grad_fn._raw_saved_result
        raw.register_hooks(lambda t: (calls.append("p"), t * 4)[1],
                           lambda t: (calls.append("u"), t / 4)[1])
        v = y.grad_fn._saved_result
        y.sum().backward()
        p = x.pow(3)
        return (calls, v, x.grad, type(raw).__name__,
                p.grad_fn._saved_self is x)

    compare(prog, torch)


def test_no_version_check_with_hooks() -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, X)
        a = x * 1
        with _g(T).saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            y = a.sin()
        a.add_(1)
        y.sum().backward()
        return x.grad

    compare(prog, torch)


@pytest.mark.parametrize("pin", [False, True])
def test_save_on_cpu(pin: bool) -> None:
    def prog(T: Any) -> Any:
        x = leaf(T, X)
        with _g(T).save_on_cpu(pin_memory=pin):
            y = (x * x).exp().sum()
        y.backward()
        return x.grad

    compare(prog, torch)


def test_packed_values_are_freed_after_backward() -> None:
    import gc
    import weakref

    x = adcli.tensor(X, dtype=adcli.float64, requires_grad=True)
    refs: list[Any] = []

    class Box:
        def __init__(self, t: Any) -> None:
            self.t = t

    def pack(t: Any) -> Any:
        b = Box(t.detach().clone())
        refs.append(weakref.ref(b))
        return b

    with adcli.autograd.graph.saved_tensors_hooks(pack, lambda b: b.t):
        y = (x.exp() * x).sum()
    assert all(r() is not None for r in refs) and len(refs) == 3
    y.backward()
    gc.collect()
    assert all(r() is None for r in refs)


def test_allow_mutation_on_saved_tensors() -> None:
    def prog(T: Any) -> Any:
        G = _g(T)
        out: list[Any] = []
        with G.allow_mutation_on_saved_tensors():
            x = leaf(T, X)
            a = x.clone()
            b = a.sin()
            a.mul_(2)
            b.sum().backward()
            out.append(x.grad)
        try:
            with G.allow_mutation_on_saved_tensors(), G.allow_mutation_on_saved_tensors():
                pass
        except Exception as e:
            out.append(str(e))
        with G.allow_mutation_on_saved_tensors():
            a = leaf(T, X).clone()
            b = a.sin()
        try:
            b.sum().backward()
        except AssertionError as e:
            out.append(str(e))
        return out

    compare(prog, torch)


def test_gradient_edges() -> None:
    def prog(T: Any) -> Any:
        G = _g(T)
        x = leaf(T, X)
        z = x * 2
        e = G.get_gradient_edge(z)
        w = z.exp()
        hooked: list[Any] = []
        x.register_hook(lambda g: hooked.append("x hook"))
        g = T.autograd.grad(w.sum(), e, retain_graph=True)
        w.sum().backward(inputs=[e])
        el = G.get_gradient_edge(x)
        gl = T.autograd.grad((x * 3).sum(), [el])
        try:
            G.get_gradient_edge(T.ones(2))
        except RuntimeError as err:
            msg = str(err)
        return (g, x.grad, e.node is z.grad_fn, e.output_nr, el.node.name(), gl, msg,
                G.GradientEdge._fields, hooked)

    compare(prog, torch)


def test_increment_version() -> None:
    def prog(T: Any) -> Any:
        a = T.zeros(2)
        v = [a._version]
        _g(T).increment_version(a)
        v.append(a._version)
        _g(T).increment_version([a, a])
        v.append(a._version)
        return v

    compare(prog, torch)


def test_multi_grad_hook() -> None:
    def prog(T: Any) -> Any:
        G = _g(T)
        x, y = leaf(T, X), leaf(T, [1.0, 2.0, 3.0])
        calls: list[Any] = []
        h = G.register_multi_grad_hook((x, y), lambda gs: calls.append(list(gs)))
        (x * 2).sum().backward()
        (x * y).sum().backward()
        h.remove()
        (x * y).sum().backward()
        h = G.register_multi_grad_hook((x, y), lambda g: calls.append(("any", g)), mode="any")
        (x * y).sum().backward()
        (y * 5).sum().backward()
        h.remove()
        try:
            G.register_multi_grad_hook((x,), lambda g: None, mode="bad")
        except ValueError as e:
            calls.append(str(e))
        return calls

    compare(prog, torch)


def test_post_accumulate_grad_hook() -> None:
    def prog(T: Any) -> Any:
        p = leaf(T, [1.0, 2.0])
        calls: list[Any] = []

        def hook(t: Any) -> None:
            calls.append((t is p, t.grad.clone()))
            t.grad.mul_(0.5)  # e.g. an optimizer step in the hook

        h = p.register_post_accumulate_grad_hook(hook)
        (p * 3).sum().backward()
        (p * p).sum().backward()
        h.remove()
        (p * 3).sum().backward()
        errs = []
        for bad in (lambda: (p * 2).register_post_accumulate_grad_hook(hook),
                    lambda: T.ones(2).register_post_accumulate_grad_hook(hook)):
            try:
                bad()
            except RuntimeError as e:
                errs.append(str(e))
        return calls, p.grad, errs

    compare(prog, torch)


def test_saved_tensor_class_is_exported() -> None:
    y = adcli.tensor(X, requires_grad=True).sin()
    assert isinstance(y.grad_fn._raw_saved_self, adcli.autograd.SavedTensor)
    assert adcli.autograd.SavedTensor.__name__ == torch.autograd.SavedTensor.__name__
