"""Audit: every name of adcli's torch-mirroring surface is reachable from a spec.

For each namespace adcli mirrors (top level, nn, optim, autograd and its submodules, linalg,
special, func, distributions, testing, utils.data, random, cuda/backends/accelerator), every
public class or function that adcli defines *and* torch has under the same path must be
reachable as ``torch.<path>`` in a spec: the checker resolves it, the interpreter evaluates it
to adcli's object, and calling it is charged to the run's budget. Tensor methods and
attributes are reachable as ``x.<name>``. The only exceptions are listed in ``REFUSED``, each
with the contract's reason.
"""

from __future__ import annotations

import ast
import importlib
import types
from typing import Any

import pytest

from adcli.spec.errors import SpecError
from adcli.spec.interpreter import Run
from adcli.spec.language import OpRef, SourceMap, default_vocabulary, parse_expression
from adcli.spec.loader import load_specs

torch = pytest.importorskip("torch")

NAMESPACES = [
    "", "nn", "nn.functional", "nn.init", "nn.utils", "optim", "optim.lr_scheduler",
    "optim.optimizer",
    "autograd", "autograd.functional", "autograd.forward_ad", "autograd.graph",
    "autograd.function", "linalg", "special", "func", "distributions",
    "distributions.constraints", "testing", "utils.data", "random", "cuda", "backends.mps",
    "backends.cudnn", "accelerator", "signal.windows", "mps", "xpu", "mtia", "jit",
    "distributed", "backends.cpu", "backends.mkldnn", "backends.nnpack",
]

# Names a spec must not reach, and why (contract section 3: a spec reads and writes no file,
# imports nothing, and leaves no state behind for the next spec of the process).
REFUSED = {
    # the spec's `dtype:` key sets the default dtype; a step changing it would also change
    # the float64 in which gradcheck replays the steps
    "torch.set_default_dtype",
    # not a constructor in torch either ("cannot create 'torch.dtype' instances"); dtypes are
    # reachable as values (torch.float32)
    "torch.dtype",
    # global optimizer step hooks: every later optimizer step of the process would run them
    "torch.optim.optimizer.register_optimizer_step_pre_hook",
    "torch.optim.optimizer.register_optimizer_step_post_hook",
    # memory and files adcli does not own (from_file reads a file; the others alias memory)
    "torch.frombuffer", "torch.from_file", "torch.from_dlpack", "torch.to_dlpack",
    # process-wide switches with nothing to restore them when the spec ends
    "torch.set_anomaly_enabled",
    "torch.autograd.graph.set_warn_on_accumulate_grad_stream_mismatch",
    "torch.autograd.graph.set_override_stale_capture_stream",
    # files and process-wide settings: a spec reads and writes no file and leaves no state
    "torch.save", "torch.load", "torch.compile", "torch.set_default_tensor_type",
    "torch.set_deterministic_debug_mode", "torch.set_float32_matmul_precision",
    "torch.set_flush_denormal", "torch.set_num_interop_threads", "torch.set_warn_always",
    "torch.use_deterministic_algorithms",
    # served above the engine's registry (adcli.amp, adcli.func); a spec reaches
    # torch.func.vmap, and has no autocast to ask about
    "torch.vmap", "torch.is_autocast_enabled", "torch.get_autocast_dtype",
    # the rest of the autocast state (adcli.amp), process-wide like torch's
    *(f"torch.{n}" for n in (
        "set_autocast_enabled", "set_autocast_dtype", "is_autocast_cache_enabled",
        "set_autocast_cache_enabled", "clear_autocast_cache", "autocast_increment_nesting",
        "autocast_decrement_nesting", "get_autocast_gpu_dtype", "set_autocast_gpu_dtype",
        *(f"{a}_autocast_{k}_{b}" for k in ("cpu", "ipu", "xla")
          for a, b in (("is", "enabled"), ("set", "enabled"), ("get", "dtype"),
                       ("set", "dtype"))))),
    # hands out modules (a spec names torch.cuda itself)
    "torch.get_device_module",
    # process-wide switches of torch.backends (the flags() context managers restore them)
    "torch.backends.mkldnn.set_flags", "torch.backends.nnpack.set_flags",
    # reads a file's existence before refusing (a spec reads no file)
    "torch.jit.load", "torch.jit.save",
}


