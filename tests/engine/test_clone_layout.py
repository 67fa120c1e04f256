"""``clone()`` and the ``*_like`` functions lay their result out as torch does.

torch's ``clone()`` (``memory_format=torch.preserve_format``) keeps a dense input's strides
(``x.t().clone()`` is still transposed, so ``.view(-1)`` fails and an in-place random fill
draws in memory order), and gives other layouts (sliced, expanded) dense strides in the same
axis order; ``empty_like``/``zeros_like``/``rand_like``/... do the same. Everything here is
compared with torch: strides, contiguity, values, the draws of every in-place fill, errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

DTYPES = [("float32", torch.float32), ("float64", torch.float64)]


def _layouts(m, dt):
    b = m.arange(60, dtype=dt)
    return {
        "contiguous": b[:12].reshape(3, 4),
        "transposed": b[:12].reshape(3, 4).t(),
        "permuted": b[:24].reshape(2, 3, 4).permute(2, 0, 1),
        "sliced": b[:24].reshape(4, 6)[:, ::2],
        "permuted_sliced": b[:24].reshape(2, 3, 4).permute(2, 0, 1)[::2],
        "narrowed": b[:24].reshape(2, 3, 4)[:, 1:, :],
        "size1_permuted": b[:24].reshape(2, 3, 4)[:, :1].permute(1, 0, 2),
        "size1_transposed": b[:4].reshape(4, 1).t(),
        "expanded": b[:3].reshape(3, 1).expand(3, 5),
        "expanded_t": b[:3].reshape(1, 3).t().expand(3, 4),
        "channels_last": b.reshape(1, 3, 4, 5).permute(0, 2, 3, 1).contiguous()
        .permute(0, 3, 1, 2),
        "vector_strided": b[::3],
        "scalar": b[5],
    }


LAYOUTS = list(_layouts(torch, torch.float64))

COPIES = {
    "clone": lambda m, x: x.clone(),
    "torch.clone preserve": lambda m, x: m.clone(x, memory_format=m.preserve_format),
    "clone contiguous": lambda m, x: x.clone(memory_format=m.contiguous_format),
    "contiguous": lambda m, x: x.contiguous(),
    "empty_like": lambda m, x: m.empty_like(x).zero_(),
    "zeros_like": lambda m, x: m.zeros_like(x),
    "ones_like": lambda m, x: m.ones_like(x),
    "full_like": lambda m, x: m.full_like(x, 2.5),
    "zeros_like contiguous": lambda m, x: m.zeros_like(x, memory_format=m.contiguous_format),
    "rand_like": lambda m, x: m.rand_like(x),
    "randn_like": lambda m, x: m.randn_like(x),
    "randint_like": lambda m, x: m.randint_like(x, 2, 9),
    "rand_like contiguous": lambda m, x: m.rand_like(x, memory_format=m.contiguous_format),
}


def _outcome(fn):
    try:
        return fn()
    except Exception as exc:  # both must fail alike
        return exc


def _same_error(a: BaseException, b: BaseException) -> None:
    assert isinstance(b, type(a)) or type(a).__name__ in {c.__name__ for c in type(b).__mro__}
    assert str(a) == str(b)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("copy", list(COPIES))
def test_copies_keep_torchs_layout(copy, layout):
    torch.manual_seed(7)
    want = COPIES[copy](torch, _layouts(torch, torch.float64)[layout])
    adcli.manual_seed(7)
    got = COPIES[copy](adcli, _layouts(adcli, "float64")[layout])
    assert got.stride() == want.stride()
    assert got.is_contiguous() == want.is_contiguous()
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    # what the layout decides next: whether a view works
    a = _outcome(lambda: want.view(-1))
    b = _outcome(lambda: got.view(-1))
    if isinstance(a, BaseException):
        _same_error(a, b)
    else:
        np.testing.assert_array_equal(b.numpy(), a.numpy())


FILLS = {
    "uniform_": lambda t: t.uniform_(-1, 2),
    "normal_": lambda t: t.normal_(0.5, 2.0),
    "bernoulli_": lambda t: t.bernoulli_(0.3),
    "bernoulli_(tensor)": lambda t: t.bernoulli_(t * 0 + 0.6),
    "random_(from, to)": lambda t: t.random_(0, 10),
    "random_(to)": lambda t: t.random_(7),
    "random_()": lambda t: t.random_(),
    "exponential_": lambda t: t.exponential_(1.5),
    "geometric_": lambda t: t.geometric_(0.3),
    "cauchy_": lambda t: t.cauchy_(),
    "log_normal_": lambda t: t.log_normal_(),
}


@pytest.mark.parametrize(("dname", "tdt"), DTYPES)
@pytest.mark.parametrize("layout", ["transposed", "permuted", "permuted_sliced", "sliced",
                                    "expanded_t", "channels_last", "size1_permuted"])
@pytest.mark.parametrize("fill", list(FILLS))
@pytest.mark.parametrize("seed", [0, 12345])
def test_in_place_fills_of_a_clone_draw_torchs_numbers(fill, layout, dname, tdt, seed):
    torch.manual_seed(seed)
    want = FILLS[fill](_layouts(torch, tdt)[layout].clone())
    after = torch.rand(3, dtype=tdt)
    adcli.manual_seed(seed)
    got = FILLS[fill](_layouts(adcli, dname)[layout].clone())
    assert got.stride() == want.stride()
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    # and the generator is left where torch's is
    np.testing.assert_array_equal(adcli.rand(3, dtype=dname).numpy(), after.numpy())


def test_clone_of_a_transposed_tensor_records_and_reshapes_as_torch():
    def program(m):
        x = m.arange(12, dtype=m.float64).reshape(3, 4).requires_grad_(True)
        c = x.t().clone()
        r = c.reshape(-1)  # not viewable: a contiguous copy and _unsafe_view, as in torch
        (r * m.arange(12, dtype=m.float64)).sum().backward()
        return c, r, x.grad

    c1, r1, g1 = program(torch)
    c2, r2, g2 = program(adcli)
    assert c2.grad_fn.name() == c1.grad_fn.name() == "CloneBackward0"
    assert r2.grad_fn.name() == r1.grad_fn.name()
    assert [n.name() for n, _ in r2.grad_fn.next_functions if n] == \
        [n.name() for n, _ in r1.grad_fn.next_functions if n]
    assert r2.is_contiguous() and c2.stride() == c1.stride()
    np.testing.assert_array_equal(g2.numpy(), g1.numpy())


ERRORS = {
    "clone(memory_format=int)": lambda m, x: x.clone(memory_format=1),
    "zeros_like(memory_format=int)": lambda m, x: m.zeros_like(x, memory_format=1),
    "contiguous(memory_format=int)": lambda m, x: x.contiguous(memory_format=1),
    "is_contiguous(memory_format=int)": lambda m, x: x.is_contiguous(memory_format=1),
    "clone channels_last 3-d": lambda m, x: x.clone(memory_format=m.channels_last),
    "empty_like channels_last_3d": lambda m, x: m.empty_like(x, memory_format=m.channels_last_3d),
    "contiguous(preserve_format)": lambda m, x: x.t().contiguous(memory_format=m.preserve_format),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_memory_format_errors_are_torchs(case):
    a = _outcome(lambda: ERRORS[case](torch, torch.ones(2, 3, 4).transpose(0, 1)))
    b = _outcome(lambda: ERRORS[case](adcli, adcli.ones(2, 3, 4).transpose(0, 1)))
    assert isinstance(a, BaseException)
    _same_error(a, b)


def test_memory_format_queries_match_torch():
    for m in (torch, adcli):
        assert repr(m.preserve_format) == "torch.preserve_format"
        assert repr(m.channels_last) == "torch.channels_last"
    for shape, perm in (((2, 3, 4, 5), (0, 2, 3, 1)), ((2, 3, 4), (1, 0, 2))):
        for m in (torch, adcli):
            x = m.ones(*shape).permute(*perm).contiguous()
            y = x.permute(*np.argsort(perm).tolist())
            answers = [y.is_contiguous(), y.is_contiguous(memory_format=m.preserve_format),
                       y.is_contiguous(memory_format=m.contiguous_format),
                       y.is_contiguous(memory_format=m.channels_last),
                       y.is_contiguous(memory_format=m.channels_last_3d),
                       y.stride(), y.stride(1), y.stride(-1)]
            if len(shape) == 4:
                answers.append(y.clone(memory_format=m.channels_last).stride())
                answers.append(y.contiguous(memory_format=m.channels_last) is y)
            if m is torch:
                want = answers
        assert answers == want
