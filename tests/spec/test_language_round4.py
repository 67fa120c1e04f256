"""Spec language, round 4: ``try``/``except``/``else``/``finally``, ``raise``, ``del``,
``global``/``nonlocal``, the walrus, ``*args``/``**kwargs`` and star unpacking,
``isinstance``/``issubclass``, unbound methods (``torch.Tensor.tanh``), grad_fn node hooks;
each compared with torch on both engines, and the limits no ``except`` can swallow."""

from __future__ import annotations

import contextlib
import io
import textwrap

import pytest
from flow_helpers import compare_engines, run_torch, spec_text

from adcli.engines import forced
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")


def _run(src: str, engine: str = "adcli") -> object:
    spec = load_specs("t.yaml", text=spec_text(src))[0]
    with forced(engine) if engine == "torch" else contextlib.nullcontext():
        return run_spec(spec, raise_internal=True)


def _printed(report: object) -> str:
    return "\n".join(line for step in report.steps for line in step.outputs)  # type: ignore


def _torch_printed(src: str) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run_torch(src)
    return buf.getvalue().rstrip("\n")


LANGUAGE = """
out = []
x = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    torch.zeros(2) + torch.zeros(3)
except RuntimeError as e:
    out.append(str(e))
try:
    1 / 0
except ZeroDivisionError as e:
    out.append(str(e))
else:
    out.append("no")
finally:
    out.append("fin")
try:
    d = {}
    d["k"]
except (KeyError, IndexError) as e:
    out.append(repr(e.args))
try:
    raise ValueError("bad")
except Exception as e:
    out.append(str(e))
def f(*args, **kwargs):
    return len(args), sorted(kwargs)
r1 = f(1, 2, *[3, 4], a=1, **{"b": 2})
a, *rest = [1, 2, 3, 4]
*init, last = (5, 6, 7)
merged = [*rest, *init]
if (n := len(rest)) > 2:
    big = n
inst = [isinstance(x, torch.Tensor), isinstance(1.0, float), isinstance(x, (int, float)),
        issubclass(bool, int), isinstance(x.grad_fn, torch.autograd.graph.Node),
        isinstance(x * 2, torch.Tensor), isinstance(torch.nn.Linear(2, 2), torch.nn.Module)]
tanh = torch.Tensor.tanh
y = tanh(x)
z = torch.Tensor.add(x, 1.0)
lst = [1, 2, 3]
del lst[0]
dd = {"a": 1, "b": 2}
del dd["a"]
tmp = 5
del tmp
count = 0
def inc():
    global count
    count += 1
inc(); inc()
def outer():
    k = 0
    def g():
        nonlocal k
        k += 10
    g(); g()
    return k
kk = outer()
sq = [w := v * 2 for v in range(3)]
lam = (lambda p, q=3: p * q)(2)
s = f"{3.14159:.2f} {x.sum():.3f} {7:>4d} {x.sum().item():+.1e}"
"""


def test_new_statements_and_expressions_match_torch_on_both_engines() -> None:
    compare_engines(LANGUAGE, ["out", "r1", "a", "rest", "init", "last", "merged", "n", "big",
                               "inst", "y", "z", "lst", "dd", "count", "kk", "sq", "w", "lam",
                               "s"])


ENGINE_ERRORS = """
caught = []
x = torch.tensor([1.0, 2.0], requires_grad=True)
for thunk in (lambda: x[5], lambda: torch.zeros(2, 3) @ torch.zeros(2, 3),
              lambda: x.sum(dim=3), lambda: torch.arange(0, 1, 0),
              lambda: (x * 2).backward(), lambda: x.add_(1),
              lambda: torch.tensor([1, 2]).float().requires_grad_().long().backward()):
    try:
        thunk()
        caught.append(None)
    except IndexError as e:
        caught.append(("IndexError", str(e)))
    except RuntimeError as e:  # (adcli's engine errors are RuntimeErrors too)
        caught.append(("RuntimeError", str(e), isinstance(e, Exception)))
    except ValueError as e:
        caught.append(("ValueError", str(e)))
y = x * x
y.sum().backward(retain_graph=False)
try:
    y.sum().backward()
except RuntimeError as e:
    freed = str(e)[:40]
try:
    x.grad = 0.
except TypeError as e:
    bad_grad = str(e)
"""