def _surface() -> list[tuple[str, Any]]:
    """(``torch.<path>``, adcli object) for each public callable adcli and torch share."""
    import adcli

    out = []
    for ns in NAMESPACES:
        ours = importlib.import_module("adcli" + (f".{ns}" if ns else ""))
        try:
            theirs = importlib.import_module("torch" + (f".{ns}" if ns else ""))
        except ImportError:
            continue
        names = dir(adcli) if not ns else (getattr(ours, "__all__", None) or dir(ours))
        for name in sorted(set(names)):
            if name.startswith("_"):
                continue
            obj = getattr(ours, name, None)
            if obj is None or isinstance(obj, types.ModuleType) or not callable(obj):
                continue
            if not str(getattr(obj, "__module__", "")).startswith("adcli"):
                continue  # re-exported from elsewhere (typing.Any)
            if not hasattr(theirs, name):
                continue  # adcli's own (register_op, AdcliError, ...)
            out.append(("torch" + (f".{ns}" if ns else "") + f".{name}", obj))
    return out


SURFACE = _surface()


def test_the_surface_is_big_enough_to_mean_something() -> None:
    namespaces = {q.rsplit(".", 1)[0] for q, _ in SURFACE}
    for ns in ("torch.linalg", "torch.special", "torch.func", "torch.distributions",
               "torch.utils.data", "torch.optim.lr_scheduler", "torch.autograd.forward_ad",
               "torch.nn.init", "torch.cuda", "torch.random", "torch.testing"):
        assert ns in namespaces, ns
    assert len(SURFACE) > 400


def _run() -> Run:
    spec = load_specs("t.yaml", text="steps:\n  - x = 1\n")[0]
    return Run(spec, default_vocabulary())


def test_every_torch_name_adcli_has_is_reachable_from_a_spec(monkeypatch) -> None:
    vocab = default_vocabulary()
    run = _run()
    calls: list[Any] = []
    # the call itself is replaced (no arguments to make up), but not the interpreter's
    # decision whether the value may be called
    monkeypatch.setattr(run, "call_value",
                        lambda fn, a, k: calls.append((fn, run.callable_ok(fn))) or "called")
    missing, wrong = [], []
    for qual, obj in SURFACE:
        if qual in REFUSED:
            with pytest.raises(SpecError, match="unknown name"):
                parse_expression(f"{qual}()", SourceMap("t.yaml"), vocab, set())
            continue
        try:
            node = parse_expression(f"{qual}()", SourceMap("t.yaml"), vocab, set())
        except SpecError:
            missing.append(qual)
            continue
        assert isinstance(node, ast.Call) and isinstance(node.func, OpRef), qual
        before = run.ticks
        calls.clear()
        assert run.eval_node(node) == "called", qual
        assert run.ticks == before + 1, f"{qual}: the call was not charged"
        # the interpreter reaches adcli's object (ops may be wrapped for device=/out=)
        got, allowed = calls[0]
        assert allowed, f"{qual}: the interpreter refuses to call it"
        if got is not obj and getattr(got, "__wrapped__", None) is not obj:
            wrong.append((qual, got, obj))
    assert not missing, f"not reachable from a spec: {missing}"
    assert not wrong, wrong


def test_tensor_methods_and_attributes_torch_has_are_reachable() -> None:
    from adcli.engine.tensor import Tensor

    vocab = default_vocabulary()
    missing = []
    for name in dir(Tensor):
        if name.startswith("_") or name in ("numpy",) or not hasattr(torch.Tensor, name):
            continue  # .numpy() hands out a raw array: refused (contract section 3)
        member = getattr(Tensor, name)
        ok = vocab.has_method(name) if callable(member) and not isinstance(member, property) \
            else vocab.has_attr(name) or vocab.has_method(name)
        if not ok:
            missing.append(name)
    assert not missing, missing


def test_refusals_are_real_names() -> None:
    shared = {q for q, _ in SURFACE}
    assert shared >= REFUSED, REFUSED - shared


