"""Loops, branches, comprehensions, functions and imports: each compared with real torch
running the same statements (the oracle), plus the errors torch gives for tensors."""

from __future__ import annotations

import pytest
from flow_helpers import compare, run_spec_src, run_torch

from adcli.spec.interpreter import StepError

torch = pytest.importorskip("torch")


def test_for_over_a_list_of_weights() -> None:
    compare("""
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        ws = [torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]) * (k + 1)
              for k in range(3)]
        h = x
        for w in ws:
            h = torch.tanh(h @ w)
        loss = h.sum()
        loss.backward()
    """, ["h", "loss", "x.grad", "ws"])


def test_for_over_range_zip_enumerate_and_dict_items() -> None:
    compare("""
        a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        total = a * 0
        for i in range(3):
            total = total + a[i] * i
        pairs = []
        for k, (p, q) in enumerate(zip([1, 2, 3], (4.0, 5.0, 6.0))):
            pairs.append(k * p + q)
        d = {"x": a * 2, "y": a ** 2}
        keys = []
        s = a.sum() * 0
        for name, t in d.items():
            keys.append(name)
            s = s + t.sum()
        for name in d:
            keys.append(name.upper())
        n = len(d) + len(keys)
        s.backward()
    """, ["total", "pairs", "keys", "s", "n", "a.grad"])


def test_for_over_tensors_iterates_dim_0_as_torch() -> None:
    compare("""
        m = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
        rows = []
        for r in m:
            rows.append(r * 2)
        t = torch.stack(rows).sum()
        t.backward()
        count = 0
        for v in torch.tensor([7.0, 8.0]):
            count += v.item()
    """, ["t", "m.grad", "count"])


def test_iterating_a_0d_tensor_is_torchs_type_error() -> None:
    src = "z = torch.tensor(3.0)\nfor v in z:\n    pass\n"
    with pytest.raises(TypeError) as want:
        run_torch(src)
    with pytest.raises(StepError) as got:
        run_spec_src(src)
    assert got.value.message == str(want.value) == "iteration over a 0-d tensor"
    assert got.value.kind == "invalid_argument" and got.value.line == 4


def test_while_and_break_continue_else() -> None:
    compare("""
        x = torch.tensor([0.25, -0.5], requires_grad=True)
        y = x
        n = 0
        while True:
            n += 1
            if n % 2 == 0:
                continue
            y = y * 1.5
            if n > 6:
                break
        found = -1
        for i in range(5):
            if i == 7:
                found = i
                break
        else:
            found = 99
        k = 0
        while k < 3:
            k += 1
        else:
            k = k * 10
        y.sum().backward()
    """, ["y", "n", "found", "k", "x.grad"])


def test_the_autograd_tutorials_while_loop_pasted_unchanged() -> None:
    """PyTorch's autograd tutorial, as written (randn: torch gets adcli's values)."""
    src = """
        x = torch.randn(3, requires_grad=True)

        y = x * 2
        while y.data.norm() < 1000:
            y = y * 2

        print(y)
        v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
        y.backward(v)

        print(x.grad)
    """
    ours = run_spec_src(src)
    x0 = torch.tensor(ours.namespace["x"]._data.tolist(), dtype=torch.float64)
    theirs = run_torch(src.replace("torch.randn(3, requires_grad=True)",
                                   "x0.clone().requires_grad_(True)"), {"x0": x0})
    from flow_helpers import same

    same(ours.namespace["y"], theirs["y"], "y")
    same(ours.namespace["x"].grad, theirs["x"].grad, "x.grad")
    assert ours.namespace["y"].grad_fn.name() == "MulBackward0"


def test_if_elif_else_and_conditional_expressions() -> None:
    compare("""
        a = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        s = a.sum()
        if s > 5:
            b = a * 2
        elif s > 1:
            b = a * 3
        else:
            b = a
        c = b.sum() if a[0] > 0 else b.mean()
        flag = "big" if a.max() > 2 else "small"
        if a[1]:
            e = 1
        if not torch.tensor([0.0]):
            e = 2
        c.backward()
    """, ["b", "c", "flag", "e", "a.grad"])


def test_tensor_truthiness_follows_torch() -> None:
    src = "a = torch.tensor([1.0, 2.0])\nif a > 0:\n    b = 1\n"
    with pytest.raises(RuntimeError) as want:
        run_torch(src)
    with pytest.raises(StepError) as got:
        run_spec_src(src)
    assert got.value.message == str(want.value)
    assert "Boolean value of Tensor with more than one value is ambiguous" in got.value.message
    src = "a = torch.tensor([1.0, 2.0])\nb = 1 if a else 2\n"
    with pytest.raises(RuntimeError) as want:
        run_torch(src)
    with pytest.raises(StepError) as got:
        run_spec_src(src)
    assert got.value.message == str(want.value)


def test_displays_and_comprehensions() -> None:
    compare("""
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        squares = [x[i] ** 2 for i in range(3) if i != 1]
        table = {i: x[i] * i for i in range(3)}
        grid = [(i, j) for i in range(3) for j in range(i)]
        uniq = {v % 3 for v in range(10)}
        total = sum(t.sum() for t in squares)
        nested = [[i * j for j in range(3)] for i in range(2)]
        t3 = (1, 2.5, "a")
        m = max([3, 1, 2]) + min(4, 5) + sum([1, 2, 3])
        big = max(x) if False else torch.max(x)
        flags = [any([False, True]), all([True, False]), sorted([3, 1, 2]),
                 list(reversed([1, 2, 3]))]
        total.backward()
    """, ["squares", "table", "grid", "uniq", "total", "nested", "t3", "m", "big", "flags",
          "x.grad"])


