"""Attention and Transformer layers against torch 2.13: F.scaled_dot_product_attention,
F.multi_head_attention_forward, nn.MultiheadAttention, the Transformer encoder/decoder layers,
stacks and nn.Transformer. Same seed, same initial parameters; outputs, input and parameter
gradients, dropout masks, grad_fn names, error texts, several optimizer steps; gradcheck.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import same_errors  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(77)


def r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy()


def _outs(out: Any) -> list[Any]:
    return [t for t in (out if isinstance(out, tuple) else (out,)) if t is not None]


def _tensor(lib: Any, a: Any) -> Any:
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return lib.tensor(a, requires_grad=True)
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


def _backward(lib: Any, outs: list[Any], weights: list[np.ndarray]) -> None:
    sum((o * lib.tensor(w)).sum() for o, w in zip(outs, weights)).backward()


# ----------------------------------------------------------------------------------------------
# F.scaled_dot_product_attention
# ----------------------------------------------------------------------------------------------
_MASK = RNG.random((4, 5)) > 0.4
_MASK[:, 0] = True
_DEAD = _MASK.copy()
_DEAD[2] = False  # a fully masked row: torch gives zeros there

SDPA = [
    ("plain", {}, ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6))),
    ("bool mask", {"attn_mask": _MASK}, ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6))),
    ("float mask", {"attn_mask": r(3, 4, 5)}, ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6))),
    ("fully masked row", {"attn_mask": _DEAD}, ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6))),
    ("causal + scale", {"is_causal": True, "scale": 0.3}, ((2, 4, 8), (2, 5, 8), (2, 5, 8))),
    ("negative scale", {"scale": -0.5}, ((4, 8), (5, 8), (5, 3))),
    ("gqa", {"enable_gqa": True}, ((2, 4, 4, 8), (2, 2, 5, 8), (2, 2, 5, 6))),
]


@pytest.mark.parametrize(("label", "kw", "shapes"), SDPA, ids=[c[0] for c in SDPA])
def test_sdpa_matches_torch(label: str, kw: dict[str, Any], shapes: tuple) -> None:
    arrays = [r(*s) for s in shapes]
    res = []
    for lib, F in ((torch, torch.nn.functional), (adcli, adcli.nn.functional)):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        lkw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        out = F.scaled_dot_product_attention(*xs, **lkw)
        res.append((xs, out))
    (txs, tout), (axs, aout) = res
    np.testing.assert_allclose(_np(aout), _np(tout), rtol=1e-12, atol=1e-13)
    w = r(*tout.shape)
    _backward(torch, [tout], [w])
    _backward(adcli, [aout], [w])
    for a, t in zip(axs, txs):
        np.testing.assert_allclose(_np(a.grad), _np(t.grad), rtol=1e-10, atol=1e-12)


def test_sdpa_dropout_draws_torch_mask_and_records_math_graph() -> None:
    arrays = [r(2, 3, 4, 8), r(2, 3, 5, 8), r(2, 3, 5, 6)]
    outs = []
    for lib, F in ((torch, torch.nn.functional), (adcli, adcli.nn.functional)):
        lib.manual_seed(9)
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        outs.append(F.scaled_dot_product_attention(*xs, dropout_p=0.3))
    np.testing.assert_allclose(_np(outs[1]), _np(outs[0]), rtol=1e-12, atol=1e-13)
    # with dropout torch takes the math path: the same nodes as adcli's composite
    assert outs[1].grad_fn.name() == outs[0].grad_fn.name()
    np.testing.assert_array_equal(adcli.rand(4).numpy(), torch.rand(4).numpy())


def test_sdpa_gradcheck() -> None:
    xs = tuple(adcli.tensor(r(*s), requires_grad=True) for s in ((2, 4, 3), (2, 5, 3), (2, 5, 2)))
    mask = adcli.tensor(_MASK)
    F = adcli.nn.functional
    assert adcli.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), xs)
    assert adcli.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7), xs)


def test_sdpa_errors_match_torch() -> None:
    msgs = []
    for lib, F in ((torch, torch.nn.functional), (adcli, adcli.nn.functional)):
        q, k = lib.zeros(1, 3, 2, 4), lib.zeros(1, 2, 2, 4)
        with pytest.raises(RuntimeError) as info:
            F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
        msgs.append(str(info.value))
        # torch's math path (3-D input here) refuses a mask together with is_causal
        q3 = lib.zeros(1, 4, 8, dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            F.scaled_dot_product_attention(q3, q3, q3, attn_mask=lib.tensor(_MASK[:, :4]),
                                           is_causal=True)
        msgs.append(str(info.value))
    assert msgs[:2] == msgs[2:]


# ----------------------------------------------------------------------------------------------
# modules
# ----------------------------------------------------------------------------------------------
_X, _M = r(5, 2, 8), r(3, 2, 8)
_KPM = np.array([[False, False, True], [False, True, True]])
_AM = RNG.random((5, 3)) > 0.6
_AM[:, 0] = False
_CAUSAL5 = np.triu(np.full((5, 5), -np.inf), 1)


def _bf(a: np.ndarray) -> np.ndarray:
    return a.transpose(1, 0, 2).copy()


# (id, constructor(nn), inputs (arrays; "q" means the query array again), forward kwargs)
MODULES = [
    ("mha", lambda N: N.MultiheadAttention(8, 2), [_X, _M, _M], {}),
    ("mha self", lambda N: N.MultiheadAttention(8, 4), [_X, "q", "q"], {}),
    ("mha kdim/vdim bias_kv zero_attn", lambda N: N.MultiheadAttention(
        8, 2, kdim=4, vdim=6, add_bias_kv=True, add_zero_attn=True), [_X, r(3, 2, 4), r(3, 2, 6)],
     {}),
    ("mha padding mask, per-head weights", lambda N: N.MultiheadAttention(8, 4, bias=False),
     [_X, _M, _M], {"key_padding_mask": _KPM, "average_attn_weights": False}),
    ("mha float attn_mask", lambda N: N.MultiheadAttention(8, 2), [_X, _M, _M],
     {"attn_mask": r(5, 3)}),
    ("mha batch_first no weights masks", lambda N: N.MultiheadAttention(8, 2, batch_first=True),
     [_bf(_X), _bf(_M), _bf(_M)], {"attn_mask": _AM, "need_weights": False,
                                   "key_padding_mask": _KPM}),
    ("mha causal no weights", lambda N: N.MultiheadAttention(8, 2), [_X, "q", "q"],
     {"attn_mask": _CAUSAL5, "is_causal": True, "need_weights": False}),
    ("mha 3d mask", lambda N: N.MultiheadAttention(8, 2), [_X, _M, _M],
     {"attn_mask": RNG.random((4, 5, 3)) > 0.7}),
    ("mha dropout", lambda N: N.MultiheadAttention(8, 2, dropout=0.3), [_X, _M, _M], {}),
    ("mha unbatched", lambda N: N.MultiheadAttention(8, 2), [_X[:, 0].copy(), _M[:, 0].copy(),
                                                             _M[:, 0].copy()],
     {"key_padding_mask": _KPM[0]}),
    ("encoder layer", lambda N: N.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [_X], {}),
    ("encoder layer norm_first gelu dropout batch_first", lambda N: N.TransformerEncoderLayer(
        8, 2, 16, dropout=0.2, norm_first=True, activation="gelu", batch_first=True), [_bf(_X)],
     {"src_key_padding_mask": np.array([[False] * 4 + [True], [False] * 5])}),
    ("encoder layer no bias module activation", lambda N: N.TransformerEncoderLayer(
        8, 4, 12, dropout=0.1, bias=False, activation=N.Tanh()), [_X],
     {"src_mask": _CAUSAL5, "is_causal": True}),
    ("encoder", lambda N: N.TransformerEncoder(N.TransformerEncoderLayer(8, 2, 16), 2,
                                               norm=N.LayerNorm(8)), [_X],
     {"mask": _CAUSAL5}),
    ("decoder layer", lambda N: N.TransformerDecoderLayer(8, 2, 16, norm_first=True), [_X, _M],
     {"tgt_mask": _CAUSAL5, "memory_key_padding_mask": _KPM}),
    ("decoder", lambda N: N.TransformerDecoder(N.TransformerDecoderLayer(8, 2, 16), 2), [_X, _M],
     {}),
    ("transformer", lambda N: N.Transformer(8, 2, 2, 2, 16), [_M, _X], {"tgt_mask": _CAUSAL5}),
    ("transformer batch_first", lambda N: N.Transformer(8, 4, 1, 1, 8, dropout=0.0,
                                                        batch_first=True),
     [_bf(_M), _bf(_X)], {"src_key_padding_mask": _KPM}),
]


def _run(lib: Any, case: tuple, seed: int = 4) -> tuple[Any, list[Any], list[Any]]:
    _, make, inputs, kw = case
    lib.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TransformerEncoder's nested-tensor note
        m = make(lib.nn).double()
    args = []
    for a in inputs:
        args.append(args[0] if isinstance(a, str) else _tensor(lib, a))
    lkw = {k: _tensor(lib, v) for k, v in kw.items()}
    lib.manual_seed(seed + 1)  # the dropout masks
    return m, args, _outs(m(*args, **lkw))


@pytest.mark.parametrize("case", MODULES, ids=[c[0] for c in MODULES])
def test_module_matches_torch(case: tuple) -> None:
    tm, targs, tout = _run(torch, case)
    am, aargs, aout = _run(adcli, case)
    assert repr(am) == repr(tm)
    tsd, asd = tm.state_dict(), am.state_dict()
    assert list(asd) == list(tsd)
    for k in tsd:  # same seed, same initial values
        np.testing.assert_array_equal(asd[k].numpy(), tsd[k].numpy(), err_msg=k)
    assert len(aout) == len(tout)
    for a, t in zip(aout, tout):
        np.testing.assert_allclose(_np(a), _np(t), rtol=1e-11, atol=1e-13)
        assert a.grad_fn.name() == t.grad_fn.name()
    weights = [r(*t.shape) for t in tout]
    _backward(torch, tout, weights)
    _backward(adcli, aout, weights)
    for a, t in zip(aargs, targs):
        if t.grad is not None:
            np.testing.assert_allclose(_np(a.grad), _np(t.grad), rtol=1e-9, atol=1e-12)
    tp = dict(tm.named_parameters())
    for name, p in am.named_parameters():
        assert (p.grad is None) == (tp[name].grad is None), name
        if p.grad is not None:
            np.testing.assert_allclose(_np(p.grad), _np(tp[name].grad), rtol=1e-9, atol=1e-12,
                                       err_msg=name)


@pytest.mark.parametrize("case", [MODULES[i] for i in (0, 2, 3, 5, 10, 12, 14)],
                         ids=[MODULES[i][0] for i in (0, 2, 3, 5, 10, 12, 14)])
def test_module_gradcheck(case: tuple) -> None:
    _, make, inputs, kw = case
    adcli.manual_seed(0)
    m = make(adcli.nn).double().eval()  # eval: no dropout, a deterministic function
    names = [n for n, _ in m.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in m.parameters())
    xs = tuple(adcli.tensor(a, requires_grad=True) for a in inputs if not isinstance(a, str))
    lkw = {k: _tensor(adcli, v) for k, v in kw.items()}

    def fn(*args: Any) -> Any:
        saved = {}
        for name, value in zip(names, args[len(xs):]):
            owner, _, leaf = name.rpartition(".")
            mod = m.get_submodule(owner)
            saved[name] = mod._parameters[leaf]
            mod._parameters[leaf] = value
        try:
            ins = list(args[:len(xs)])
            ins += [ins[0]] * sum(isinstance(a, str) for a in inputs)
            return tuple(_outs(m(*ins, **lkw)))
        finally:
            for name, value in saved.items():
                owner, _, leaf = name.rpartition(".")
                m.get_submodule(owner)._parameters[leaf] = value

    report = adcli.gradcheck(fn, xs + params)
    assert report.ok, report.error or [p for p in report.pairs if not p.ok][:2]


def test_functional_mha_with_static_kv_matches_torch() -> None:
    """F.multi_head_attention_forward called directly: separate weights, static_k/static_v."""
    e, h, bsz = 6, 3, 2
    arrays = {"q": r(4, bsz, e), "kv": r(5, bsz, e), "wq": r(e, e), "wk": r(e, e),
              "wv": r(e, e), "b": r(3 * e), "wo": r(e, e), "bo": r(e),
              "sk": r(bsz * h, 7, e // h), "sv": r(bsz * h, 7, e // h)}
    res = []
    for lib, F in ((torch, torch.nn.functional), (adcli, adcli.nn.functional)):
        T = {k: lib.tensor(v, requires_grad=True) for k, v in arrays.items()}
        out, w = F.multi_head_attention_forward(
            T["q"], T["kv"], T["kv"], e, h, None, T["b"], None, None, False, 0.0, T["wo"],
            T["bo"], use_separate_proj_weight=True, q_proj_weight=T["wq"],
            k_proj_weight=T["wk"], v_proj_weight=T["wv"], static_k=T["sk"], static_v=T["sv"])
        (out.sum() + (w * w).sum()).backward()
        res.append((out, w, T))
    (to, tw, tT), (ao, aw, aT) = res
    np.testing.assert_allclose(_np(ao), _np(to), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(_np(aw), _np(tw), rtol=1e-12, atol=1e-13)
    for k in arrays:
        if tT[k].grad is not None:
            np.testing.assert_allclose(_np(aT[k].grad), _np(tT[k].grad), rtol=1e-10, atol=1e-12,
                                       err_msg=k)


def test_errors_and_warnings_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        N = lib.nn
        mha = N.MultiheadAttention(8, 2)
        x, m3 = lib.zeros(5, 2, 8), lib.zeros(3, 2, 8)
        return [
            lambda: N.MultiheadAttention(8, 3),
            lambda: N.MultiheadAttention(0, 2),
            lambda: mha(x, m3, lib.zeros(4, 2, 8)),
            lambda: mha(x, lib.zeros(3, 8), lib.zeros(3, 8)),
            lambda: mha(x, m3, m3, attn_mask=lib.zeros(4, 3)),
            lambda: mha(x, m3, m3, attn_mask=lib.zeros(3, 5, 3)),
            lambda: mha(x, m3, m3, key_padding_mask=lib.zeros(2, 4, dtype=lib.bool)),
            lambda: mha(x, m3, m3, attn_mask=lib.zeros(5, 3, dtype=lib.int64)),
            lambda: mha(x, m3, m3, is_causal=True),
            lambda: mha(lib.zeros(5, 2, 2, 8), m3, m3),
            lambda: N.TransformerEncoderLayer(8, 2, activation="tanh"),
            lambda: N.Transformer(8, 2, 1, 1, 8)(lib.zeros(3, 2, 8), lib.zeros(3, 3, 8)),
            lambda: N.Transformer(8, 2, 1, 1, 8)(lib.zeros(3, 2, 8), lib.zeros(3, 2, 6)),
        ]

    same_errors(calls)

    def warned(lib: Any) -> list[str]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            layer = lib.nn.TransformerEncoderLayer(8, 2, 16)
            lib.nn.TransformerEncoder(layer, 2)
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(6, 3, 12, batch_first=True),
                                      1)
            mha = lib.nn.MultiheadAttention(8, 2)
            x = lib.zeros(3, 1, 8)
            mha(x, x, x, key_padding_mask=lib.zeros(1, 3, dtype=lib.bool),
                attn_mask=lib.zeros(3, 3))
        return [str(m.message) for m in w]

    assert warned(adcli) == warned(torch)


def test_generate_square_subsequent_mask_matches_torch() -> None:
    a = adcli.nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(a.numpy(), t.numpy())
    assert a.dtype == adcli.float32


def test_small_transformer_trains_like_torch() -> None:
    """A tiny causal language model (Embedding, TransformerEncoder, Linear), 5 AdamW steps."""

    def build(lib: Any) -> tuple[Any, Any]:
        lib.manual_seed(13)
        N = lib.nn

        class LM(N.Module):
            def __init__(self) -> None:
                super().__init__()
                self.emb = N.Embedding(11, 8)
                layer = N.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
                self.enc = N.TransformerEncoder(layer, 2, enable_nested_tensor=False)
                self.head = N.Linear(8, 11)

            def forward(self, idx: Any) -> Any:
                mask = N.Transformer.generate_square_subsequent_mask(idx.shape[1],
                                                                     dtype=lib.float64)
                return self.head(self.enc(self.emb(idx), mask=mask, is_causal=True))

        net = LM().double()
        return net, lib.optim.AdamW(net.parameters(), lr=0.01)

    idx = RNG.integers(0, 11, (3, 6))
    runs = []
    for lib in (torch, adcli):
        net, opt = build(lib)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            logits = net(lib.tensor(idx[:, :-1]))
            loss = lib.nn.functional.cross_entropy(logits.reshape(-1, 11),
                                                   lib.tensor(idx[:, 1:]).reshape(-1))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append((losses, [p.detach().numpy().copy() for p in net.parameters()]))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-10)
    for a, t in zip(runs[1][1], runs[0][1]):
        np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-10)