NAMESPACED_SRC = """
import torch.autograd.forward_ad as fwAD
from torch.utils.data import DataLoader, TensorDataset
import torch.linalg as LA
a = torch.tensor([[2.0, 0.5], [0.3, 1.5]], requires_grad=True)
d = LA.det(a)
sl = torch.linalg.slogdet(a).logabsdet
q = torch.linalg.qr(a).R
s = torch.special.expit(a).sum() + torch.special.xlogy(a, a + 1).sum()
n = torch.distributions.Normal(torch.tensor(0.0), torch.tensor(1.0))
lp = n.log_prob(a).sum()
m = (n.mean, n.stddev, list(n.batch_shape))
ent = n.entropy()
kl = torch.distributions.kl_divergence(n, torch.distributions.Normal(1.0, 2.0))
g = torch.func.grad(lambda t: (t ** 3).sum())(a)
out, vjp_fn = torch.func.vjp(torch.sin, a)
v = vjp_fn(torch.ones(2, 2))
h = torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), a)
(d + s + lp + sl).backward()
ds = TensorDataset(torch.arange(6.0), torch.arange(6.0) * 2)
loader = DataLoader(ds, batch_size=4)
batches = [xb.sum().item() for xb, yb in loader]
nb = len(loader)
opt = torch.optim.SGD([a], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
opt.step()
sched.step()
lr = sched.get_last_lr()
gen = torch.Generator()
gen.manual_seed(3)
r = torch.rand(3, generator=gen)
dev = torch.device("cpu").type
cuda = (torch.cuda.is_available(), torch.backends.mps.is_available())
torch.testing.assert_close(torch.tensor([1.0]), torch.tensor([1.0]))
with fwAD.dual_level():
    dual = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
    tangent = fwAD.unpack_dual(torch.sin(dual)).tangent
torch.manual_seed(1)
with torch.random.fork_rng():
    torch.manual_seed(5)
    forked = torch.rand(2)
after = torch.rand(2)
"""


def test_namespaced_calls_and_their_objects_match_torch() -> None:
    from flow_helpers import compare

    compare(NAMESPACED_SRC, ["d", "sl", "q", "s", "lp", "m", "ent", "kl", "g", "out", "v", "h",
                             "a.grad", "batches", "nb", "lr", "r", "dev", "cuda", "tangent",
                             "forked", "after"])


@pytest.mark.parametrize(("stmt", "message"), [
    # (linalg.eig is a close name too since it exists: the hint names det first)
    ("y = torch.linalg.dett(a)", "unknown name 'torch.linalg.dett'; did you mean "
                                 "torch.linalg.det"),
    ("y = torch.lnalg.det(a)", "did you mean torch.linalg.det?"),
    ("import torch.special as S\ny = S.expitt(a)", "unknown name 'S.expitt'; did you mean "
                                                   "S.expit?"),
    ("y = torch.distributions.Normall(0.0, 1.0)", "did you mean torch.distributions.Normal?"),
    ("y = torch.linalg.np", "unknown name 'torch.linalg.np'"),
    ("y = torch.utils.data.dataloader.os", "unknown name"),
    ("n = torch.distributions.Normal(0.0, 1.0)\ny = n._validate_args", "private attributes"),
    ("n = torch.distributions.Normal(0.0, 1.0)\ny = n.__dict__", "dunder"),
    ("l = torch.utils.data.DataLoader([1, 2])\ny = l._get_iterator()", "private attributes"),
    ("with torch.linalg.det(a):\n    y = 1", "a 'with' statement takes"),
    ("import os", "cannot import 'os'"),
    ("from torch.utils import data", "cannot import from 'torch.utils'"),
])
def test_refusals_are_located_and_hint(stmt: str, message: str) -> None:
    text = "tensors:\n  a: [[2.0, 0.5], [0.3, 1.5]]\nsteps:\n  - |\n" + \
        "".join(f"    {line}\n" for line in stmt.split("\n"))
    with pytest.raises(SpecError) as info:
        load_specs("t.yaml", text=text)
    err = info.value
    assert message in str(err), str(err)
    assert err.line >= 5 and err.column >= 5, (err.line, err.column)


def test_package_objects_keep_private_attributes_unreachable_at_run_time() -> None:
    """Even a name that gets past the checker (a public name) is read from a package object
    only if it is not private; Python objects that are not adcli's expose nothing."""
    from adcli.spec.budget import RefusedError

    run = _run()
    n = run.evaluate("torch.distributions.Normal(0.0, 1.0)")
    with pytest.raises(RefusedError):
        run.get_attr(n, "_validate_args")
    with pytest.raises(RefusedError):
        run.call_method(n, "__reduce__", [], {})
