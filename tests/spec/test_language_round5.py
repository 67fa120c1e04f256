"""Spec language, round 5: bound methods as values, ``type(x)``, ``map``/``filter`` and the
small builtins, ``{**d}``, ``except*``, run-time NameError, enum members; each compared with
the same code run by Python on torch (both engines), and the whitelist still deciding."""

from __future__ import annotations

import pytest
from flow_helpers import compare_engines, run_torch, spec_text
from test_language_round4 import _run

from adcli.spec.errors import SpecError
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")


def _refused(src: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_specs("t.yaml", text=spec_text(src))
    return info.value


BOUND = """
torch.manual_seed(0)
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
f = x.tanh
y = f()
fns = [x.sin, x.cos, x.exp]
ys = [g() for g in fns]
added = list(map(x.add, [1.0, 2.0]))
m = torch.nn.Linear(3, 2)
params = m.parameters
n_params = len(list(params()))
opt = torch.optim.SGD(m.parameters(), lr=0.1)
zero, step = opt.zero_grad, opt.step
loss = m(x).pow(2).sum()
zero()
loss.backward()
step()
w = m.weight.detach().clone()
d = torch.distributions.Normal(torch.tensor(0.0), torch.tensor(2.0))
lp = d.log_prob
lps = list(map(lp, [torch.tensor(0.5), torch.tensor(-1.0)]))
acc = []
push = acc.append
for v in range(3):
    push(v * v)
same_method = x.tanh == x.tanh
kinds = [type(x) is torch.Tensor, type(m).__name__, type(1.5).__name__,
         isinstance(x, type(x)), type(m.weight).__name__, x.__class__.__name__,
         type(opt).__name__, type(d) is torch.distributions.Normal, type(f"{1}") is str]
m2 = type(m)(3, 2)
names = [f.__name__, torch.sin.__name__, torch.nn.Linear.__name__]
"""


def test_bound_methods_and_type_match_torch_on_both_engines() -> None:
    compare_engines(BOUND, ["y", "ys", "added", "n_params", "w", "lps", "acc", "same_method",
                            "kinds", "names"])


BUILTINS = """
sq = list(map(lambda v: v * v, range(5)))
pairs = list(map(lambda a, b: a + b, [1, 2, 3], (10, 20)))
odd = list(filter(lambda v: v % 2, range(7)))
truthy = list(filter(None, [0, 1, "", "a", None, 2.5]))
words = ", ".join(map(str, [1, 2, 3]))
parts = "a b  c".split() + "k=v".split("=")
srt = sorted([3, -1, 2], key=lambda v: -v)
mn, mx = min([3, -1, 2], key=abs), max(["aa", "b"], key=len)
l = [3, 1, 2]
l.sort(reverse=True)
l.remove(2)
d = {"a": 1}
d.setdefault("b", []).append(5)
merged = {**d, "c": 3, **{"a": 0}}
s = {*[1, 2], *(2, 3)}
it = iter([10, 20])
first, second, done = next(it), next(it), next(it, "end")
has = [hasattr(torch.ones(1), "grad"), hasattr(torch.ones(1), "nope"), callable(sq),
       callable(len)]
w = list(getattr(torch.nn.Linear(2, 2), "weight").shape)
g = getattr(torch.ones(1), "nope", 7)
dm = divmod(17, 5)
sl = [0, 1, 2, 3, 4][slice(1, 4, 2)]
z = list(zip([1, 2], "ab", strict=True))
rep = "a-b".replace("-", "+")
def f(a, b=2, **kw):
    return a + b + sum(kw.values())
called = f(**{"a": 1, "c": 10})
"""


def test_small_builtins_and_unpacking_match_python() -> None:
    compare_engines(BUILTINS, ["sq", "pairs", "odd", "truthy", "words", "parts", "srt", "mn",
                               "mx", "l", "d", "merged", "s", "first", "second", "done", "has",
                               "w", "g", "dm", "sl", "z", "rep", "called"])


NAMES = """
diffs = []
for i in range(4):
    if i > 0:
        diffs.append(i - prev)
    prev = i * i
def later():
    return defined_after + 1
defined_after = 41
got = later()
try:
    never_bound_anywhere + 1
except NameError as e:
    msg = str(e)
try:
    also_never
except Exception as e:
    kind = type(e).__name__
def inner_catch():
    try:
        return missing_name
    except (KeyError, NameError) as e:
        return e.args
args = inner_catch()
"""


def test_names_bound_on_some_path_are_nameerrors_at_run_time_as_in_python() -> None:
    compare_engines(NAMES, ["diffs", "got", "msg", "kind", "args"])


def test_an_uncaught_nameerror_fails_the_step_with_pythons_message_located() -> None:
    report = _run("for i in range(2):\n    if i:\n        y = later\n    later = 1\n    "
                  "del later")
    err = report.error  # type: ignore[attr-defined]
    assert err is not None and err.message == "name 'later' is not defined"
    assert (err.line, err.column) == (5, 13) and err.context == \
        "iteration 2 of `for i in range(2)`"
    try:  # Python's own message, word for word
        exec("for i in range(2):\n    if i:\n        y = later\n    later = 1\n    del later",
             {})
    except NameError as exc:
        assert str(exc) == err.message


@pytest.mark.parametrize(("src", "fragment"), [
    ("y = qq + 1", "name 'qq' is not defined"),  # never bound: still refused at load
    ("try:\n    pass\nexcept NameError:\n    pass\ny = qq", "name 'qq' is not defined"),
    ("try:\n    qq\nexcept ValueError:\n    pass", "name 'qq' is not defined"),
    ("def f():\n    try:\n        g()\n    except NameError:\n        pass\n    def g():\n"
     "        return qq", "name 'qq' is not defined"),  # a def body is not under the try
    ("l = [k for k in range(2)]\ny = k", "name 'k' is not defined"),
])
def test_names_that_can_never_be_bound_are_still_refused_at_load(src: str,
                                                                 fragment: str) -> None:
    assert fragment in _refused(src).message


STAR = """
seen = []
try:
    raise ValueError("v")
except* ValueError as eg:
    seen.append((type(eg).__name__, eg.message, [str(e) for e in eg.exceptions]))
try:
    raise ExceptionGroup("group", [ValueError(1), TypeError(2), KeyError(3)])
except* ValueError as a:
    seen.append(("v", len(a.exceptions), a.message))
except* (TypeError, KeyError) as b:
    seen.append(("tk", len(b.exceptions)))
try:
    try:
        raise ExceptionGroup("outer", [ValueError(1), TypeError(2)])
    except* ValueError:
        seen.append("handled v")
except ExceptionGroup as rest:
    seen.append(("rest", str(rest), [type(e).__name__ for e in rest.exceptions]))
try:
    try:
        raise KeyError("k")
    except* ValueError:
        pass
except KeyError as naked:
    seen.append(("naked", repr(naked)))
try:
    torch.zeros(2) + torch.zeros(3)
except* RuntimeError as eg:
    seen.append(str(eg.exceptions[0]))
try:
    try:
        raise ValueError("x")
    except* ValueError:
        raise TypeError("from handler")
except TypeError as raised:
    seen.append(str(raised))
try:
    try:
        raise ValueError("e")
    except* ExceptionGroup:
        pass
except TypeError as bad:
    seen.append(str(bad))
"""


def test_except_star_matches_python() -> None:
    compare_engines(STAR, ["seen"])


@pytest.mark.parametrize("body", ["return 1", "break", "continue"])
def test_flow_out_of_except_star_is_refused_as_pythons_compiler_does(body: str) -> None:
    src = f"def f():\n    for i in range(2):\n        try:\n            pass\n" \
          f"        except* ValueError:\n            {body}"
    with pytest.raises(SyntaxError) as py:
        compile(src, "t", "exec")
    err = _refused(src)
    assert py.value.msg in err.message
    # inside a loop of the clause itself, break and continue are fine
    if body != "return 1":
        load_specs("t.yaml", text=spec_text(
            f"try:\n    pass\nexcept* ValueError:\n    for i in range(2):\n        {body}"))


ENUMS = """
import torch.nn.attention as attention
members = [torch.nn.attention.SDPBackend.MATH, attention.SDPBackend.FLASH_ATTENTION]
B = torch.nn.attention.SDPBackend
held = B.EFFICIENT_ATTENTION
info = [str(m) for m in members] + [held.name, held.value, members[0].name,
                                    members[0] == B.MATH]
q = torch.randn(1, 1, 3, 4)
with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
    out = torch.nn.functional.scaled_dot_product_attention(q, q, q)
"""


def test_enum_members_are_reachable_and_match_torch() -> None:
    compare_engines(ENUMS, ["info", "out"])


@pytest.mark.parametrize(("src", "fragment"), [
    ("x = torch.ones(2)\nf = x.numpy", "unknown attribute 'numpy'"),
    ("m = torch.nn.Linear(1, 1)\nf = m._apply", "private attributes"),
    ("x = torch.ones(2)\nf = x.__reduce__", "dunder names"),
    ("y = torch.nn.attention.SDPBackend._member_map_", "private attributes"),
    ("y = torch.nn.attention.SDPBackend.__members__", "dunder"),
])
def test_the_whitelist_still_decides_at_load(src: str, fragment: str) -> None:
    assert fragment in _refused(src).message


@pytest.mark.parametrize(("src", "fragment"), [
    # a held method of a value the whitelist refuses stays refused (found as a call is)
    ("f = [1].sort\ng = (1).count", "'int' object has no attribute 'count'"),
    ("meta = type(torch.nn.Linear)\nC = meta('C', (), {})", "'type' object is not callable"),
    ("C = type('C', (), {})", "type() with three arguments"),
    ("k = type(iter([]))\ny = sorted([1, 2], key=k)", "object is not callable"),
    ("y = min([1, 2], key=type(iter([])))", "object is not callable"),
    ("y = getattr(torch.ones(1), '_data')", "'Tensor' object has no attribute '_data'"),
    ("y = getattr(torch.ones(1), '__dict__')", "'Tensor' object has no attribute '__dict__'"),
    ("y = hasattr(1, 2)", "attribute name must be string, not 'int'"),
    ("y = {**[1]}", "'list' object is not a mapping"),
    ("y = torch.nn.attention.SDPBackend.name", "unknown name"),
    ("y = 'a' * 1000\nz = y.replace('a', y * 1000)", "sequence too long"),
])
def test_what_the_whitelist_refuses_at_run_time(src: str, fragment: str) -> None:
    report = _run(src)
    err = report.error  # type: ignore[attr-defined]
    assert err is not None and fragment in err.message, err


def test_a_held_backward_is_skipped_by_gradcheck_replays_like_a_call() -> None:
    from adcli.spec.language import replay_skips

    spec = load_specs("t.yaml", text=spec_text("x = torch.ones(2, requires_grad=True)\n"
                                               "b = (x * 2).sum().backward\nb()"))[0]
    stmts = spec.steps[0].statements
    assert [replay_skips(s.node) for s in stmts] == [False, True, False]
    spec = load_specs("t.yaml", text=spec_text(
        "x = torch.ones(2, requires_grad=True)\ngetattr((x * 2).sum(), 'backward')()\n"
        "g = getattr(x, 'grad')\nh = getattr(x, 'data')"))[0]
    stmts = spec.steps[0].statements
    assert [replay_skips(s.node) for s in stmts] == [False, True, True, False]


def test_python_agrees_on_the_probe_reference() -> None:
    """The references above are Python's: the same source runs under plain Python."""
    ns = run_torch(BUILTINS)
    assert ns["merged"] == {"a": 0, "b": [5], "c": 3}


STAR_RERAISE = """
out = []
def run(thunk):
    try:
        thunk()
    except BaseException as e:
        out.append((type(e).__name__, str(e), [repr(x) for x in getattr(e, "exceptions", ())]))
def a():
    try:
        raise ExceptionGroup("g", [ValueError("x"), TypeError("t")])
    except* ValueError:
        raise KeyError("k")
def b():
    try:
        raise ExceptionGroup("g", [ValueError("x"), TypeError("t")])
    except* ValueError:
        raise KeyError("k")
    except* TypeError:
        raise IndexError("i")
def c():
    try:
        raise ExceptionGroup("g", [ValueError("x"), TypeError("t")])
    except* ValueError:
        raise
def d():
    try:
        raise ValueError("x")
    except* ValueError:
        raise
def e():
    try:
        raise ExceptionGroup("g", [ValueError("x")])
    except* ValueError:
        raise TypeError("new")
for thunk in (a, b, c, d, e):
    run(thunk)
"""


def test_except_star_reraise_shapes_match_python() -> None:
    compare_engines(STAR_RERAISE, ["out"])


CTX_METHOD = """
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        save = ctx.save_for_backward
        save(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g

x = torch.tensor([1.0, -3.0], requires_grad=True)
y = Square.apply(x)
y.sum().backward()
grad = x.grad
name = y.grad_fn.name()
"""


def test_a_ctx_method_held_as_a_value() -> None:
    compare_engines(CTX_METHOD, ["y.detach()", "grad", "name"])


def test_a_name_a_later_step_binds_is_looked_up_when_it_runs() -> None:
    text = ("steps:\n  - |\n    def f():\n        return scale * 2\n"
            "    try:\n        early = f()\n    except NameError as e:\n        early = str(e)\n"
            "  - scale = 21\n  - late = f()\n  - 'never = unbound_anywhere'\n")
    with pytest.raises(SpecError, match="name 'unbound_anywhere' is not defined"):
        load_specs("t.yaml", text=text)
    spec = load_specs("t.yaml", text=text.replace("  - 'never = unbound_anywhere'\n", ""))[0]
    from adcli.spec.interpreter import execute

    run = execute(spec)
    ns: dict[str, object] = {}
    exec("def f():\n    return scale * 2\ntry:\n    early = f()\nexcept NameError as e:\n"
         "    early = str(e)\nscale = 21\nlate = f()\n", ns)
    assert (run.evaluate("early"), run.evaluate("late")) == (ns["early"], ns["late"])


FORMATTING = """
x = torch.tensor(0.123456)
w = torch.tensor([1.5, -2.5])
lines = ['[%d, %5d] loss: %.3f' % (1, 20, x), '%(a)s-%(b)05.1f' % {"a": 1, "b": 2.25},
         '%s' % w, 'Epoch {}: loss {:.4f} {name!r}'.format(3, x, name="n"),
         '{0}/{1} {0}'.format(1, 2), format(3.14159, ".2f"), format(x, ".3e")]
s = 'step %d'
s %= 7
fmt = '{:>6.2f}|'.format
padded = fmt(2.5)
"""


def test_percent_and_format_strings_match_python() -> None:
    compare_engines(FORMATTING, ["lines", "s", "padded"])


@pytest.mark.parametrize(("src", "fragment"), [
    ("s = '{0.real}'.format(1)", "attribute and item lookups in a format string"),
    ("s = '{a[0]}'.format(a=[1])", "attribute and item lookups in a format string"),
    ("s = '{:{w}}'.format(1, w=5)", "this format specification is not allowed"),
    ("s = '%.1000f' % 1.0", "widths and precisions go up to 999"),
    ("s = format(1, '>1000')", "this format specification is not allowed"),
])
def test_format_strings_are_bounded_and_reach_nothing_the_whitelist_refuses(
        src: str, fragment: str) -> None:
    report = _run(src)
    err = report.error  # type: ignore[attr-defined]
    assert err is not None and fragment in err.message, err


SLICES = """
l = [0, 1, 2, 3, 4]
l[1:3] = ["a", "b", "c"]
m = [0, 1, 2, 3, 4, 5]
m[::2] = (9, 9, 9)
n = [1, 2, 3]
n[1:] = (v * 10 for v in range(4))
try:
    m[::2] = [1]
except ValueError as e:
    msg = str(e)
"""


def test_list_slice_assignment_matches_python() -> None:
    compare_engines(SLICES, ["l", "m", "n", "msg"])


GRADCHECKED = """\
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - |
    f = x.sin
    ys = list(map(lambda g: g * 2, [f(), x.cos()]))
    y = ys[0] + ys[1]
    scale = {**{"a": 2.0}, "b": 3.0}
    z = (y * scale["b"]).sum()
    line = '%.4f' % z + ' {:.2f}'.format(z)
gradcheck:
  - of: z
    wrt: [x]
"""


def test_gradcheck_sees_through_bound_methods_map_and_unpacking() -> None:
    from adcli.check.spec_checks import check_spec

    (c,) = check_spec(load_specs("t.yaml", text=GRADCHECKED)[0])
    assert c.ok and c.report is not None and c.report.max_abs_error < 1e-6, c.to_dict()


MODULE_ATTRS = """
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
model.head = torch.nn.Linear(3, 2)
model.scale = 2.0
names = [n for n, _ in model.named_parameters()]
out = model(torch.ones(1, 4)) * model.scale  # (Sequential runs head too, as torch)
model.head.weight.requires_grad = False
frozen = [p.requires_grad for p in model.parameters()]
try:
    model.head.weight = 5
except TypeError as e:
    msg = str(e)
"""


def test_a_modules_attributes_may_be_set_as_in_torch() -> None:
    compare_engines(MODULE_ATTRS, ["names", "out", "frozen", "msg"])


@pytest.mark.parametrize(("src", "fragment"), [
    ("x = torch.ones(1)\nx.foo = 1", "cannot set attribute 'foo' of Tensor"),
    ("o = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=1)\no.lr = 2",
     "cannot set attribute 'lr' of SGD"),
])
def test_attributes_of_other_objects_stay_read_only(src: str, fragment: str) -> None:
    err = _run(src).error  # type: ignore[attr-defined]
    assert err is not None and fragment in err.message, err
