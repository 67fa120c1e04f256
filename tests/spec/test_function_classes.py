"""``class Name(torch.autograd.Function):`` in spec code, as torch's tutorials write it: static
``forward``/``backward`` (and ``setup_context``, ``@once_differentiable``), ``ctx``'s own
methods and the attributes a spec sets on it, ``Name.apply`` called or passed around. Run on
both engines and compared with torch; gradchecked; refusals located."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flow_helpers import compare_engines, spec_text
from spec_helpers import refused

from adcli.check.spec_checks import check_spec
from adcli.engine import grad_mode
from adcli.engines import forced
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")

CLASSES = """
from torch.autograd import Function
from torch.autograd.function import once_differentiable

def cube_backward(g, x):
    return g * 3 * x ** 2

class Cube(torch.autograd.Function):
    '''x ** 3, with a differentiable backward through CubeBackward (defined below)'''
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return CubeBackward.apply(grad_out, x)

class CubeBackward(Function):
    @staticmethod
    def forward(ctx, grad_out, x):
        ctx.save_for_backward(x, grad_out)
        return cube_backward(grad_out, x)

    @staticmethod
    def backward(ctx, grad_out):
        x, sav = ctx.saved_tensors
        return grad_out * 3 * x ** 2, grad_out * sav * 6 * x

class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias

class Once(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.factor = 2.0
        return x * ctx.factor

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        return g * ctx.factor

x = torch.tensor([0.5, -1.25, 2.0], requires_grad=True)
out = Cube.apply(x)
(gx,) = torch.autograd.grad(out.sum(), x, create_graph=True)
(gxx,) = torch.autograd.grad(gx.sum(), x)
names = (out.grad_fn.name(), gx.grad_fn.name())
y = MulConstant.apply(x, 5.5)
y.sum().backward()
gy = x.grad.clone()
x.grad = None
linear = LinearFunction.apply
inp = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
w = torch.tensor([[0.5, -0.5], [2.0, 1.0], [0.1, 0.2]], requires_grad=True)
b = torch.tensor([0.3, 0.0, -0.3])
lin = linear(inp, w, b)
lin.pow(2).sum().backward()
ok1 = torch.autograd.gradcheck(Cube.apply, (x,))
ok2 = torch.autograd.gradgradcheck(Cube.apply, (x,))
ok3 = torch.autograd.gradcheck(linear, (inp, w))
o = Once.apply(x)
v = torch.ones(3, requires_grad=True)
(go,) = torch.autograd.grad(o, x, v, create_graph=True)
once_rg = go.requires_grad
"""
# (a custom Function's node class is made per run: compared by name, not by type)
NAMES = ["out.detach()", "gx.detach()", "gxx", "names", "y.detach()", "y.grad_fn.name()", "gy",
         "lin.detach()", "lin.grad_fn.name()", "inp.grad", "w.grad", "ok1", "ok2", "ok3",
         "o.detach()", "o.grad_fn.name()", "go.detach()", "once_rg"]


def test_function_classes_run_on_both_engines_as_in_torch() -> None:
    compare_engines(CLASSES, NAMES)


GRADCHECK = """
tensors:
  x: [0.5, -1.25, 2.0]
steps:
  - |
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * FACTOR * x ** 2
    loss = Cube.apply(x).sum()
gradcheck:
  - of: loss
    wrt: [x]
  - of: Cube.apply(x * 2).sum()
    wrt: [x]
    order: 2
"""


def test_a_spec_function_class_is_gradchecked() -> None:
    for factor, ok in (("3", True), ("2", False)):
        spec = load_specs("t.yaml", text=GRADCHECK.replace("FACTOR", factor))[0]
        checks = check_spec(spec)
        assert [c.ok for c in checks] == [ok, ok], [c.to_dict() for c in checks]


@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.parametrize("factor, code", [("3", 0), ("2", 1)])
def test_adcli_gradcheck_on_a_function_class(tmp_path: Path, engine: str, factor: str,
                                             code: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(GRADCHECK.replace("FACTOR", factor))
    done = subprocess.run([sys.executable, "-m", "adcli", "gradcheck", "--engine", engine,
                           str(path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == code, done.stdout + done.stderr
    assert done.stdout.count("PASS" if code == 0 else "FAIL") == 2, done.stdout


@pytest.mark.parametrize("stmt, message, line, column", [
    ("class A:\n    pass", "must be a torch.autograd.Function subclass", 3, 5),
    ("class A(torch.nn.Module):\n    pass", "must be a torch.autograd.Function subclass", 3, 13),
    ("class A(torch.autograd.Function):\n    def forward(ctx, x):\n        return x",
     "must be a @staticmethod", 4, 9),
    ("class A(torch.autograd.Function):\n    scale = 2", "holds only the static methods", 4, 9),
    ("class A(torch.autograd.Function):\n    @staticmethod\n    def helper(x):\n        return x",
     "holds only the static methods", 5, 9),
    ("class A(torch.autograd.Function):\n    @property\n    @staticmethod\n"
     "    def forward(ctx, x):\n        return x", "take only @staticmethod", 4, 10),
    ("@torch.no_grad()\nclass A(torch.autograd.Function):\n    pass", "without decorators", 3, 6),
    ("class A(torch.autograd.Function, torch.autograd.Function):\n    pass",
     "must be a torch.autograd.Function subclass", 3, 5),
    ("class A(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
     "        ctx._x = x\n        return x", "private attributes", 6, 13),
])
def test_refused_classes_are_located(stmt: str, message: str, line: int, column: int) -> None:
    err = refused(spec_text(stmt))
    assert message in err.message, err.message
    assert (err.line, err.column) == (line, column), err


RUNTIME = {
    # ctx's own members are not the spec's to set or read
    "set own": ("ctx.needs_input_grad = (False,)", "cannot set attribute 'needs_input_grad'"),
    "read node": ("n = ctx.next_functions", "has no attribute 'next_functions'"),
    "call node": ("ctx.release()", "has no method 'release'"),
    "runaway": ("while True:\n                    pass", "loop iterations"),
}


@pytest.mark.parametrize("engine", ["adcli", "torch"])
@pytest.mark.parametrize("case", sorted(RUNTIME))
def test_ctx_keeps_to_torchs_members_and_the_budget(engine: str, case: str) -> None:
    body, message = RUNTIME[case]
    src = textwrap.dedent(f"""
        class A(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                {body}
                return g * 2
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad():
            pass
        A.apply(x).sum().backward()
        """)
    with forced(engine):
        report = run_spec(load_specs("t.yaml", text=spec_text(src))[0])
    assert report.error is not None and message in report.error.message, report.error
    assert report.internal is None
    assert report.error.line in (10, 11), report.error  # in backward (the loop body: 11)
    assert "call 1 of backward()" in (report.error.context or ""), report.error
    assert grad_mode.is_grad_enabled() and torch.is_grad_enabled()
