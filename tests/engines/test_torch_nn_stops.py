"""The torch engine, round 2: torch.nn modules and torch.optim in specs (real torch classes
under adcli's whitelist), gradcheck by parameter path, stop-gradients held or followed, and
culprits with their kind, statement and highlighted graph."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402
from adcli.check.spec_checks import Options, check_paths  # noqa: E402
from adcli.engine import registry  # noqa: E402
from adcli.engines import forced  # noqa: E402
from adcli.engines.diff import diff_paths  # noqa: E402
from adcli.spec.interpreter import execute, run_spec  # noqa: E402
from adcli.spec.loader import load_specs  # noqa: E402

HERE = Path(__file__).parent

NN = """\
name: nn-torch
steps:
  - |
    import torch.nn as nn
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        model[0].bias.fill_(0.1)
        model[2].weight.copy_(torch.tensor([[0.7, -0.8]]))
    nn.init.zeros_(model[2].bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    target = torch.tensor([[1.0], [0.0]])
    losses = []
    for step in range(4):
        opt.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    final = F.mse_loss(model(x), target)
    w = model[0].weight
gradcheck:
  - of: final
    wrt: ["model[0].weight", "model[2].bias"]
  - of: final
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _torch_oracle() -> tuple[list[float], torch.Tensor, torch.Tensor]:
    """The same training loop written directly in PyTorch."""
    torch.set_default_dtype(torch.float64)
    try:
        model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(),
                                    torch.nn.Linear(2, 1))
        with torch.no_grad():
            model[0].weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            model[0].bias.fill_(0.1)
            model[2].weight.copy_(torch.tensor([[0.7, -0.8]]))
            model[2].bias.zero_()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
        target = torch.tensor([[1.0], [0.0]])
        losses = []
        for _ in range(4):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        final = torch.nn.functional.mse_loss(model(x), target)
        return losses, model[0].weight.detach(), final.detach()
    finally:
        torch.set_default_dtype(torch.float32)


def test_modules_and_optimizers_are_real_torch_objects(tmp_path: Path) -> None:
    spec = load_specs(str(_write(tmp_path, NN)))[0]
    with forced("torch"):
        run = execute(spec, dtype="float64")
    ns = run.namespace
    assert type(ns["model"]) is torch.nn.Sequential
    assert type(ns["opt"]) is torch.optim.SGD
    assert isinstance(ns["w"], torch.nn.Parameter)
    losses, weight, final = _torch_oracle()
    assert ns["losses"] == pytest.approx(losses, rel=1e-12)
    torch.testing.assert_close(ns["w"].detach(), weight, rtol=1e-12, atol=0)
    torch.testing.assert_close(ns["final"].detach(), final, rtol=1e-12, atol=0)


def test_gradcheck_by_parameter_path_on_torch(tmp_path: Path) -> None:
    path = _write(tmp_path, NN)
    with forced("torch"):
        by_path, default = check_paths([str(path)]).checks
    assert by_path.ok and default.ok, (by_path.to_dict(), default.to_dict())
    assert by_path.wrt == ["model[0].weight", "model[2].bias"]
    # every leaf and module parameter that requires grad, each tensor once, as on adcli
    with forced("adcli"):
        _, adcli_default = check_paths([str(path)]).checks
    assert default.wrt == adcli_default.wrt == ["w", "model[0].bias", "model[2].weight",
                                                "model[2].bias"]
    assert by_path.report.strategy.startswith("torch")


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
def test_a_parameter_path_is_really_perturbed(tmp_path: Path, factor: int, ok: bool) -> None:
    """A wrong Function after a torch Linear: checking ``lin.weight`` finds it (the check
    differentiates through the real parameter), with the culprit's JSON kind and statement."""
    from typer.testing import CliRunner

    from adcli.cli import _register, app

    _register()
    plugin = _write(tmp_path, PLUGIN.replace("FACTOR", str(factor)), "plugin.py")
    spec = _write(tmp_path, textwrap.dedent("""\
        engine: torch
        steps:
          - |
            lin = torch.nn.Linear(3, 2)
            x = torch.tensor([[0.5, -1.0, 0.25]])
          - y = torch_cube(lin(x)).sum()
        gradcheck:
          - of: y
            wrt: [lin.weight]
        """))
    try:
        res = CliRunner().invoke(app, ["gradcheck", str(spec), "--plugin", str(plugin),
                                       "--json"])
    finally:
        registry.PLUGIN_OPS.pop("torch_cube", None)
        registry.TORCH.pop("torch_cube", None)
    assert res.exit_code == (0 if ok else 1), res.output
    check = json.loads(res.stdout)["checks"][0]
    assert check["wrt"] == ["lin.weight"]
    if ok:
        assert check["culprit"] is None
    else:
        cu = check["culprit"]
        assert (cu["kind"], cu["node"], cu["step"], cu["line"], cu["statement"]) == \
            ("wrong_backward", "CubeBackward", 1, 6, "y = torch_cube(lin(x)).sum()")


def test_module_size_is_checked_before_torch_allocates(tmp_path: Path) -> None:
    spec = load_specs(str(_write(tmp_path, textwrap.dedent("""\
        steps:
          - {do: "m = torch.nn.Linear(100000, 100000)", raises: invalid_argument,
             match: over the limit}
        """))))[0]
    with forced("torch"):
        report = run_spec(spec, max_elements=1_000_000)
    assert report.ok, [e.message for e in report.expectations]


