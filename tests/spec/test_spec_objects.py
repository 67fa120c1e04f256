"""The spec's reach into torch.nn / torch.optim / torch.nn.init: the names adcli's packages
define become reachable (calls, public attributes, methods), nothing else does.

These tests point the whitelist at a tiny stand-in package (tests/spec/standin: Module,
Linear, Sequential, init, SGD in torch's shape), so they hold whether or not adcli.nn and
adcli.optim have landed; the last test runs on the real packages when they are there.
"""

from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pytest

from adcli.check.spec_checks import check_spec
from adcli.spec.errors import SpecError
from adcli.spec.interpreter import StepError, execute
from adcli.spec.language import default_vocabulary
from adcli.spec.loader import load_specs


@pytest.fixture(scope="module")
def vocab():
    import standin.nn
    import standin.optim  # noqa: F401

    return dataclasses.replace(default_vocabulary(), packages={
        "torch.nn": "standin.nn", "torch.optim": "standin.optim"}, trusted=("standin",),
        package_names=None, object_modules=(),
        _resolved={})


def load(text: str, vocab):
    return load_specs("t.yaml", text=textwrap.dedent(text), vocab=vocab)[0]


def steps(src: str, header: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(src).strip("\n"), "    ")
    return f"{header}steps:\n  - |\n{body}\n"


def test_modules_optimizers_and_init_in_steps(vocab) -> None:
    spec = load(steps("""
        import torch.nn as nn
        from torch import optim
        model = nn.Sequential(torch.nn.Linear(3, 2), nn.Tanh())
        lin = model[0]
        torch.nn.init.constant_(lin.weight, 0.5)
        nn.init.zeros_(model[0].bias)
        opt = optim.SGD(model.parameters(), lr=0.1)
        x = torch.tensor([[1.0, 2.0, 3.0]])
        for i in range(3):
            opt.zero_grad()
            loss = model(x).sum()
            loss.backward()
            opt.step()
        n = len(list(model.parameters()))
        shape = (lin.in_features, lin.out_features)
        lr = opt.param_groups[0]["lr"]
    """), vocab)
    run = execute(spec, vocab=vocab)
    ns = run.namespace
    assert ns["n"] == 2 and ns["shape"] == (3, 2) and ns["lr"] == 0.1
    # the same three SGD steps by hand, in NumPy
    w, b = np.full((2, 3), 0.5), np.zeros(2)
    x = np.array([[1.0, 2.0, 3.0]])
    for _ in range(3):
        g = 1 - np.tanh(x @ w.T + b) ** 2
        w, b = w - 0.1 * g.T @ x, b - 0.1 * g.sum(0)
    np.testing.assert_allclose(ns["lin"].weight._data, w, rtol=1e-12)
    np.testing.assert_allclose(ns["lin"].bias._data, b, rtol=1e-12)


@pytest.mark.parametrize(("stmt", "fragment"), [
    ("x = torch.nn.os", "unknown name 'torch.nn.os'"),            # a module the package imports
    ("x = torch.nn.np.load", "unknown name 'torch.nn.np.load'"),
    ("x = torch.nn.math.pi", "unknown name 'torch.nn.math.pi'"),
    ("x = torch.nn.adcli.register_op", "unknown name"),
    ("x = torch.nn.Linear.__init__", "dunder"),
    ("x = torch.nn.Linear.mro", "unknown name 'torch.nn.Linear.mro'"),
    ("m = torch.nn.Linear(1, 1)\nx = m.__dict__", "dunder"),
    ("m = torch.nn.Linear(1, 1)\nx = m._parameters", "private attributes"),
    ("m = torch.nn.Linear(1, 1)\nx = m.forward.__globals__", "dunder"),
    ("x = torch.nn.Nope(1)", "unknown name 'torch.nn.Nope'"),
    ("x = torch.optim.SGD.step.__code__", "dunder"),
    ("from torch.nn import os", "unknown name 'torch.nn.os'"),
    ("import torch.nn as nn\nx = nn.Parameter.__module__", "dunder"),
])
def test_nothing_outside_the_package_is_reachable(vocab, stmt: str, fragment: str) -> None:
    with pytest.raises(SpecError) as err:
        load(steps(stmt), vocab)
    assert fragment in err.value.message


@pytest.mark.parametrize("stmt", [
    "m = torch.nn.Linear(1, 1)\nx = m.nope",              # not an attribute it has
    "m = torch.nn.Linear(1, 1)\ng = m.parameters.nope",
    "m = torch.nn.Linear(1, 1)\nx = m.weight.nope",
])
def test_unknown_attributes_are_refused(vocab, stmt: str) -> None:
    try:
        spec = load(steps(stmt), vocab)
    except SpecError as err:
        assert "unknown attribute" in err.message or "must be called" in err.message
        return
    with pytest.raises(StepError, match="has no attribute"):
        execute(spec, vocab=vocab)


def test_gradcheck_wrt_parameters_by_path(vocab) -> None:
    spec = load(steps("""
        model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
        x = torch.tensor([[1.0, -2.0, 0.5]])
        loss = (model(x) ** 2).sum()
        loss.backward()
    """) + "gradcheck:\n  - of: loss\n    wrt:\n      - model[0].weight\n"
               "      - model[0].bias\n  - of: loss\n", vocab)
    by_path, default = check_spec(spec)  # replays run with the spec's own vocabulary
    assert by_path.error is None and by_path.ok, by_path.to_dict()
    assert by_path.wrt == ["model[0].weight", "model[0].bias"]
    # the default wrt: every leaf and module parameter that requires grad
    assert default.ok and default.wrt == ["model[0].weight", "model[0].bias"], default.to_dict()
    assert by_path.report is not None and not by_path.report.mismatches


def test_wrt_path_must_name_a_bound_root(vocab) -> None:
    with pytest.raises(SpecError, match=r"'nope\.weight' is not a tensor of this spec"):
        load(steps("x = torch.ones(2)") + "gradcheck:\n  - of: x\n    wrt: [nope.weight]\n",
             vocab)


NN_SRC = """
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
names = [n for n, p in model.named_parameters()]
"""


def test_the_real_packages_against_torch() -> None:
    """torch.nn.Linear in a step, an optimizer loop, and gradcheck by parameter path, on
    adcli's own nn/optim (skipped until they are there)."""
    if default_vocabulary().resolve_package("torch.nn.Linear") is None:
        pytest.skip("adcli.nn has no Linear yet")
    pytest.importorskip("torch")
    from flow_helpers import compare

    compare(NN_SRC, ["losses", "w", "model[2].bias", "names", "final", "model[0].bias.grad"])
    spec = load_specs("t.yaml", text=steps(NN_SRC) + textwrap.dedent("""\
        gradcheck:
          - of: final
            wrt: ["model[0].weight", "model[2].bias"]
          - of: final
        """))[0]
    by_path, default = check_spec(spec)
    assert by_path.ok and default.ok, (by_path.to_dict(), default.to_dict())
    # every leaf and module parameter that requires grad, each tensor once (w is
    # model[0].weight)
    assert default.wrt == ["w", "model[0].bias", "model[2].weight", "model[2].bias"]
