"""``nn.Module`` / ``nn.Parameter`` protocol against torch: registration, traversal, modes,
conversion, state_dict loading and its errors, hooks, containers, and a training loop."""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli import nn  # noqa: E402

RNG = np.random.default_rng(99)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _same_error(a_fn: Any, t_fn: Any) -> None:
    with pytest.raises(Exception) as te:
        t_fn()
    with pytest.raises(Exception) as ae:
        a_fn()
    assert type(ae.value) is type(te.value), (ae.value, te.value)
    assert str(ae.value) == str(te.value)


def _nested(N: Any) -> Any:
    shared = N.Linear(2, 2)

    class Block(N.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = N.Linear(3, 2)
            self.act = N.ReLU()
            self.shared = shared
            self.register_buffer("scale", lib(N).ones(2))
            self.register_buffer("tmp", lib(N).zeros(1), persistent=False)
            self.alpha = N.Parameter(lib(N).tensor(0.5))
            self.plain = 3

        def forward(self, x: Any) -> Any:
            return self.shared(self.act(self.fc(x))) * self.scale * self.alpha

    class Net(N.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = N.ModuleList([Block(), Block()])
            self.head = N.Sequential(OrderedDict([("lin", N.Linear(2, 1)), ("out", N.Tanh())]))
            self.extra = shared
            self.none_child = None
            self.register_parameter("unused", None)

        def forward(self, x: Any) -> Any:
            for b in self.blocks:
                x = b(x) if x.shape[-1] == 3 else x
            return self.head(x)

    return Net()


def lib(N: Any) -> Any:
    return torch if N is torch.nn else adcli


def test_traversal_matches_torch() -> None:
    t, a = _nested(torch.nn), _nested(nn)
    assert [n for n, _ in a.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in a.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in a.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in a.named_parameters(recurse=False)] == \
        [n for n, _ in t.named_parameters(recurse=False)]
    assert [n for n, _ in a.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in a.named_children()] == [n for n, _ in t.named_children()]
    assert len(list(a.parameters())) == len(list(t.parameters()))
    assert len(list(a.modules())) == len(list(t.modules()))
    assert list(a.state_dict()) == list(t.state_dict())
    assert list(a.state_dict(prefix="m.")) == list(t.state_dict(prefix="m."))
    assert a.state_dict()._metadata == t.state_dict()._metadata
    assert repr(a) == repr(t)
    assert a.get_submodule("blocks.1.fc") is a.blocks[1].fc
    assert a.get_parameter("blocks.0.alpha") is a.blocks[0].alpha
    assert a.get_buffer("blocks.0.scale") is a.blocks[0].scale
    assert [k for k in dir(a) if not k.startswith("_")] == \
        [k for k in dir(t) if not k.startswith("_") and k in dir(a)]
    order_a: list[str] = []
    order_t: list[str] = []
    a.apply(lambda m: order_a.append(type(m).__name__))
    t.apply(lambda m: order_t.append(type(m).__name__))
    assert order_a == order_t


def test_setattr_rules_and_errors_match_torch() -> None:
    def cases(N: Any) -> list[Any]:
        L = lib(N)
        m = N.Linear(2, 2)
        return [
            lambda: setattr(m, "weight", L.zeros(2, 2)),
            lambda: setattr(m, "weight", 3),
            lambda: m.register_parameter("a.b", None),
            lambda: m.register_parameter("", None),
            lambda: m.register_parameter("in_features", None),
            lambda: m.register_parameter("w", L.zeros(2)),
            lambda: m.register_parameter(3, None),
            lambda: m.register_parameter("w", N.Parameter(L.zeros(2)) * 2),
            lambda: m.register_buffer("b", 3),
            lambda: m.register_buffer("a.b", None),
            lambda: m.add_module("x", 3),
            lambda: m.add_module("a.b", N.ReLU()),
            lambda: m.nonexistent,
            lambda: N.Module(3),
            lambda: N.Module(foo=1),
            lambda: N.Module()(1),
            lambda: m.train("yes"),
            lambda: N.Sequential(N.ReLU())[3],
            lambda: N.ModuleList([N.ReLU()])[-2],
        ]

    for a_fn, t_fn in zip(cases(nn), cases(torch.nn)):
        _same_error(a_fn, t_fn)


def test_attribute_reassignment_moves_between_stores() -> None:
    for N, L in ((nn, adcli), (torch.nn, torch)):
        m = N.Module()
        m.x = N.Parameter(L.zeros(1))
        assert "x" in m._parameters
        m.x = None
        assert m._parameters["x"] is None
        m.y = N.ReLU()
        m.y = None
        assert m._modules["y"] is None
        m.register_buffer("buf", L.zeros(1))
        m.buf = L.ones(1)
        assert m._buffers["buf"].sum().item() == 1
        del m.buf
        assert "buf" not in m._buffers
        m.z = 3
        assert m.z == 3 and "z" not in m._parameters


def test_modes_grads_and_conversion() -> None:
    t, a = _nested(torch.nn), _nested(nn)
    a.eval()
    t.eval()
    assert [m.training for m in a.modules()] == [m.training for m in t.modules()]
    a.blocks.train()
    t.blocks.train()
    assert [m.training for m in a.modules()] == [m.training for m in t.modules()]
    a.requires_grad_(False)
    assert not any(p.requires_grad for p in a.parameters())
    a.requires_grad_()
    x = adcli.ones(4, 3)
    a(x).sum().backward()
    assert all(p.grad is not None for n, p in a.named_parameters() if "head" in n)
    a.zero_grad(set_to_none=False)
    grads = [p.grad for p in a.parameters() if p.grad is not None]
    assert grads and all(float(g.abs().sum()) == 0.0 for g in grads)
    a.zero_grad()
    assert all(p.grad is None for p in a.parameters())
    # .double(): the same Parameter objects, float64 data; integer buffers untouched.
    w = a.head.lin.weight
    a(x).sum().backward()
    a.double()
    assert a.head.lin.weight is w and w.dtype == adcli.float64 and w.grad.dtype == adcli.float64
    assert a.blocks[0].scale.dtype == adcli.float64
    a.to(adcli.float32)
    assert w.dtype == adcli.float32
    a.to("cpu").cpu().float()
    bn = nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype == adcli.int64
    _same_error(lambda: nn.Linear(1, 1).to(adcli.int64), lambda: torch.nn.Linear(1, 1).to(
        torch.int64))
    # Devices as a CPU-only torch: "cpu" works, CUDA fails with torch's CPU-build error.
    lin = nn.Linear(2, 2).to(adcli.device("cpu")).to("cpu", adcli.float64)
    assert lin.weight.dtype == adcli.float64
    for how in (lambda L: L.nn.Linear(1, 1).to("cuda"), lambda L: L.nn.Linear(1, 1).cuda(),
                lambda L: L.nn.Linear(1, 1).to(L.device("cuda:0"))):
        _same_error(lambda how=how: how(adcli), lambda how=how: how(torch))


def test_load_state_dict_and_its_errors_match_torch() -> None:
    def cases(N: Any) -> list[Any]:
        L = lib(N)
        m = N.Sequential(N.Linear(2, 3), N.BatchNorm1d(3))
        good = {k: v.clone() for k, v in N.Sequential(N.Linear(2, 3),
                                                      N.BatchNorm1d(3)).state_dict().items()}
        missing = dict(good)
        del missing["0.bias"]
        extra = dict(good, **{"2.weight": L.zeros(1), "junk": L.zeros(1)})
        wrong = dict(good, **{"0.weight": L.zeros(3, 3)})
        not_tensor = dict(good, **{"0.bias": [1.0, 2.0, 3.0]})
        return [
            lambda: m.load_state_dict(missing),
            lambda: m.load_state_dict(extra),
            lambda: m.load_state_dict(wrong),
            lambda: m.load_state_dict(not_tensor),
            lambda: m.load_state_dict([1]),
        ]

    for a_fn, t_fn in zip(cases(nn), cases(torch.nn)):
        _same_error(a_fn, t_fn)
    t = torch.nn.Linear(2, 3)
    a = nn.Linear(2, 3)
    res_t = t.load_state_dict({"weight": t.weight.detach() * 2}, strict=False)
    res_a = a.load_state_dict({"weight": adcli.tensor(_np(t.weight))}, strict=False)
    assert repr(res_a) == repr(res_t)
    np.testing.assert_array_equal(_np(a.weight), _np(t.weight))
    ok_a = a.load_state_dict({k: adcli.tensor(_np(v)) for k, v in t.state_dict().items()})
    ok_t = t.load_state_dict(t.state_dict())
    assert repr(ok_a) == repr(ok_t) == "<All keys matched successfully>"
    # A checkpoint without num_batches_tracked (no metadata) still loads, as torch.
    bn_sd = {k: v for k, v in nn.BatchNorm1d(2).state_dict().items() if "num_batches" not in k}
    nn.BatchNorm1d(2).load_state_dict(bn_sd)
    # assign=True replaces the parameters.
    new_w = adcli.ones(3, 2)
    a.load_state_dict({"weight": new_w, "bias": adcli.zeros(3)}, assign=True)
    assert isinstance(a.weight, nn.Parameter) and a.weight.requires_grad
    # keep_vars keeps the Parameter objects.
    assert a.state_dict(keep_vars=True)["weight"] is a.weight
    assert not isinstance(a.state_dict()["weight"], nn.Parameter)


def test_parameter_matches_torch() -> None:
    data = RNG.standard_normal((2, 3)).astype(np.float32)
    ap, tp = nn.Parameter(adcli.tensor(data)), torch.nn.Parameter(torch.tensor(data))
    assert repr(ap) == repr(tp)
    assert repr(nn.Parameter(adcli.tensor([1.0, 2.0]), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False))
    assert ap.is_leaf and ap.requires_grad and ap.grad_fn is None
    y = ap * 2
    assert type(y) is adcli.Tensor and type(ap) is nn.Parameter
    assert type(torch.nn.Parameter(torch.zeros(1)) * 2) is torch.Tensor
    assert nn.Parameter().shape == torch.nn.Parameter().shape
    # The parameter shares the tensor's storage, as torch's.
    base = adcli.zeros(3)
    p = nn.Parameter(base)
    with adcli.no_grad():
        p.add_(1)
    assert base.tolist() == [1.0, 1.0, 1.0]
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q is not p
    with adcli.no_grad():
        q.add_(1)
    assert p.tolist() == [1.0, 1.0, 1.0]
    m = nn.Linear(2, 2)
    m2 = copy.deepcopy(m)
    assert m2.weight is not m.weight and isinstance(m2.weight, nn.Parameter)
    np.testing.assert_array_equal(_np(m2.weight), _np(m.weight))


def test_containers_match_torch() -> None:
    def build(N: Any) -> list[Any]:
        L = lib(N)
        seq = N.Sequential(N.Linear(1, 2), N.ReLU(), N.Tanh(), N.Sigmoid())
        out = [seq[1:3], seq[-1]]
        del seq[1]
        seq.append(N.ELU())
        seq.insert(0, N.Identity())
        out += [seq, len(seq), seq + N.Sequential(N.ReLU())]
        ml = N.ModuleList([N.ReLU(), N.ReLU(), N.Tanh(), N.ReLU(), N.ReLU()])
        ml.extend([N.Linear(2, 2)])
        ml.insert(1, N.Tanh())
        out += [ml, ml[1:3], ml.pop(0), ml]
        md = N.ModuleDict({"b": N.ReLU(), "a": N.Linear(1, 1)})
        md["c"] = N.Tanh()
        md.update([("d", N.Sigmoid())])
        out += [md, list(md.keys()), md.pop("b"), md]
        pl = N.ParameterList([N.Parameter(L.zeros(2, 3)), L.ones(4)])
        pl.append(N.Parameter(L.zeros(1, dtype=L.float64)))
        pd = N.ParameterDict({"w": N.Parameter(L.zeros(2)), "v": L.ones(1, 2)})
        out += [pl, len(pl), pd, list(pd.keys()),
                [n for n, _ in N.Sequential(pl, N.Linear(1, 1)).named_parameters()]]
        return out

    for a, t in zip(build(nn), build(torch.nn)):
        assert repr(a) == repr(t)


def test_forward_hooks_match_torch() -> None:
    def run(N: Any) -> Any:
        L = lib(N)
        m = N.Linear(3, 2).double()
        with L.no_grad():
            m.weight.copy_(L.tensor(W))
            m.bias.copy_(L.tensor(B))
        seen: list[Any] = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args, kw: seen.append(sorted(kw)),
                                    with_kwargs=True)
        h3 = m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(lambda mod, args, out: seen.append(out.shape), prepend=True)
        y1 = m(L.tensor(X))
        h1.remove()
        h3.remove()
        y2 = m(L.tensor(X))
        return y1.detach().numpy(), y2.detach().numpy(), [list(s) for s in seen]

    W, B, X = RNG.standard_normal((2, 3)), RNG.standard_normal(2), RNG.standard_normal((4, 3))
    ra, rt = run(nn), run(torch.nn)
    np.testing.assert_allclose(ra[0], rt[0], rtol=1e-12)
    np.testing.assert_allclose(ra[1], rt[1], rtol=1e-12)
    assert ra[2] == rt[2]


def test_full_backward_hooks_match_torch() -> None:
    W, X = RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3))

    def run(N: Any, needs_input_grad: bool) -> Any:
        L = lib(N)
        m = N.Linear(3, 2, bias=False).double()
        with L.no_grad():
            m.weight.copy_(L.tensor(W))
        record: list[Any] = []

        def hook(mod: Any, gin: Any, gout: Any) -> Any:
            record.append(("hook", [None if g is None else g.detach().numpy().copy()
                                    for g in gin], [g.detach().numpy().copy() for g in gout]))
            if gin[0] is not None:
                return (gin[0] * 3,)
            return None

        def pre(mod: Any, gout: Any) -> Any:
            record.append(("pre", [g.detach().numpy().copy() for g in gout]))
            return (gout[0] * 0.5,)

        m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(pre)
        x = L.tensor(X, requires_grad=needs_input_grad)
        y = m(x)
        name = y.grad_fn.name()
        (y * L.tensor(np.arange(8.0).reshape(4, 2))).sum().backward()
        return record, name, None if x.grad is None else x.grad.numpy(), m.weight.grad.numpy()

    for needs in (True, False):
        ra, rt = run(nn, needs), run(torch.nn, needs)
        assert ra[1] == rt[1] == "BackwardHookFunctionBackward"
        assert [e[0] for e in ra[0]] == [e[0] for e in rt[0]]
        for ea, et in zip(ra[0], rt[0]):
            for ga, gt in zip(ea[1:], et[1:]):
                assert len(ga) == len(gt)
                for a, t in zip(ga, gt):
                    assert (a is None) == (t is None)
                    if a is not None:
                        np.testing.assert_allclose(a, t, rtol=1e-12)
        if needs:
            np.testing.assert_allclose(ra[2], rt[2], rtol=1e-12)
        np.testing.assert_allclose(ra[3], rt[3], rtol=1e-12)