def test_engine_errors_are_caught_by_torchs_classes_with_torchs_messages() -> None:
    compare_engines(ENGINE_ERRORS, ["caught", "freed", "bad_grad"])


FUNCTION_RAISES = """
class MyFunc(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        return inp.clone()

    @staticmethod
    def backward(ctx, gO):
        raise RuntimeError("Some error in backward")

inp = torch.ones(3, requires_grad=True)
msgs = []
for anomaly in (False, True):
    with torch.autograd.set_detect_anomaly(anomaly):
        try:
            MyFunc.apply(inp).sum().backward()
        except RuntimeError as e:
            msgs.append(str(e))
def hook(g):
    raise ValueError("hook says no")
h = inp.register_hook(hook)
try:
    (inp * 2).sum().backward()
except ValueError as e:
    msgs.append(str(e))
h.remove()
(inp * 2).sum().backward()
grad = inp.grad
"""


def test_exceptions_raised_in_a_spec_backward_or_hook_reach_the_specs_except() -> None:
    compare_engines(FUNCTION_RAISES, ["msgs", "grad"])


NODE_HOOKS = """
a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
is_node = isinstance(b.grad_fn, torch.autograd.graph.Node)
handle = b.grad_fn.register_hook(lambda gI, gO: (gO[0] * 2,))
b.sum().backward(retain_graph=True)
g1 = a.grad.clone()
handle.remove()
a.grad = None
b.sum().backward(retain_graph=True)
g2 = a.grad.clone()
a.grad = None
handle = b.grad_fn.register_prehook(lambda gO: (gO[0] * 3,))
b.sum().backward(retain_graph=True)
g3 = a.grad.clone()
del a.grad
no_grad = a.grad is None
"""


def test_grad_fn_node_hooks_and_handles_on_both_engines() -> None:
    compare_engines(NODE_HOOKS, ["is_node", "g1", "g2", "g3", "no_grad"])


MODULES = """
lin = torch.nn.Linear(3, 2)
x = torch.ones(1, 3)
fwd = torch.nn.Linear.forward
same = torch.equal(fwd(lin, x), lin(x))
try:
    torch.nn.Module.forward(lin, x)
except NotImplementedError as e:
    msg = str(e)
try:
    torch.Tensor.tanh(3.0)
except TypeError as e:
    bad = "doesn't apply" in str(e)
seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU())
del seq[1]
n = len(seq)
"""


def test_unbound_methods_of_modules_and_del_on_both_engines() -> None:
    compare_engines(MODULES, ["same", "msg", "bad", "n"])


def test_print_shows_tensors_as_torch_prints_them() -> None:
    src = """
    x = torch.tensor([[1.5, -2.25], [3.0, 4.125]], requires_grad=True)
    y = (x * 2).sum(dim=0)
    print(x)
    print(y, y.grad_fn.name())
    print(f"{y.sum():.3f}", torch.tensor(3), torch.tensor([1e-8, 1e8]), torch.arange(3))
    print(torch.tensor([True, False]), x.dtype, x.shape, x.detach()[0])
    """
    src = textwrap.dedent(src)
    assert _printed(_run(src)) == _torch_printed(src)
    assert _printed(_run(src, "torch")) == _torch_printed(src)


