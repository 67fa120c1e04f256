"""RNN, LSTM, GRU and their cells against torch 2.13: same-seed initial parameters, repr,
state_dict, outputs, gradients (inputs, initial states, every parameter), grad_fn names and
graph structure, dropout between layers, error texts, a few optimizer steps; gradcheck.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import node_names as _names  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(2026)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _flat(out: Any) -> list[Any]:
    if isinstance(out, tuple | list):
        return [t for o in out for t in _flat(o)]
    return [out]


# (class, constructor kwargs, input shape, states: None or a list of shapes, flags)
CELLS = [
    ("RNNCell", {}, (3, 4), None),
    ("RNNCell", {"nonlinearity": "relu", "bias": False}, (3, 4), [(3, 5)]),
    ("RNNCell", {}, (4,), [(5,)]),  # unbatched
    ("LSTMCell", {}, (3, 4), None),
    ("LSTMCell", {"bias": False}, (3, 4), [(3, 5), (3, 5)]),
    ("LSTMCell", {}, (4,), [(5,), (5,)]),
    ("GRUCell", {}, (3, 4), [(3, 5)]),
    ("GRUCell", {"bias": False}, (4,), None),
]
LAYERS = [
    ("RNN", {}, (6, 3, 4), None),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}, (5, 2, 4), [(2, 2, 5)]),
    ("RNN", {"bidirectional": True, "bias": False}, (4, 3, 4), None),
    ("RNN", {"batch_first": True, "num_layers": 2, "bidirectional": True}, (3, 4, 4),
     [(4, 3, 5)]),
    ("RNN", {}, (5, 4), [(1, 5)]),  # unbatched
    ("LSTM", {}, (6, 3, 4), None),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, (4, 2, 4), [(4, 2, 5), (4, 2, 5)]),
    ("LSTM", {"batch_first": True, "bias": False}, (2, 5, 4), None),
    ("LSTM", {"proj_size": 3, "num_layers": 2}, (4, 2, 4), [(2, 2, 3), (2, 2, 5)]),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "batch_first": True}, (2, 3, 4), None),
    ("LSTM", {"num_layers": 2}, (5, 4), [(2, 5), (2, 5)]),  # unbatched
    ("GRU", {}, (6, 3, 4), None),
    ("GRU", {"num_layers": 3, "bidirectional": True}, (3, 2, 4), [(6, 2, 5)]),
    ("GRU", {"batch_first": True}, (2, 4, 4), [(1, 2, 5)]),
    ("GRU", {"bidirectional": True}, (4, 4), None),  # unbatched
]


def _id(case: tuple) -> str:
    name, kw, shape, states = case
    extra = ",".join(f"{k}={v}" for k, v in kw.items())
    return f"{name}({extra})-{'x'.join(map(str, shape))}{'-h0' if states else ''}"


def _make(lib: Any, name: str, kw: dict[str, Any], seed: int = 7) -> Any:
    lib.manual_seed(seed)
    return getattr(lib.nn, name)(4, 5, **kw).double()


def _inputs(lib: Any, shape: tuple, states: list | None, arrays: list[np.ndarray]) -> list[Any]:
    ts = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    if states is None:
        return ts[:1]
    if len(states) == 1:
        return [ts[0], ts[1]]
    return [ts[0], (ts[1], ts[2])]


def _arrays(shape: tuple, states: list | None) -> list[np.ndarray]:
    return [RNG.standard_normal(s) for s in [shape, *(states or [])]]


def _compare(case: tuple) -> None:
    name, kw, shape, states = case
    tm, am = _make(torch, name, kw), _make(adcli, name, kw)
    # Same seed, same initial parameters: reset_parameters draws what torch draws.
    assert repr(am) == repr(tm)
    tsd, asd = tm.state_dict(), am.state_dict()
    assert list(asd) == list(tsd)
    for k in tsd:
        np.testing.assert_array_equal(asd[k].numpy(), tsd[k].numpy(), err_msg=k)
    arrays = _arrays(shape, states)
    targs, aargs = _inputs(torch, shape, states, arrays), _inputs(adcli, shape, states, arrays)
    tout, aout = _flat(tm(*targs)), _flat(am(*aargs))
    assert len(aout) == len(tout)
    for a, t in zip(aout, tout):
        assert tuple(a.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-12, atol=1e-13)
    weights = [RNG.standard_normal(tuple(t.shape)) for t in tout]
    sum((t * torch.tensor(w)).sum() for t, w in zip(tout, weights)).backward()
    sum((a * adcli.tensor(w)).sum() for a, w in zip(aout, weights)).backward()
    for a, t in zip(_flat(aargs), _flat(targs)):
        np.testing.assert_allclose(_np(a.grad), _np(t.grad), rtol=1e-10, atol=1e-12)
    tp = dict(tm.named_parameters())
    for pname, p in am.named_parameters():
        np.testing.assert_allclose(_np(p.grad), _np(tp[pname].grad), rtol=1e-10, atol=1e-12,
                                   err_msg=pname)
    return tout, aout


@pytest.mark.parametrize("case", CELLS, ids=_id)
def test_cell_matches_torch_values_grads_and_graph(case: tuple) -> None:
    tout, aout = _compare(case)
    # The cells record the ops torch's CPU cells record: the whole graph, node by node.
    for a, t in zip(aout, tout):
        assert a.grad_fn.name() == t.grad_fn.name()
        assert _names(a.grad_fn) == _names(t.grad_fn)


@pytest.mark.parametrize("case", LAYERS, ids=_id)
def test_layer_matches_torch_values_and_grads(case: tuple) -> None:
    tout, aout = _compare(case)
    for a, t in zip(aout, tout):
        # (with batch_first torch transposes the RNN/GRU output back in place:
        # TransposeBackward1, as adcli's transpose_)
        # float64: torch records its composite path (LSTM too; float32 LSTM is fused, below)
        assert a.grad_fn.name() == t.grad_fn.name()
        assert _names(a.grad_fn) == _names(t.grad_fn)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_draws_torch_masks(name: str) -> None:
    kw = {"num_layers": 3, "dropout": 0.4, "bidirectional": True}
    tm, am = _make(torch, name, kw), _make(adcli, name, kw)
    x = RNG.standard_normal((5, 2, 4))
    for seed in (0, 11):
        torch.manual_seed(seed)
        adcli.manual_seed(seed)
        tx = torch.tensor(x, requires_grad=True)
        ax = adcli.tensor(x, requires_grad=True)
        tout, aout = _flat(tm(tx)), _flat(am(ax))
        for a, t in zip(aout, tout):
            np.testing.assert_allclose(_np(a), _np(t), rtol=1e-12, atol=1e-13)
        tout[0].sum().backward()
        aout[0].sum().backward()
        np.testing.assert_allclose(_np(ax.grad), _np(tx.grad), rtol=1e-10, atol=1e-12)
        # the generators agree afterwards too
        np.testing.assert_array_equal(adcli.rand(3).numpy(), torch.rand(3).numpy())
    tm.eval()
    am.eval()
    np.testing.assert_allclose(_np(am(adcli.tensor(x))[0]), _np(tm(torch.tensor(x))[0]),
                               rtol=1e-12, atol=1e-13)


def test_lstm_float32_matches_torch_fused_kernel() -> None:
    """torch runs float32 LSTM through oneDNN (MkldnnRnnLayerBackward0); adcli records the cell
    ops. Values and gradients agree to float32 rounding."""
    torch.manual_seed(3)
    adcli.manual_seed(3)
    tm, am = torch.nn.LSTM(4, 6, num_layers=2), adcli.nn.LSTM(4, 6, num_layers=2)
    x = RNG.standard_normal((7, 3, 4)).astype(np.float32)
    tx, ax = torch.tensor(x, requires_grad=True), adcli.tensor(x, requires_grad=True)
    tout, aout = _flat(tm(tx)), _flat(am(ax))
    assert tout[0].grad_fn.name() == "MkldnnRnnLayerBackward0"
    for a, t in zip(aout, tout):
        assert a.dtype == adcli.float32
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-5, atol=1e-6)
    sum(t.sum() for t in tout).backward()
    sum(a.sum() for a in aout).backward()
    np.testing.assert_allclose(_np(ax.grad), _np(tx.grad), rtol=1e-4, atol=1e-5)
    for (n, p), q in zip(am.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-4, atol=1e-5, err_msg=n)


def _params_as_args(module: Any) -> tuple[list[str], tuple[Any, ...]]:
    names = [n for n, _ in module.named_parameters()]
    return names, tuple(p.detach().clone().requires_grad_(True) for p in module.parameters())


@pytest.mark.parametrize("case", [CELLS[0], CELLS[4], CELLS[6], LAYERS[1], LAYERS[3],
                                  LAYERS[6], LAYERS[8], LAYERS[12]], ids=_id)
def test_module_gradcheck(case: tuple) -> None:
    name, kw, shape, states = case
    m = _make(adcli, name, kw)
    names, params = _params_as_args(m)
    arrays = _arrays(shape, states)
    xs = tuple(adcli.tensor(a, dtype=adcli.float64, requires_grad=True) for a in arrays)

    def fn(*args: Any) -> Any:
        saved = dict(m._parameters)
        m._parameters.update(zip(names, args[len(xs):]))
        try:
            if len(xs) == 3:  # LSTM / LSTMCell take (h_0, c_0) as one argument
                return tuple(_flat(m(args[0], (args[1], args[2]))))
            return tuple(_flat(m(*args[:len(xs)])))
        finally:
            m._parameters.update(saved)

    report = adcli.gradcheck(fn, xs + params)
    assert report.ok, report.error or [p for p in report.pairs if not p.ok]
    # and torch's own gradcheck contract: adcli.autograd.gradcheck returns True
    assert adcli.autograd.gradcheck(fn, xs + params)


def test_functional_forms_match_torch() -> None:
    x, h, c = (RNG.standard_normal(s) for s in ((3, 4), (3, 5), (3, 5)))
    w_ih, w_hh, b_ih, b_hh = (RNG.standard_normal(s) for s in ((20, 4), (20, 5), (20,), (20,)))

    def run(lib: Any) -> list[np.ndarray]:
        T = [lib.tensor(a) for a in (x, h, c, w_ih, w_hh, b_ih, b_hh)]
        out = list(lib.lstm_cell(T[0], (T[1], T[2]), *T[3:]))
        out.append(lib.gru_cell(T[0], T[1], T[3][:15], T[4][:15], T[5][:15], T[6][:15]))
        out.append(lib.rnn_tanh_cell(T[0], T[1], T[3][:5], T[4][:5], T[5][:5], T[6][:5]))
        out.append(lib.rnn_relu_cell(T[0], T[1], T[3][:5], T[4][:5]))
        seq = T[0].unsqueeze(0).expand(2, 3, 4)
        out += list(lib.gru(seq, T[1].unsqueeze(0), [T[3][:15], T[4][:15]], False, 1, 0.0,
                            False, False, False))
        out += list(lib.lstm(seq, (T[1].unsqueeze(0), T[2].unsqueeze(0)), T[3:], True, 1, 0.0,
                             False, False, False))
        out += list(lib.rnn_tanh(seq, T[1].unsqueeze(0), [w[:5] for w in T[3:]], True, 1, 0.0,
                                 False, False, False))
        return [o.numpy() for o in out]

    for a, t in zip(run(adcli), run(torch)):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-13)
    ta = torch.arange(12.0).reshape(2, 6).requires_grad_()
    aa = adcli.arange(12.0).reshape(2, 6).requires_grad_()
    for tp, ap in zip(torch.unsafe_chunk(ta, 4, 1), adcli.unsafe_chunk(aa, 4, 1)):
        assert tuple(ap.shape) == tuple(tp.shape) and ap.grad_fn.name() == tp.grad_fn.name()
    assert [tuple(p.shape) for p in aa.unsafe_split(4, 1)] == [(2, 4), (2, 2)]


def test_all_weights_and_flatten_parameters() -> None:
    kw = {"num_layers": 2, "bidirectional": True, "proj_size": 2}
    tm, am = _make(torch, "LSTM", kw), _make(adcli, "LSTM", kw)
    assert am._flat_weights_names == tm._flat_weights_names
    assert [[tuple(p.shape) for p in ws] for ws in am.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in tm.all_weights]
    assert all(a is b for a, b in zip(am.all_weights[1], [am.weight_ih_l0_reverse,
                                                          am.weight_hh_l0_reverse,
                                                          am.bias_ih_l0_reverse,
                                                          am.bias_hh_l0_reverse,
                                                          am.weight_hr_l0_reverse]))
    assert am.flatten_parameters() is None
    # a replaced parameter is what forward uses (torch's _flat_weights follow setattr)
    am.weight_ih_l0 = adcli.nn.Parameter(adcli.zeros(20, 4, dtype=adcli.float64))
    tm.weight_ih_l0 = torch.nn.Parameter(torch.zeros(20, 4, dtype=torch.float64))
    x = RNG.standard_normal((3, 1, 4))
    np.testing.assert_allclose(_np(am(adcli.tensor(x))[0]), _np(tm(torch.tensor(x))[0]),
                               rtol=1e-12)


def _error(fn: Any) -> tuple[str, str]:
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__mro__, str(info.value)


def test_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        N = lib.nn
        f64 = lib.float64
        rnn = N.RNN(4, 5).double()
        lstm = N.LSTM(4, 5, num_layers=2).double()
        cell = N.GRUCell(4, 5).double()
        lcell = N.LSTMCell(4, 5).double()
        return [
            lambda: rnn(lib.zeros(2, 3, 3, dtype=f64)),
            lambda: rnn(lib.zeros(2, 3, 4, dtype=f64), lib.zeros(1, 2, 5, dtype=f64)),
            lambda: rnn(lib.zeros(2, 3, 4, dtype=f64), lib.zeros(3, 5, dtype=f64)),
            lambda: rnn(lib.zeros(3, 4, dtype=f64), lib.zeros(1, 1, 5, dtype=f64)),
            lambda: rnn(lib.zeros(2, 2, 3, 4, dtype=f64)),
            lambda: rnn(lib.zeros(2, 3, 4)),  # float32 input, float64 weights
            lambda: lstm(lib.zeros(2, 3, 4, dtype=f64), (lib.zeros(2, 3, 5, dtype=f64),
                                                         lib.zeros(2, 3, 4, dtype=f64))),
            lambda: lstm(lib.zeros(2, 3, 4, dtype=f64), (lib.zeros(2, 3, 5, dtype=f64),
                                                         lib.zeros(3, 5, dtype=f64))),
            lambda: lstm(lib.zeros(3, 4, dtype=f64), (lib.zeros(2, 3, 5, dtype=f64),
                                                      lib.zeros(2, 5, dtype=f64))),
            lambda: cell(lib.zeros(2, 3, dtype=f64)),
            lambda: cell(lib.zeros(2, 4, dtype=f64), lib.zeros(3, 5, dtype=f64)),
            lambda: cell(lib.zeros(2, 4, dtype=f64), lib.zeros(2, 4, dtype=f64)),
            lambda: cell(lib.zeros(2, 2, 4, dtype=f64)),
            lambda: cell(lib.zeros(2, 4, dtype=f64), lib.zeros(1, 2, 5, dtype=f64)),
            lambda: lcell(lib.zeros(2, 4, dtype=f64), (lib.zeros(2, 5, dtype=f64),
                                                       lib.zeros(2, 3, dtype=f64))),
            lambda: lcell(lib.zeros(2, 4, dtype=f64), (lib.zeros(2, 5, dtype=f64),
                                                       lib.zeros(1, 2, 3, dtype=f64))),
            lambda: N.RNN(4, 5, nonlinearity="gelu"),
            lambda: N.GRU(4, 5, proj_size=2),
            lambda: N.LSTM(4, 5, proj_size=5),
            lambda: N.LSTM(4, 5, proj_size=-1),
            lambda: N.LSTM(4, 0),
            lambda: N.LSTM(0, 4),
            lambda: N.LSTM(4, 5, num_layers=0),
            lambda: N.LSTM(4, 5, dropout=1.5),
            lambda: N.LSTM(4, 5, bias=1),
            lambda: N.LSTM(4.0, 5),
            lambda: N.LSTM(4, 5, batch_first=None),
            lambda: N.RNNCell(4, 5, nonlinearity="gelu")(lib.zeros(2, 4)),
        ]

    for k, (a, t) in enumerate(zip(calls(adcli), calls(torch))):
        (amro, amsg), (tmro, tmsg) = _error(a), _error(t)
        assert amsg == tmsg, k
        # torch's RuntimeErrors are adcli errors (RuntimeError subclasses); the rest the same
        assert tmro[0] in amro, (k, amro)


def test_dropout_warning_matches_torch() -> None:
    with pytest.warns(UserWarning) as tw:
        torch.nn.GRU(3, 4, dropout=0.2)
    with pytest.warns(UserWarning) as aw:
        adcli.nn.GRU(3, 4, dropout=0.2)
    assert str(aw[0].message) == str(tw[0].message)


def test_reprs_match_torch() -> None:
    def build(N: Any) -> list[Any]:
        return [N.RNN(3, 4, 2, "relu", False, True, 0.5, True), N.LSTM(3, 4, proj_size=2),
                N.GRU(3, 4, dropout=0.0, bias=False), N.RNNCell(3, 4, nonlinearity="relu"),
                N.LSTMCell(3, 4, bias=False), N.GRUCell(2, 2),
                N.Sequential(N.LSTM(3, 4, batch_first=True), N.Linear(4, 2))]

    for a, t in zip(build(adcli.nn), build(torch.nn)):
        assert repr(a) == repr(t)


def test_sequence_model_trains_like_torch() -> None:
    """An embedding -> LSTM -> linear classifier, 6 Adam steps, same seed in both."""

    def build(lib: Any) -> tuple[Any, Any, Any]:
        lib.manual_seed(5)
        N = lib.nn

        class Net(N.Module):
            def __init__(self) -> None:
                super().__init__()
                self.emb = N.Embedding(10, 4)
                self.rnn = N.LSTM(4, 6, num_layers=2, batch_first=True, dropout=0.3)
                self.gru = N.GRU(6, 3, bidirectional=True, batch_first=True)
                self.head = N.Linear(6, 3)

            def forward(self, idx: Any) -> Any:
                out, _ = self.rnn(self.emb(idx))
                out, _ = self.gru(out)
                return self.head(out[:, -1])

        net = Net().double()
        return net, lib.optim.Adam(net.parameters(), lr=0.05), N.CrossEntropyLoss()

    idx = RNG.integers(0, 10, (4, 7))
    target = RNG.integers(0, 3, 4)
    runs = []
    for lib in (torch, adcli):
        net, opt, loss_fn = build(lib)
        losses = []
        for _ in range(6):
            opt.zero_grad()
            loss = loss_fn(net(lib.tensor(idx)), lib.tensor(target))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append((losses, [p.detach().numpy().copy() for p in net.parameters()]))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-10)
    for a, t in zip(runs[1][1], runs[0][1]):
        np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-10)