def test_import_adcli_as_torch_training_loop() -> None:
    """A tutorial-style model and loop, written once, run on both libraries."""
    X = RNG.standard_normal((8, 1, 6, 6))
    Y = np.array([0, 1, 2, 1, 0, 2, 2, 1])

    def program(T: Any, init: dict[str, np.ndarray] | None) -> tuple[Any, list[float]]:
        nn_ = T.nn

        class Net(nn_.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv = nn_.Conv2d(1, 4, 3, padding=1)
                self.bn = nn_.BatchNorm2d(4)
                self.pool = nn_.MaxPool2d(2)
                self.flat = nn_.Flatten()
                self.fc = nn_.Linear(4 * 3 * 3, 3)
                self.drop = nn_.Dropout(0.0)

            def forward(self, x: Any) -> Any:
                x = self.pool(T.relu(self.bn(self.conv(x))))
                return self.fc(self.drop(self.flat(x)))

        model = Net().double()
        if init is not None:
            model.load_state_dict({k: T.tensor(v) for k, v in init.items()})
        opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        loss_fn = nn_.CrossEntropyLoss()
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = loss_fn(model(T.tensor(X)), T.tensor(Y))
            loss.backward()
            T.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
        return model, losses

    # torch's own initial weights (after a first run) are the start of both runs.
    tm, _ = program(torch, None)
    start = {k: v.numpy().copy() for k, v in tm.state_dict().items()}
    tm2, tl2 = program(torch, start)
    am, al = program(adcli, start)
    np.testing.assert_allclose(al, tl2, rtol=1e-10)
    tsd = tm2.state_dict()
    for k, v in am.state_dict().items():
        np.testing.assert_allclose(v.numpy(), tsd[k].numpy(), rtol=1e-9, atol=1e-12, err_msg=k)