def test_def_with_defaults_keywords_closures_and_recursion() -> None:
    compare("""
        x = torch.tensor([0.5, -1.5], requires_grad=True)
        scale = 3.0

        def layer(inp, w, b=0.0, *, act=torch.tanh):
            return act(inp * w + b) * scale

        def fact(n):
            if n <= 1:
                return 1
            return n * fact(n - 1)

        def nothing():
            pass

        def make(k):
            def inner(t):
                return t * k
            return inner

        h = layer(x, 2.0)
        h2 = layer(x, 2.0, b=1.0, act=torch.sigmoid)
        triple = make(3)
        h3 = triple(h2)
        f = fact(6)
        none = nothing()
        loss = (h + h3).sum()
        loss.backward()
    """, ["h", "h2", "h3", "f", "none", "loss", "x.grad"])


def test_lambda_everywhere_a_callable_is_taken() -> None:
    compare("""
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        sq = lambda t: t * t
        y = sq(x)
        handle = y.register_hook(lambda grad: grad * 2)
        fns = [lambda t: t + 1, lambda t, k=2: t * k]
        z = fns[1](fns[0](y))
        rec = lambda n: 1 if n <= 1 else n * rec(n - 1)
        r = rec(5)
        z.sum().backward()
    """, ["y", "z", "r", "x.grad"])


def test_decorators_no_grad_and_enable_grad() -> None:
    compare("""
        x = torch.tensor([1.0, 2.0], requires_grad=True)

        @torch.no_grad()
        def frozen(t):
            return t * 2

        @torch.enable_grad()
        def tracked(t):
            return t * 3

        a = frozen(x)
        with torch.no_grad():
            b = tracked(x)
        c = x * 4
    """, ["a", "b", "c"])


def test_a_function_called_by_backward_hooks_fails_located() -> None:
    src = """
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        def bad(g):
            return g[5]
        y = x * 2
        h = y.register_hook(bad)
        y.sum().backward()
    """
    with pytest.raises(StepError) as got:
        run_spec_src(src)
    assert got.value.line == 5 and got.value.context == "call 1 of bad()"
    assert "index 5 is out of bounds" in got.value.message


def test_error_inside_a_loop_names_line_and_iteration() -> None:
    src = """
        x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
        s = 0
        for i in range(10):
            s = s + x[i]
    """
    with pytest.raises(IndexError) as want:
        run_torch(src)
    with pytest.raises(StepError) as got:
        run_spec_src(src)
    e = got.value
    assert e.message == str(want.value)
    assert (e.line, e.column) == (6, 9)  # the statement inside the loop
    assert e.context == "iteration 6 of `for i in range(10)`"


def test_error_location_in_run_report() -> None:
    from spec_helpers import run

    report = run("""
    steps:
      - x = 1
      - |
        for i in range(3):
            for j in range(4):
                if i == 2 and j == 1:
                    y = torch.ones(2) @ torch.ones(3)
    """)
    err = report.error
    assert err.step == 1 and err.line == 8 and err.kind == "shape_mismatch"
    assert err.context == ("iteration 3 of `for i in range(3)`, "
                           "iteration 2 of `for j in range(4)`")
    assert err.where == ("step 1, line 8, iteration 3 of `for i in range(3)`, "
                         "iteration 2 of `for j in range(4)`")
    assert err.to_json()["context"] == err.context


def test_imports_of_the_torch_surface_and_math() -> None:
    compare("""
        import math
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import nn
        from torch.autograd import grad
        from math import pi, sqrt
        x = torch.tensor([0.3, -0.7], requires_grad=True)
        y = F.relu(x) * math.pi + sqrt(2.0) + math.exp(1.0) * math.e
        g, = grad((x ** 3).sum(), x, create_graph=True)
        c = math.floor(2.7) + math.inf * 0 if False else math.cos(pi)
    """, ["y", "g", "c"])


def test_torch_tensor_constructor_when_the_engine_has_it() -> None:
    import adcli

    try:
        adcli.Tensor([1.0])
    except Exception:
        pytest.skip("adcli has no torch.Tensor(...) constructor yet")
    compare("""
        a = torch.Tensor([[1, 2], [3, 4]])
        b = torch.Tensor(2, 3).zero_()
    """, ["a", "b"])


def test_autograd_functional_with_spec_functions() -> None:
    from adcli.spec.language import default_vocabulary

    if default_vocabulary().resolve_package("torch.autograd.functional.hessian") is None:
        pytest.skip("adcli.autograd.functional is not there yet")
    compare("""
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        H = torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
        def f(t):
            return torch.sin(t) * t
        J = torch.autograd.functional.jacobian(f, x)
    """, ["H", "J"])


def test_ops_are_values_and_unknown_callables_are_refused() -> None:
    compare("""
        x = torch.tensor([0.1, 0.2])
        acts = [torch.tanh, torch.sigmoid, F.relu]
        outs = [f(x) for f in acts]
    """, ["outs"])
    with pytest.raises(StepError, match="'Tensor' object is not callable"):
        run_spec_src("x = torch.ones(2)\ny = x(1)\n")