def test_diff_compares_module_parameters(tmp_path: Path) -> None:
    assert diff_paths([str(_write(tmp_path, NN))]).exit_code == 0

    def engine_probe(x):  # a planted engine bug: 2x on adcli, 3x on torch
        return x * (3 if isinstance(x, torch.Tensor) else 2)

    registry.register_op("engine_probe", engine_probe)
    try:
        planted = _write(tmp_path, textwrap.dedent("""\
            steps:
              - |
                model = torch.nn.Linear(2, 1)
                with torch.no_grad():
                    model.weight.copy_(engine_probe(torch.ones(1, 2)))
            """), "planted.yaml")
        result = diff_paths([str(planted)])
    finally:
        registry.PLUGIN_OPS.pop("engine_probe", None)
        registry.TORCH.pop("engine_probe", None)
    assert result.exit_code == 1
    whats = {(d.what, d.tensor) for d in result.specs[0].divergences}
    assert whats == {("value", "model.weight")}


# -- stop-gradients: held by default, followed on request (as on adcli's engine) ------------
sys.path.insert(0, str(HERE.parent / "check"))
from test_diag_detach import SPECS as STOPS  # noqa: E402


@pytest.mark.parametrize("key", sorted(STOPS))
def test_stop_gradients_held_and_followed_on_torch(tmp_path: Path, key: str) -> None:
    text, statement, step, line = STOPS[key]
    p = _write(tmp_path, text, f"{key}.yaml")
    with forced("torch"):
        (held,) = check_paths([str(p)]).checks
        (followed,) = check_paths([str(p)], Options(detached="follow")).checks
    assert held.ok, held.to_dict()
    assert [n.message for n in held.report.notes if n.kind == "held"] == \
        [f"held constant: `{statement}` (step {step}, line {line})"]
    assert not followed.ok
    cu = followed.to_dict()["culprit"]
    assert (cu["kind"], cu["node"], cu["step"], cu["line"], cu["statement"]) == \
        ("graph_cut", None, step, line, statement)


def test_torch_library_stop_gradients_are_not_held(tmp_path: Path) -> None:
    """detach()/no_grad inside torch.optim's step are torch's, not the spec's: only the
    spec's own `.item()` is listed."""
    with forced("torch"):
        checks = check_paths([str(_write(tmp_path, NN))]).checks
    for c in checks:
        held = [n.message for n in c.report.notes if n.kind == "held"]
        assert len(held) == 1 and "losses.append(loss.item())" in held[0], held


# -- culprits: kind, statement, graph --------------------------------------------------------
class WrongCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x ** 2  # wrong: 3 x^2


class CutCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x.detach() ** 2  # right values, but no graph for order 2


def test_culprit_kind_statement_and_graph_on_torch() -> None:
    x = torch.rand(4, dtype=torch.float64).add(0.5).requires_grad_(True)
    report = adcli.gradcheck(lambda t: WrongCube.apply(t).sin().sum(), (x,))
    assert not report.ok
    cu = report.culprit.to_dict()
    assert cu["kind"] == "wrong_backward" and cu["node"] == "WrongCubeBackward"
    assert cu["statement"].startswith("report = adcli.gradcheck(")
    # the highlighted node of the report's graph is the culprit, named as torch names it
    assert report.culprit_id is not None and report.graph is not None
    nodes = {k: n.name for k, n in report.graph.nodes.items()}
    assert nodes[report.culprit_id] == "WrongCubeBackward"
    assert sorted(nodes.values()) == sorted(["SumBackward0", "SinBackward0",
                                             "WrongCubeBackward", "AccumulateGrad"])


def test_not_differentiable_backward_kind_on_torch() -> None:
    x = torch.rand(4, dtype=torch.float64).add(0.5).requires_grad_(True)
    assert torch.autograd.gradcheck(CutCube.apply, (x,))
    assert not torch.autograd.gradgradcheck(CutCube.apply, (x,), raise_exception=False)
    first = adcli.gradcheck(CutCube.apply, (x,))
    second = adcli.gradgradcheck(CutCube.apply, (x,))  # the bound apply itself is recorded
    assert first.ok and not second.ok
    assert (second.culprit.kind, second.culprit.node) == ("not_differentiable_backward",
                                                          "CutCubeBackward")


@pytest.mark.parametrize("fn", [
    lambda t: (t * t).detach() * t,
    lambda t: t * float((t * t).sum()),
    lambda t: t * (t * t).data,
    lambda t: t * torch.tensor((t * t).tolist(), dtype=torch.float64),
], ids=["detach", "float", "data", "tolist"])
def test_python_api_holds_user_stop_gradients_on_torch(fn) -> None:
    """adcli.gradcheck holds by default (the function as written); detached="follow" sees
    through, failing where torch.autograd.gradcheck fails."""
    x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(fn, (x,), raise_exception=False)
    held = adcli.gradcheck(fn, (x,))
    assert held.ok, held.summary()
    assert [n.kind for n in held.notes] == ["held"]
    assert not adcli.gradcheck(fn, (x,), detached="follow").ok


def test_python_api_does_not_hold_torch_library_stop_gradients() -> None:
    x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    lin = torch.nn.Linear(3, 2).double()
    report = adcli.gradcheck(lambda t: torch.nn.functional.normalize(lin(t), dim=0).sum(),
                             (x,))
    assert report.ok and not report.notes