# -- what a spec raised, located -------------------------------------------------------------
@pytest.mark.parametrize(("src", "message", "line", "column"), [
    ("x = 1\nraise RuntimeError('boom')", "RuntimeError: boom", 4, 5),
    ("raise 5", "TypeError: exceptions must derive from BaseException", 3, 5),
    ("raise", "RuntimeError: No active exception to reraise", 3, 5),
    ("raise BaseException('x')", "TypeError: a spec cannot raise BaseException", 3, 5),
    ("try:\n    1 / 0\nexcept 5:\n    pass",
     "TypeError: catching classes that do not inherit from BaseException", 5, 5),
    ("def f():\n    raise KeyError('k') from ValueError('v')\nf()", "KeyError: 'k'", 4, 9),
    ("try:\n    [1][3]\nexcept KeyError:\n    pass", "list index out of range", 4, 9),
])
@pytest.mark.parametrize("engine", ["adcli", "torch"])
def test_an_uncaught_exception_fails_its_step_located(src: str, message: str, line: int,
                                                      column: int, engine: str) -> None:
    report = _run(src, engine)
    assert not report.ok and report.internal is None  # type: ignore[attr-defined]
    err = report.error  # type: ignore[attr-defined]
    assert err.kind == "invalid_argument"
    assert err.message.startswith(message), err.message
    assert (err.line, err.column) == (line, column)


def test_a_caught_assert_is_an_assertion_error_and_bare_raise_keeps_the_kind() -> None:
    src = ("try:\n    assert 1 == 2, 'm'\nexcept AssertionError as e:\n    print(e)\n"
           "try:\n    try:\n        torch.zeros(2) + torch.zeros(3)\n    except RuntimeError:\n"
           "        raise\nexcept RuntimeError as e:\n    print('again')\n"
           "torch.zeros(2) @ torch.zeros(3, 3)")
    report = _run(src)
    assert _printed(report) == "m\nagain"
    assert report.error.kind == "shape_mismatch"  # type: ignore[attr-defined]
    assert report.expectations == []  # type: ignore[attr-defined]  # (the caught assert)


# -- limits no except swallows ---------------------------------------------------------------
@pytest.mark.parametrize("src", [
    "while True:\n    try:\n        x = 1 / 0\n    except:\n        pass",
    "while True:\n    try:\n        pass\n    finally:\n        continue",
    "try:\n    while True:\n        pass\nexcept BaseException:\n    print('caught')",
    "def r():\n    return r()\ntry:\n    r()\nexcept Exception:\n    print('caught')",
    "try:\n    x = [1] * 10**7\nexcept Exception:\n    print('caught')",
    "try:\n    while True:\n        pass\nfinally:\n    print('finally')",
    "def f():\n    try:\n        return f()\n    finally:\n        print('finally')\nf()",
])
@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.slow
def test_limits_are_not_caught_and_skip_finally(src: str, engine: str) -> None:
    report = _run(src, engine)
    assert not report.ok and report.internal is None  # type: ignore[attr-defined]
    msg = report.error.message  # type: ignore[attr-defined]
    assert "more than" in msg and report.error.kind == "invalid_argument"  # type: ignore
    assert _printed(report) == ""


def test_try_in_steps_replays_for_gradcheck() -> None:
    from adcli.check.spec_checks import check_spec

    text = spec_text("""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    try:
        y = (w ** 3).sum()
        bad = w[7]
    except IndexError:
        y = y * 2
    finally:
        z = y + 1
    z.backward()
    """, header="gradcheck:\n  - of: z\n    wrt: [w]\n")
    spec = load_specs("t.yaml", text=text)[0]
    checks = check_spec(spec)
    assert [c.ok for c in checks] == [True], [c.to_dict() for c in checks]


# -- small fidelity fixes (the Python API, as torch) -----------------------------------------
@pytest.mark.parametrize("call", [
    lambda T: T.empty(), lambda T: T.zeros(), lambda T: T.ones(),
    lambda T: T.zeros(size=(2, 3)), lambda T: T.ones(2, size=(2,)),
    lambda T: T.empty(size=[2]), lambda T: T.ones(3).mT, lambda T: T.zeros(()).mT,
    lambda T: T.ones(2, 3).mT,
])
def test_creation_without_a_size_and_mT_of_a_vector_as_torch(call: object) -> None:
    import adcli

    def outcome(T: object) -> object:
        try:
            r = call(T)  # type: ignore[operator]
        except Exception as exc:  # the class torch raises, and its message
            return (isinstance(exc, TypeError) or not isinstance(exc, RuntimeError), str(exc))
        return tuple(r.shape)

    # (adcli's engine errors are RuntimeErrors too: a TypeError of torch's is both here)
    assert outcome(adcli) == outcome(torch)
