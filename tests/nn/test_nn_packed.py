"""Packed sequences against torch 2.13: PackedSequence, pack_padded_sequence (values, batch
sizes, indices, PackPaddedSequenceBackward0 and its gradients, errors), pad_packed_sequence
(torch's composite graph), pack_sequence, unpack_sequence, invert_permutation; RNN, LSTM and
GRU on packed input (outputs, h_n/c_n for variable lengths, gradients, graph names)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import both_or_error as _both  # noqa: E402
from nn_helpers import node_names as _names  # noqa: E402

RNG = np.random.default_rng(77)


def _np(t: Any) -> Any:
    return None if t is None else t.detach().numpy()


def _packed(p: Any) -> list[Any]:
    return [_np(p.data), _np(p.batch_sizes), _np(p.sorted_indices), _np(p.unsorted_indices),
            str(p.batch_sizes.dtype), p.data.grad_fn.name() if p.data.grad_fn else None]


def _same(a: Any, t: Any) -> None:
    assert type(a) is type(t) or isinstance(a, np.ndarray)
    if isinstance(t, list | tuple):
        assert len(a) == len(t)
        for x, y in zip(a, t):
            _same(x, y)
    elif isinstance(t, np.ndarray):
        assert a.dtype == t.dtype and a.shape == t.shape
        np.testing.assert_array_equal(a, t)
    else:
        assert a == t


PACK = [
    ((4, 3, 2), [4, 2, 1], {}),
    ((4, 3), [4, 4, 4], {}),
    ((3, 5, 2), [5, 3, 1], {"batch_first": True}),
    ((5, 3, 2), [2, 5, 3], {"enforce_sorted": False}),
    ((4, 5, 1, 2), [1, 5, 4, 5], {"batch_first": True, "enforce_sorted": False}),
]


@pytest.mark.parametrize("case", PACK, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
@pytest.mark.parametrize("as_tensor", [False, True])
def test_pack_pad_round_trip_matches_torch(case: tuple, as_tensor: bool) -> None:
    shape, lengths, kw = case
    x = RNG.standard_normal(shape)
    w = RNG.standard_normal(shape)

    def run(lib: Any) -> Any:
        a = lib.tensor(x, requires_grad=True)
        lens = lib.tensor(lengths) if as_tensor else lengths
        p = lib.nn.utils.rnn.pack_padded_sequence(a, lens, **kw)
        padded, out_lens = lib.nn.utils.rnn.pad_packed_sequence(
            p, batch_first=kw.get("batch_first", False), padding_value=-1.5,
            total_length=max(lengths) + 1)
        (padded * lib.tensor(np.resize(w, padded.shape))).sum().backward()
        return (_packed(p), _np(padded), _np(out_lens), str(out_lens.dtype), _np(a.grad),
                sorted(_names(padded.grad_fn).items()), type(p).__name__)
    t, a = _both(run)
    _same(a, t)


def test_pack_padded_sequence_graph_and_double_backward() -> None:
    x = RNG.standard_normal((3, 4, 2))

    def run(lib: Any) -> Any:
        a = lib.tensor(x, requires_grad=True)
        p = lib.nn.utils.rnn.pack_padded_sequence(a, [4, 3, 1], batch_first=True)
        (g,) = lib.autograd.grad((p.data ** 3).sum(), a, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), a)
        return (p.data.grad_fn.name(), [n.name() if n else None
                                       for n, _ in p.data.grad_fn.next_functions],
                _np(g), _np(gg), g.grad_fn.name())
    t, a = _both(run)
    assert a[:2] == t[:2]
    np.testing.assert_allclose(a[2], t[2], rtol=1e-12)
    np.testing.assert_allclose(a[3], t[3], rtol=1e-12)
    assert a[4] == t[4]


ERRORS = [
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [1, 2]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [3, 0]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [3, 2, 1]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(0, 2), [0, 0]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), lib.tensor([[3, 2]])),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [3, 2]), total_length=2),
    lambda lib: lib.nn.utils.rnn.PackedSequence(lib.ones(2)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k: int) -> None:
    t, a = _both(ERRORS[k])
    assert a == t


def test_pack_sequence_unpack_invert_and_methods() -> None:
    seqs = [RNG.standard_normal((n, 2)) for n in (2, 4, 1)]

    def run(lib: Any) -> Any:
        ts = [lib.tensor(s, requires_grad=True) for s in seqs]
        p = lib.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
        back = lib.nn.utils.rnn.unpack_sequence(p)
        sum(b.sum() * (i + 1) for i, b in enumerate(back)).backward()
        perm = lib.nn.utils.rnn.invert_permutation(lib.tensor([2, 0, 3, 1]))
        sorted_p = lib.nn.utils.rnn.pack_sequence([ts[1], ts[0], ts[2]])
        d = p.double()
        f = p.float()
        return (_packed(p), [_np(b) for b in back], [_np(t.grad) for t in ts], _np(perm),
                lib.nn.utils.rnn.invert_permutation(None), _packed(sorted_p), d is p,
                str(f.data.dtype), _np(f.sorted_indices), p.is_cuda, p.is_pinned(),
                p.to(lib.float64) is p, list(p._fields),
                [b.grad_fn.name() for b in back])
    t, a = _both(run)
    _same(a, t)


# -- recurrent layers on packed input --------------------------------------------------------------
LAYERS = [
    ("RNN", {}, [5, 3, 3, 1], False),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}, [4, 2, 2], True),
    ("RNN", {"bidirectional": True, "bias": False}, [3, 5, 1, 2], True),
    ("LSTM", {}, [4, 4, 2], False),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, [2, 5, 3], True),
    ("LSTM", {"proj_size": 2, "bidirectional": True}, [1, 3, 4], True),
    ("GRU", {}, [3, 1, 2], True),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}, [4, 2, 4, 1], True),
]


@pytest.mark.parametrize("case", LAYERS, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
@pytest.mark.parametrize("with_h0", [False, True])
def test_recurrent_layers_on_packed_input(case: tuple, with_h0: bool) -> None:
    name, kw, lengths, unsorted = case
    if not unsorted:
        lengths = sorted(lengths, reverse=True)
    batch_first = kw.get("batch_first", False)
    T, B = max(lengths), len(lengths)
    x = RNG.standard_normal((B, T, 3) if batch_first else (T, B, 3))
    d = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1) * d
    real = kw.get("proj_size") or 4
    h0 = RNG.standard_normal((layers, B, real))
    c0 = RNG.standard_normal((layers, B, 4))

    def run(lib: Any) -> Any:
        lib.manual_seed(5)
        m = getattr(lib.nn, name)(3, 4, **kw).double()
        a = lib.tensor(x, requires_grad=True)
        p = lib.nn.utils.rnn.pack_padded_sequence(a, lengths, batch_first=batch_first,
                                                  enforce_sorted=not unsorted)
        hx = None
        states = []
        if with_h0:
            states = [lib.tensor(h0, requires_grad=True)]
            if name == "LSTM":
                states.append(lib.tensor(c0, requires_grad=True))
            hx = tuple(states) if name == "LSTM" else states[0]
        out, hidden = m(p, hx)
        hs = list(hidden) if isinstance(hidden, tuple) else [hidden]
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        loss = (padded ** 2).sum() + sum((h * (k + 2)).sum() for k, h in enumerate(hs))
        loss.backward()
        return ([type(out).__name__, _np(out.batch_sizes), _np(out.sorted_indices),
                 _np(out.unsorted_indices), _np(lens)],
                [_np(out.data), *[_np(h) for h in hs], _np(a.grad),
                 *[_np(s.grad) for s in states], *[_np(q.grad) for q in m.parameters()]],
                [h.grad_fn.name() for h in hs], sorted(_names(out.data.grad_fn).items()))
    t, a = _both(run)
    _same(a[0], t[0])
    for x_a, x_t in zip(a[1], t[1], strict=True):
        np.testing.assert_allclose(x_a, x_t, rtol=1e-10, atol=1e-12)
    assert a[2] == t[2]
    assert a[3] == t[3]


def test_packed_hidden_size_error_matches_torch() -> None:
    def run(lib: Any) -> Any:
        m = lib.nn.GRU(2, 3)
        p = lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 2), [3, 1])
        m(p, lib.zeros(1, 3, 3))
    t, a = _both(run)
    assert a == t


def test_float32_lstm_packed_values() -> None:
    x = RNG.standard_normal((4, 3, 2)).astype(np.float32)

    def run(lib: Any) -> Any:
        lib.manual_seed(2)
        m = lib.nn.LSTM(2, 3, num_layers=2)
        p = lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x, requires_grad=True), [4, 3, 1])
        out, (h, c) = m(p)
        return _np(out.data), _np(h), _np(c), sorted(_names(h.grad_fn).items())
    t, a = _both(run)
    assert a[3] == t[3]  # packed input: torch records the cell ops in float32 too (no oneDNN)
    for x_a, x_t in zip(a[:3], t[:3], strict=True):
        np.testing.assert_allclose(x_a, x_t, rtol=1e-5, atol=1e-6)


def test_packed_sequences_reachable_from_a_spec() -> None:
    """A spec step packs, runs an LSTM on the PackedSequence and pads back: the same values
    as torch, and gradcheck passes through PackPaddedSequenceBackward0."""
    import textwrap

    from adcli.check.spec_checks import check_spec
    from adcli.spec.interpreter import execute
    from adcli.spec.loader import load_specs

    src = """\
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(2, 3, bidirectional=True).double()
        x = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(4, 3, 2).requires_grad_()
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        out, (h, c) = lstm(packed)
        padded, lengths = pad_packed_sequence(out, batch_first=True)
        sizes = packed.batch_sizes.tolist()
        loss = padded.pow(2).sum() + h.sum()
    """
    body = textwrap.indent(textwrap.dedent(src), "    ")
    text = f"steps:\n  - |\n{body}gradcheck:\n  - of: loss\n    wrt: [x]\n"
    spec = load_specs("t.yaml", text=text)[0]
    ns = execute(spec).namespace
    lstm = torch.nn.LSTM(2, 3, bidirectional=True).double()
    lstm.load_state_dict({k: torch.tensor(v.detach().numpy())
                          for k, v in ns["lstm"].state_dict().items()})
    x = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(4, 3, 2)
    out, (h, _) = lstm(torch.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1],
                                                               enforce_sorted=False))
    padded, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
    np.testing.assert_allclose(ns["padded"].detach().numpy(), padded.detach().numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(ns["h"].detach().numpy(), h.detach().numpy(), rtol=1e-12)
    assert ns["sizes"] == [3, 2, 1, 1]
    (report,) = check_spec(spec)
    assert report.ok, report.to_dict()
