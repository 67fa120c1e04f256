"""Spec language, round 3: the shift operators, ``with`` over several managers, and ``with``
on a held manager (a hook's handle, a stored ``torch.no_grad()``), on both engines and
compared with torch."""

from __future__ import annotations

import pytest
from flow_helpers import compare_engines, run_spec_src, spec_text

from adcli.engine import grad_mode
from adcli.engines import forced
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")

SHIFTS = """
a = 5 << 2
b = -37 >> 3
c = torch.tensor([1, 2, 3]) << 2
d = 1 << torch.tensor([1, 2])
e = torch.tensor([64, -64]) >> torch.tensor([2, 3])
u = torch.tensor([200, 7], dtype=torch.uint8) << 1
f = torch.tensor([3, 4])
f2 = f
f <<= 1
f >>= torch.tensor([1, 2])
same = f2 is f
g = 9
g >>= 1
g <<= 70
big = (1 << 64) >> 60
"""


def test_shift_operators_on_python_ints_and_tensors() -> None:
    compare_engines(SHIFTS, ["a", "b", "c", "d", "e", "u", "f", "f2", "same", "g", "big"])


WITH_MANY = """
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad(), torch.autograd.set_detect_anomaly(True) as sd:
    y = x * 2
    inside = (torch.is_grad_enabled(), torch.is_anomaly_enabled())
after = (torch.is_grad_enabled(), torch.is_anomaly_enabled())
with torch.set_grad_enabled(False), torch.enable_grad() as e:
    z = x * 3
    last_wins = torch.is_grad_enabled()
ng = torch.no_grad()
with ng:
    y2 = x * 3
with ng as m, torch.enable_grad():
    y3 = x * 4
managers = [torch.no_grad(), torch.enable_grad()]
with managers[0]:
    y4 = x * 5
h = x.register_hook(lambda g: g * 10)
with h as h2:
    (x * x).sum().backward()
g1 = x.grad.clone()
is_handle = h2 is h
x.grad = None
(x * x).sum().backward()
g2 = x.grad.clone()
def f(t):
    with torch.no_grad(), torch.enable_grad():
        return t * 2
w = f(x)
for k in range(3):
    with torch.no_grad(), torch.autograd.detect_anomaly():
        if k == 1:
            continue
        q = x * k
"""


def test_with_several_managers_and_held_managers_on_both_engines() -> None:
    compare_engines(WITH_MANY, ["sd", "y", "inside", "after", "e", "z", "last_wins", "y2", "m",
                                "y3", "y4", "g1", "is_handle", "g2", "w", "q"])


def test_each_manager_is_charged_to_the_budget() -> None:
    one = run_spec_src("with torch.no_grad():\n    y = 1\n")
    two = run_spec_src("with torch.no_grad(), torch.enable_grad():\n    y = 1\n")
    assert two.ticks - one.ticks >= 2  # the second call and entering it


UNWIND = {
    # the body runs away inside two managers: both exit, the inner one first
    "budget": ("with torch.no_grad(), torch.autograd.detect_anomaly():\n    while True:\n"
               "        pass", "statements, loop iterations", 4, None),
    # making the second manager fails: the first one (already entered) still exits
    "second": ("with torch.autograd.set_detect_anomaly(True), torch.no_grad(), "
               "torch.device('meta'):\n    z = torch.zeros(2)", "the device 'meta'", 4, None),
    # a value that is no context manager, located at it
    "tensor": ("x = torch.ones(2)\nwith torch.no_grad(), x:\n    pass",
               "'Tensor' object does not support the context manager protocol", 4, 27),
    # binding the second target fails after both managers were entered
    "target": ("with torch.no_grad(), torch.enable_grad() as (a, b):\n    pass",
               "cannot unpack non-iterable NoneType", 3, 50),
}


@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.parametrize("case", sorted(UNWIND))
def test_failing_with_of_several_managers_exits_those_entered(engine: str, case: str) -> None:
    body, message, line, column = UNWIND[case]
    spec = load_specs("t.yaml", text=spec_text(body))[0]
    with forced(engine):
        report = run_spec(spec)
    assert report.error is not None and message in report.error.message, report.error
    assert report.internal is None
    assert report.error.line == line, report.error
    if column is not None:
        assert report.error.column == column, report.error
    assert grad_mode.is_grad_enabled() and torch.is_grad_enabled()
    assert not torch.is_anomaly_enabled()
    from adcli.autograd import is_anomaly_enabled

    assert not is_anomaly_enabled()


@pytest.mark.parametrize("body, column", [
    ("a = 1 << 100000", 5), ("a = 3\na <<= 20000", 5), ("a = 2 << (1 << 14)", 5),
])
def test_a_python_int_shifted_past_the_limit_is_refused(body: str, column: int) -> None:
    report = run_spec(load_specs("t.yaml", text=spec_text(body))[0])
    assert report.error is not None
    assert "integer too large" in report.error.message, report.error
    assert report.error.column == column, report.error


def test_shifting_a_python_int_right_or_by_zero_stays_cheap() -> None:
    run = run_spec_src("a = (1 << 16000) >> 15990\nb = 0 << 10000000\nc = 5 >> 10000000\n")
    assert (run.namespace["a"], run.namespace["b"], run.namespace["c"]) == (1024, 0, 0)


def test_tensor_hook_handle_is_a_context_manager_as_torch() -> None:
    import adcli

    for lib in (adcli, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with x.register_hook(lambda g: g * 3) as h:
            (x * x).sum().backward()
        assert h is not None
        inside = x.grad.clone()
        x.grad = None
        (x * x).sum().backward()
        assert inside.tolist() == [6.0, 12.0] and x.grad.tolist() == [2.0, 4.0], lib


def test_file_functions_stay_refused_even_when_the_registry_has_them(monkeypatch) -> None:
    """torch.save/torch.load (another helper's, this session) read and write files: a spec
    never reaches them, under any spelling, whatever the op tables hold."""
    from spec_helpers import refused

    from adcli.engine import registry

    monkeypatch.setitem(registry.TORCH, "save", lambda *a, **k: None)
    monkeypatch.setitem(registry.TORCH, "load", lambda *a, **k: None)
    for stmt in ("torch.save(torch.ones(1), 'f')", "x = torch.load('f')",
                 "from torch import save", "x = load('f')"):
        err = refused(spec_text(stmt))
        assert "save" in err.message or "load" in err.message, err.message


SAVED_HOOKS = """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
packed = []
def pack(t):
    packed.append(tuple(t.shape))
    return t * 1
def unpack(t):
    return t
with torch.autograd.graph.saved_tensors_hooks(pack, unpack), torch.no_grad():
    q = x * 2
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = (x * x).sum()
y.backward()
n = len(packed)
g1 = x.grad.clone()
with torch.autograd.graph.save_on_cpu():
    z = x.exp().sum()
z.backward()
h = x.register_post_accumulate_grad_hook(lambda p: None)
with h:
    pass
"""


def test_saved_tensor_hooks_as_with_managers_on_both_engines() -> None:
    """(another helper's names, this session) reached from a spec: several managers in one
    `with`, and a post-accumulate hook's handle held as a manager."""
    compare_engines(SAVED_HOOKS, ["q", "n", "packed", "g1", "x.grad"])
