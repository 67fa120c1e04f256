"""Mutation tests on the torch engine: wrong backward formulas in torch.autograd.Functions are
caught and the Function is named as the culprit; their correct twins pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402


def _function(name: str, forward: Callable, backward: Callable, n_in: int = 1) -> type:
    """A torch.autograd.Function ``name`` saving its inputs and output."""
    def fwd(ctx, *xs):
        out = forward(*xs)
        ctx.save_for_backward(*xs, out)
        return out

    def bwd(ctx, g):
        *xs, out = ctx.saved_tensors
        return backward(g, out, *xs)

    return type(name, (torch.autograd.Function,),
                {"forward": staticmethod(fwd), "backward": staticmethod(bwd)})


# name: (forward, correct backward, wrong backward, number of inputs)
MUTANTS: dict[str, tuple[Callable, Callable, Callable, int]] = {
    "Cube": (lambda x: x ** 3, lambda g, o, x: g * 3 * x ** 2, lambda g, o, x: g * 2 * x ** 2, 1),
    "Exp": (torch.exp, lambda g, o, x: g * o, lambda g, o, x: g, 1),
    "Sin": (torch.sin, lambda g, o, x: g * torch.cos(x), lambda g, o, x: g * torch.sin(x), 1),
    "Sigmoid": (torch.sigmoid, lambda g, o, x: g * o * (1 - o), lambda g, o, x: g * o, 1),
    "Log": (torch.log, lambda g, o, x: g / x, lambda g, o, x: g * x, 1),
    "Tanh": (torch.tanh, lambda g, o, x: g * (1 - o * o), lambda g, o, x: g * (1 + o * o), 1),
    "Square": (lambda x: x * x, lambda g, o, x: 2 * g * x, lambda g, o, x: -2 * g * x, 1),
    "Mul": (lambda x, y: x * y, lambda g, o, x, y: (g * y, g * x),
            lambda g, o, x, y: (g * x, g * y), 2),
    "MatMul": (lambda a, b: a @ b, lambda g, o, a, b: (g @ b.T, a.T @ g),
               lambda g, o, a, b: (g @ b, a.T @ g), 2),
    "Softplus": (lambda x: torch.log1p(torch.exp(x)), lambda g, o, x: g * torch.sigmoid(x),
                 lambda g, o, x: g * torch.sigmoid(-x), 1),
}


def _inputs(name: str, n_in: int) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(len(name))
    shape = (3, 3) if name == "MatMul" else (4,)
    return tuple((torch.rand(shape, generator=gen, dtype=torch.float64) + 0.5)
                 .requires_grad_(True) for _ in range(n_in))


def _check(name: str, wrong: bool, fast: bool = False) -> adcli.GradcheckReport:
    forward, good, bad, n_in = MUTANTS[name]
    fn_cls = _function(name, forward, bad if wrong else good, n_in)

    def f(*xs: torch.Tensor) -> torch.Tensor:
        # ops around the Function: the culprit must be the Function, not its neighbours
        return (fn_cls.apply(*[x * 0.9 + 0.1 for x in xs]) * 1.5).tanh().sum()

    return adcli.gradcheck(f, _inputs(name, n_in), fast_mode=fast)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_wrong_backward_is_named_as_culprit(name: str) -> None:
    report = _check(name, wrong=True)
    assert not report.ok
    assert report.mismatches
    assert report.culprit is not None, report.notes
    assert report.culprit.node == f"{name}Backward"
    assert report.culprit.line is not None  # the line of f that called the Function


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_correct_twin_passes(name: str) -> None:
    report = _check(name, wrong=False)
    assert report.ok, report.summary()
    assert report.culprit is None


@pytest.mark.parametrize("name", ["Cube", "MatMul"])
def test_fast_mode_also_finds_it(name: str) -> None:
    report = _check(name, wrong=True, fast=True)
    assert not report.ok and report.culprit is not None
    assert report.culprit.node == f"{name}Backward"


def test_gradgradcheck_on_torch_names_a_wrong_double_backward() -> None:
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            # right value, but x.detach() cuts the graph: second derivatives are wrong
            return g * 3 * x.detach() ** 2

    x = (torch.rand(4, dtype=torch.float64) + 0.5).requires_grad_(True)
    assert adcli.gradcheck(lambda x: Cube.apply(x).sum(), (x,)).ok
    report = adcli.gradgradcheck(lambda x: Cube.apply(x).sum(), (x,))
    assert not report.ok
    assert report.culprit is not None and report.culprit.node == "CubeBackward"
    good = adcli.gradgradcheck(lambda x: (x ** 3).sum(), (x,))
    assert good.ok and good.order == 2


PLUGIN = '''
import torch
import adcli


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * FACTOR * x ** 2


adcli.register_op("torch_cube", Cube.apply)
'''


@pytest.mark.parametrize("factor, ok", [(2, False), (3, True)])
def test_spec_plugin_on_torch_engine(tmp_path: Path, factor: int, ok: bool) -> None:
    import json

    from typer.testing import CliRunner

    from adcli.cli import _register, app
    from adcli.engine import registry

    _register()
    plugin = tmp_path / "plugin.py"
    plugin.write_text(PLUGIN.replace("FACTOR", str(factor)))
    spec = tmp_path / "cube.yaml"
    spec.write_text("""engine: torch
tensors:
  x: {data: [0.5, 1.0, 1.5], requires_grad: true}
steps:
  - h = x * 2
  - |
    y = torch_cube(h)
    loss = y.sin().sum()
  - loss.backward()
""")
    try:
        res = CliRunner().invoke(app, ["gradcheck", str(spec), "--plugin", str(plugin),
                                       "--json"])
    finally:
        registry.PLUGIN_OPS.pop("torch_cube", None)
        registry.TORCH.pop("torch_cube", None)
    doc = json.loads(res.stdout)
    assert res.exit_code == (0 if ok else 1), res.output
    check = doc["checks"][0]
    if ok:
        assert check["culprit"] is None
    else:
        assert check["culprit"]["node"] == "CubeBackward"
        assert check["culprit"]["step"] == 1 and check["culprit"]["line"] == 7
