"""``with MANAGER(...) as NAME:`` in spec code, on both engines, compared with torch.

The managers are the whitelist's (grad modes, anomaly mode, ``fork_rng``, forward AD's
``dual_level``); ``as`` binds what ``__enter__`` returns. Whatever ends the body (an error, a
budget limit, a failed unpacking of the target), the manager's ``__exit__`` runs: grad mode,
anomaly mode and the generator are as before the ``with``.
"""

from __future__ import annotations

import pytest
from flow_helpers import compare_engines, run_spec_src, spec_text
from spec_helpers import refused

from adcli.engine import grad_mode
from adcli.engines import forced
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")

WITH_AS = """
import torch.autograd.forward_ad as fwAD
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad() as g:
    y = x * 2
with torch.enable_grad() as e:
    z = x * 3
with torch.set_grad_enabled(False) as s:
    q = x + 1
with torch.autograd.no_grad() as g2:
    q2 = x - 1
with torch.autograd.detect_anomaly() as d:
    w = (x ** 2).sum()
    w.backward()
    inside = torch.is_anomaly_enabled()
outside = torch.is_anomaly_enabled()
with torch.autograd.set_detect_anomaly(True) as sd:
    inside2 = torch.is_anomaly_enabled()
torch.manual_seed(0)
with torch.random.fork_rng() as f:
    torch.manual_seed(5)
    r = torch.rand(2)
r2 = torch.rand(2)
with fwAD.dual_level() as lvl:
    dual = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
    tangent = fwAD.unpack_dual(torch.sin(dual)).tangent
with torch.autograd.inference_mode() as im:
    k = x * 5
with torch.inference_mode():
    k3 = x * 6
    inf_on = torch.is_inference_mode_enabled()
    with torch.inference_mode(False):
        inf_off = torch.is_inference_mode_enabled()
        k4 = x * 7
inf_after = torch.is_inference_mode_enabled()
for n in range(3):
    with torch.no_grad() as h:
        if n == 1:
            continue
        k2 = x * n
with torch.device("cpu") as dev:
    zc = torch.zeros(2)
    dt = dev.type
zd = zc.device.type
def scaled(t):
    with torch.no_grad() as inner:
        return t * 2, inner
u, un = scaled(x)
"""
NAMES = ["g", "e", "s", "g2", "d", "sd", "f", "lvl", "im", "h", "un", "y", "z", "q", "q2", "w",
         "x.grad", "inside", "outside", "inside2", "r", "r2", "tangent", "k", "k2", "u", "zc",
         "dt", "zd", "k3", "inf_on", "inf_off", "k4", "inf_after"]


def test_with_as_binds_what_enter_returns_on_both_engines() -> None:
    compare_engines(WITH_AS, NAMES)


def test_with_as_unpacks_and_charges_the_budget() -> None:
    base = run_spec_src("y = 1\n")
    run = run_spec_src("with torch.no_grad() as g:\n    y = 1\n")
    # the with statement, its call, entering it, and the body's statement
    assert run.ticks - base.ticks >= 3
    assert run.namespace["g"] is None


@pytest.mark.parametrize("stmt, message, column", [
    ("with torch.no_grad() as torch:\n        pass", "reserved name 'torch'", 29),
    ("with torch.no_grad() as x._foo:\n        pass", "private attributes", 29),
    ("with torch.sin(x) as g:\n        pass", "a 'with' statement takes", 10),
    ("with torch.nn.Linear(2, 2) as m:\n        pass", "a 'with' statement takes", 10),
    ("with 3 as g:\n        pass", "a 'with' statement takes", 10),
    ("with torch.no_grad(), torch.sin(x):\n        pass", "a 'with' statement takes", 27),
    ("with torch.no_grad as g:\n        pass", "a 'with' statement takes", 10),
])
def test_refused_with_statements_are_located(stmt: str, message: str, column: int) -> None:
    err = refused(f"tensors:\n  x: [1.0]\nsteps:\n  - |\n    {stmt}\n")
    assert message in err.message, err.message
    assert (err.file, err.line, err.column) == ("t.yaml", 5, column), err


HOSTILE = {
    # the body runs out of the tick budget inside no_grad
    "budget": ("with torch.no_grad() as g:\n    while True:\n        pass",
               "statements, loop iterations", 4),
    # an error in the body, inside a function it calls
    "error": ("def f(t):\n    return t @ t\nwith torch.no_grad() as g:\n"
              "    f(torch.ones(2, 3))", "", 4),
    # binding the target fails (None cannot be unpacked): after __enter__, before the body
    "target": ("with torch.no_grad() as (a, b):\n    pass",
               "cannot unpack non-iterable NoneType", 3),
    # nested managers, the inner one's body fails
    "nested": ("with torch.autograd.detect_anomaly() as d:\n    with torch.no_grad():\n"
               "        while True:\n            y = 1", "statements, loop iterations", 6),
}


@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_failing_with_body_still_exits_its_manager(engine: str, case: str) -> None:
    body, message, line = HOSTILE[case]
    spec = load_specs("t.yaml", text=spec_text(body))[0]
    with forced(engine):
        report = run_spec(spec)
    assert report.error is not None and message in report.error.message, report.error
    assert report.error.line == line, report.error
    if case == "target":  # located at the target, `(a, b)`
        assert report.error.column == 29, report.error
    # grad mode and anomaly mode are restored on both engines
    assert grad_mode.is_grad_enabled() and torch.is_grad_enabled()
    assert not torch.is_anomaly_enabled()
    from adcli.autograd import is_anomaly_enabled

    assert not is_anomaly_enabled()


@pytest.mark.parametrize("engine", ["adcli", "torch"])
def test_fork_rng_restores_the_generator_when_its_body_fails(engine: str) -> None:
    body = ("torch.manual_seed(3)\nwith torch.random.fork_rng():\n"
            "    torch.manual_seed(9)\n    while True:\n        r = 1")
    spec = load_specs("t.yaml", text=spec_text(body))[0]
    with forced(engine):
        report = run_spec(spec)
    assert report.error is not None and "loop iterations" in report.error.message
    # the generator is where manual_seed(3) left it, not at seed 9
    if engine == "torch":
        got = torch.rand(2, dtype=torch.float64)
        torch.manual_seed(3)
        assert torch.equal(got, torch.rand(2, dtype=torch.float64))
    else:
        import adcli

        got = adcli.rand(2, dtype=adcli.float64)
        adcli.manual_seed(3)
        assert (got._data == adcli.rand(2, dtype=adcli.float64)._data).all()


@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.parametrize("device, message", [
    ("meta", "adcli runs on the CPU only: the device 'meta' is not available"),
    ("cuda", "Torch not compiled with CUDA enabled"),
])
def test_another_device_is_refused_and_the_default_device_restored(
        engine: str, device: str, message: str) -> None:
    """``with torch.device("meta"):`` (or ``device="meta"``) on either engine: the same
    located invalid_argument, never a report of values a meta tensor does not have; the
    default device is the CPU again afterwards."""
    import adcli

    for body in (f"with torch.device('{device}'):\n    z = torch.zeros(2)",
                 f"z = torch.zeros(2, device='{device}')",
                 f"z = torch.zeros(2).to('{device}')"):
        spec = load_specs("t.yaml", text=spec_text(body))[0]
        with forced(engine):
            report = run_spec(spec)
        assert report.error is not None, body
        assert (report.error.kind, report.error.message) == ("invalid_argument", message), body
        assert report.error.line in (3, 4) and report.internal is None, body
        assert str(adcli.get_default_device()) == "cpu"
        assert torch.get_default_device().type == "cpu"
