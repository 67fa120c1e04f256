"""Same seed, same numbers: adcli's random functions against torch's CPU generator, bit for bit.

Every test seeds both libraries alike, makes the same calls in the same order, and compares the
values exactly (``np.array_equal``), so a single word drawn more or less, or one rounding done
differently, fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli
from adcli import nn as adnn

torch = require_torch()
pytestmark = pytest.mark.needs_torch

SEEDS = [0, 1, 12345, 2**40 + 7]
SIZES = [1, 2, 5, 15, 16, 17, 31, 33, 100, 1000]
DTYPES = [("float32", torch.float32), ("float64", torch.float64)]


def same(a: adcli.Tensor, t: torch.Tensor) -> None:
    x, y = a.detach().numpy(), t.detach().numpy()
    assert x.dtype == y.dtype, (x.dtype, y.dtype)
    assert x.shape == y.shape, (x.shape, y.shape)
    assert np.array_equal(x, y, equal_nan=True), (x, y)


def seed_both(seed: int) -> None:
    adcli.manual_seed(seed)
    torch.manual_seed(seed)


def same_state() -> None:
    assert np.array_equal(adcli.get_rng_state().numpy(), torch.get_rng_state().numpy())


def _draws_from_mt19937(fill) -> bool:
    """Whether torch's kernel draws 10 double uniforms from mt19937 here (torch alone decides:
    some builds route bernoulli_(p) and exponential_ to MKL's own stream)."""
    torch.manual_seed(0)
    fill(torch.zeros(10))
    after = torch.rand(4)
    torch.manual_seed(0)
    torch.zeros(10, dtype=torch.float64).uniform_()
    return bool(torch.equal(after, torch.rand(4)))


@pytest.fixture(scope="module")
def avx2_kernels() -> None:
    if torch.backends.cpu.get_cpu_capability() == "DEFAULT":
        pytest.skip("torch runs its non-vectorised kernels here; adcli mirrors the AVX2 ones")


@pytest.fixture(scope="module")
def mt_bernoulli() -> None:
    """Tests of bernoulli_(p), exponential_ and what uses them (dropout, multinomial)."""
    if not _draws_from_mt19937(lambda t: t.bernoulli_(0.5)):
        pytest.skip("this torch build draws bernoulli_(p) from MKL's stream, not mt19937")
    if not _draws_from_mt19937(lambda t: t.exponential_()):
        pytest.skip("this torch build draws exponential_ from MKL's stream, not mt19937")


pytestmark = pytest.mark.usefixtures("avx2_kernels")
uses_mkl_candidates = pytest.mark.usefixtures("mt_bernoulli")


# -- factories --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_rand_and_randn(seed, name, tdt):
    seed_both(seed)
    for n in SIZES:
        same(adcli.rand(n, dtype=name), torch.rand(n, dtype=tdt))
        same(adcli.randn(n, dtype=name), torch.randn(n, dtype=tdt))
    same(adcli.randn(3, 7, dtype=name), torch.randn(3, 7, dtype=tdt))
    same(adcli.rand(size=(2, 9), dtype=name), torch.rand(size=(2, 9), dtype=tdt))
    same_state()


def test_default_dtype_follows_set_default_dtype():
    seed_both(4)
    same(adcli.randn(20), torch.randn(20))
    adcli.set_default_dtype(adcli.float64)
    torch.set_default_dtype(torch.float64)
    try:
        same(adcli.randn(20), torch.randn(20))
        same(adcli.rand(3), torch.rand(3))
    finally:
        adcli.set_default_dtype(adcli.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("seed", SEEDS)
def test_randn_caches_the_second_box_muller_value_across_calls(seed):
    seed_both(seed)
    for n in [1, 1, 3, 2, 5, 20, 1, 7]:
        same(adcli.randn(n), torch.randn(n))
        same_state()  # the cached value is part of the state bytes


@pytest.mark.parametrize("seed", SEEDS)
def test_randint(seed):
    seed_both(seed)
    cases = [((10,), (7,)), ((-5, 3), (100,)), ((0, 2**33), (20,)), ((-2**40, 2**40), (9,)),
             ((3, 4), (5,)), ((0, 2**32), (6,)), ((0, 2**32 - 1), (6,)), ((0, 2**28 - 1), (6,)),
             ((5, 5 + 2**28), (4,)), ((-2**27, 2**27), (4,))]
    for args, size in cases:
        same(adcli.randint(*args, size), torch.randint(*args, size))
    same(adcli.randint(0, 10, (50,), dtype="float32"),
         torch.randint(0, 10, (50,), dtype=torch.float32))
    same(adcli.randint(0, 10, (3, 4), dtype=adcli.float64),
         torch.randint(0, 10, (3, 4), dtype=torch.float64))
    same(adcli.randint(low=2, high=9, size=(5,)), torch.randint(low=2, high=9, size=(5,)))
    same(adcli.randint(9, size=(5,)), torch.randint(9, size=(5,)))
    x = adcli.zeros(2, 3)
    same(adcli.randint_like(x, 5), torch.randint_like(torch.zeros(2, 3), 5))
    same(adcli.randint_like(x, 2, 5), torch.randint_like(torch.zeros(2, 3), 2, 5))
    same_state()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 17, 1000, 20000])
def test_randperm(n):
    seed_both(n)
    same(adcli.randperm(n), torch.randperm(n))
    same(adcli.randperm(n, dtype="float32"), torch.randperm(n, dtype=torch.float32))
    same(adcli.rand(3), torch.rand(3))


@pytest.mark.parametrize("seed", SEEDS)
def test_like_functions_follow_memory_order(seed):
    seed_both(seed)
    a = adcli.zeros(20, 30).t()
    t = torch.zeros(20, 30).t()
    same(adcli.randn_like(a), torch.randn_like(t))
    same(adcli.rand_like(a), torch.rand_like(t))
    same(adcli.randn_like(a, dtype="float64"), torch.randn_like(t, dtype=torch.float64))


# -- in-place fills ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_normal_and_uniform_methods(seed, name, tdt):
    seed_both(seed)
    for n in SIZES:
        for mean, std in [(0.0, 1.0), (0.3, 2.7), (-1.1, 0.01), (0.0, 0.02), (5.0, 1.0)]:
            same(adcli.empty(n, dtype=name).normal_(mean, std),
                 torch.empty(n, dtype=tdt).normal_(mean, std))
        for lo, hi in [(0.0, 1.0), (-3.7, 2.1), (0.1, 0.3), (-0.5, 0.5), (2.0, 2.5)]:
            same(adcli.empty(n, dtype=name).uniform_(lo, hi),
                 torch.empty(n, dtype=tdt).uniform_(lo, hi))
    same_state()


@pytest.mark.parametrize("name,tdt", DTYPES)
def test_fills_of_non_contiguous_tensors_go_in_memory_order(name, tdt):
    seed_both(7)
    a = adcli.zeros(40, 30, dtype=name)
    t = torch.zeros(40, 30, dtype=tdt)
    # a transposed view is non-contiguous: torch's per-element normal path, in memory order
    same(a.t().normal_(0.5, 2.0), t.t().normal_(0.5, 2.0))
    same(a.t().uniform_(-1, 1), t.t().uniform_(-1, 1))
    same(a[:, 1:].normal_(), t[:, 1:].normal_())
    same(a, t)
    same_state()


@uses_mkl_candidates
@pytest.mark.parametrize("seed", SEEDS)
def test_bernoulli(seed):
    seed_both(seed)
    for name, tdt in DTYPES:
        for p in [0.0, 0.3, 0.5, 1.0]:
            same(adcli.empty(50, dtype=name).bernoulli_(p),
                 torch.empty(50, dtype=tdt).bernoulli_(p))
        for pname, pdt in DTYPES:
            probs_a = adcli.rand(4, 13, dtype=pname)
            probs_t = torch.rand(4, 13, dtype=pdt)
            same(adcli.bernoulli(probs_a), torch.bernoulli(probs_t))
            same(adcli.empty(4, 13, dtype=name).bernoulli_(probs_a),
                 torch.empty(4, 13, dtype=tdt).bernoulli_(probs_t))
            # p broadcast to self
            same(adcli.empty(3, 4, 13, dtype=name).bernoulli_(probs_a),
                 torch.empty(3, 4, 13, dtype=tdt).bernoulli_(probs_t))
        same(adcli.bernoulli(adcli.zeros(9, dtype=name), 0.25),
             torch.bernoulli(torch.zeros(9, dtype=tdt), 0.25))
        same(adcli.zeros(9, dtype=name).bernoulli(0.6), torch.zeros(9, dtype=tdt).bernoulli(0.6))
    for name, tdt in [("int64", torch.int64), ("bool", torch.bool)]:
        same(adcli.zeros(8, dtype=name).bernoulli_(0.5), torch.zeros(8, dtype=tdt).bernoulli_(0.5))
    same_state()


@pytest.mark.parametrize("seed", SEEDS)
def test_random_(seed):
    seed_both(seed)
    dts = [("float32", torch.float32), ("float64", torch.float64), ("int64", torch.int64),
           ("bool", torch.bool), ("uint8", torch.uint8)]
    for name, tdt in dts:
        same(adcli.zeros(20, dtype=name).random_(), torch.zeros(20, dtype=tdt).random_())
        same(adcli.zeros(20, dtype=name).random_(2), torch.zeros(20, dtype=tdt).random_(2))
        same(adcli.zeros(20, dtype=name).random_(0, 2), torch.zeros(20, dtype=tdt).random_(0, 2))
    for args in [(-7, 300), (5, None), (-2**63, None), (-2**62, 2**62)]:
        same(adcli.zeros(20, dtype="int64").random_(*args),
             torch.zeros(20, dtype=torch.int64).random_(*args))
    same(adcli.zeros(20, dtype="float32").random_(3, None), torch.zeros(20).random_(3, None))
    same(adcli.zeros(20, dtype="float64").random_(-2**40, 2**40),
         torch.zeros(20, dtype=torch.float64).random_(-2**40, 2**40))
    same(adcli.zeros(20, dtype="float64").random_(0, 2**30),
         torch.zeros(20, dtype=torch.float64).random_(0, 2**30))
    same_state()


@uses_mkl_candidates
@pytest.mark.parametrize("seed", SEEDS)
def test_other_distributions(seed):
    seed_both(seed)
    for name, tdt in DTYPES:
        for lam in [1.0, 0.7, 2.5]:
            same(adcli.empty(300, dtype=name).exponential_(lam),
                 torch.empty(300, dtype=tdt).exponential_(lam))
        same(adcli.empty(200, dtype=name).geometric_(0.3),
             torch.empty(200, dtype=tdt).geometric_(0.3))
        same(adcli.empty(200, dtype=name).cauchy_(0.5, 2.0),
             torch.empty(200, dtype=tdt).cauchy_(0.5, 2.0))
        same(adcli.empty(17, dtype=name).log_normal_(0.2, 0.5),
             torch.empty(17, dtype=tdt).log_normal_(0.2, 0.5))
        same(adcli.empty(5, dtype=name).log_normal_(), torch.empty(5, dtype=tdt).log_normal_())
    same_state()


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_overloads(seed):
    seed_both(seed)
    for name, tdt in DTYPES:
        ma, mt = adcli.rand(20, dtype=name), torch.rand(20, dtype=tdt)
        sa, st = adcli.rand(20, dtype=name) + 0.5, torch.rand(20, dtype=tdt) + 0.5
        same(adcli.normal(ma, sa), torch.normal(mt, st))
        same(adcli.normal(ma, 2.0), torch.normal(mt, 2.0))
        same(adcli.normal(0.3, sa), torch.normal(0.3, st))
        same(adcli.normal(ma[:3], sa[:3]), torch.normal(mt[:3], st[:3]))
        same(adcli.normal(ma.reshape(4, 5), sa[:5]), torch.normal(mt.reshape(4, 5), st[:5]))
        same(adcli.normal(1.5, 0.5, (4, 6), dtype=name), torch.normal(1.5, 0.5, (4, 6), dtype=tdt))
    same_state()


@uses_mkl_candidates
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_multinomial(seed, name, tdt):
    seed_both(seed)
    for shape in [(7,), (3, 5), (2, 40)]:
        pa, pt = adcli.rand(*shape, dtype=name), torch.rand(*shape, dtype=tdt)
        for n, rep in [(1, False), (3, False), (1, True), (10, True), (5, False)]:
            same(adcli.multinomial(pa, n, rep), torch.multinomial(pt, n, rep))
    weights_a, weights_t = adcli.tensor([0.0, 10, 3, 0]), torch.tensor([0.0, 10, 3, 0])
    same(adcli.multinomial(weights_a, 4, replacement=True), torch.multinomial(weights_t, 4, True))
    same(weights_a.multinomial(2), weights_t.multinomial(2))
    same_state()


@uses_mkl_candidates
def test_a_mixed_sequence_of_calls():
    for seed in SEEDS:
        seed_both(seed)
        same(adcli.randn(3), torch.randn(3))
        same(adcli.rand(5), torch.rand(5))
        same(adcli.randint(0, 10, (7,)), torch.randint(0, 10, (7,)))
        same(adcli.randperm(20), torch.randperm(20))
        same(adcli.randn(17, dtype="float64"), torch.randn(17, dtype=torch.float64))
        same(adcli.zeros(6, 5).t().normal_(), torch.zeros(6, 5).t().normal_())
        same(adcli.bernoulli(adcli.full((9,), 0.4)), torch.bernoulli(torch.full((9,), 0.4)))
        same(adcli.multinomial(adcli.rand(6), 3), torch.multinomial(torch.rand(6), 3))
        same(adcli.randn(2), torch.randn(2))
        same(adcli.empty(4).uniform_(-1, 1), torch.empty(4).uniform_(-1, 1))
        same(adcli.randn(1), torch.randn(1))
        same_state()


@uses_mkl_candidates
# -- generators and state ---------------------------------------------------------------------
def test_generator_objects_are_independent_of_the_default_one():
    seed_both(0)
    ga, gt = adcli.Generator().manual_seed(42), torch.Generator().manual_seed(42)
    same(adcli.randn(20, generator=ga), torch.randn(20, generator=gt))
    same(adcli.rand(3), torch.rand(3))  # the default generator did not move
    same(adcli.randn(5, generator=ga), torch.randn(5, generator=gt))
    same(adcli.randint(0, 9, (4,), generator=ga), torch.randint(0, 9, (4,), generator=gt))
    same(adcli.randperm(9, generator=ga), torch.randperm(9, generator=gt))
    same(adcli.empty(8).normal_(generator=ga), torch.empty(8).normal_(generator=gt))
    same(adcli.empty(8).uniform_(generator=ga), torch.empty(8).uniform_(generator=gt))
    same(adcli.empty(8).bernoulli_(0.5, generator=ga), torch.empty(8).bernoulli_(0.5, generator=gt))
    same(adcli.empty(8).random_(0, 5, generator=ga), torch.empty(8).random_(0, 5, generator=gt))
    same(adcli.multinomial(adcli.ones(5), 2, generator=ga),
         torch.multinomial(torch.ones(5), 2, generator=gt))
    same(adcli.normal(adcli.zeros(3), 1.0, generator=ga),
         torch.normal(torch.zeros(3), 1.0, generator=gt))
    assert np.array_equal(ga.get_state().numpy(), gt.get_state().numpy())
    same(adcli.rand(3), torch.rand(3))


def test_seeds_as_torch_reads_them():
    assert adcli.Generator().initial_seed() == torch.Generator().initial_seed()
    for s in [0, 5, 2**32 + 5, 2**63, 2**64 - 1, -1, -2**63, True]:
        assert adcli.manual_seed(s).initial_seed() == torch.manual_seed(s).initial_seed()
        assert adcli.initial_seed() == torch.initial_seed()
        same(adcli.randn(4), torch.randn(4))
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        adcli.manual_seed(1.5)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        adcli.manual_seed(2**64)
    s = adcli.seed()
    assert adcli.initial_seed() == s
    torch.manual_seed(s)
    same(adcli.rand(5), torch.rand(5))
    assert adcli.random.initial_seed() == s
    g = adcli.Generator()
    assert g.manual_seed(3) is g
    assert repr(g.device) == repr(torch.Generator().device) == "device(type='cpu')"
    with pytest.raises(RuntimeError, match="Cannot get CUDA generator"):
        adcli.Generator(device="cuda")


def test_state_is_torchs_byte_layout():
    for calls in [lambda m: None, lambda m: m.rand(1), lambda m: m.randn(1),
                  lambda m: m.randn(3, dtype=m.float64), lambda m: m.rand(624),
                  lambda m: m.rand(625), lambda m: m.randn(5000)]:
        seed_both(11)
        calls(adcli)
        calls(torch)
        state_a, state_t = adcli.get_rng_state(), torch.get_rng_state()
        assert state_a.dtype == adcli.uint8 and tuple(state_a.shape) == (5056,)
        assert np.array_equal(state_a.numpy(), state_t.numpy())


def test_set_rng_state_round_trips_and_loads_torchs_bytes():
    seed_both(3)
    adcli.randn(3)
    torch.randn(3)  # leaves a cached normal in the state
    saved_a, saved_t = adcli.get_rng_state(), torch.get_rng_state()
    first = adcli.randn(7).numpy().copy()
    same(adcli.tensor(first), torch.randn(7))
    adcli.set_rng_state(saved_a)
    assert np.array_equal(adcli.randn(7).numpy(), first)
    # torch's bytes into adcli, and adcli's back into torch
    adcli.set_rng_state(adcli.tensor(saved_t.numpy()))
    torch.set_rng_state(saved_t)
    same(adcli.randn(7), torch.randn(7))
    torch.set_rng_state(torch.from_numpy(adcli.get_rng_state().numpy().copy()))
    same(adcli.rand(9), torch.rand(9))
    g = adcli.Generator().set_state(adcli.get_rng_state())
    same(adcli.randn(4, generator=g), torch.randn(4))
    adcli.randn(4)  # the default generator catches up with torch's
    with adcli.random.fork_rng():
        adcli.randn(100)
    same(adcli.rand(2), torch.rand(2))


def test_bad_states_are_refused_with_torchs_messages():
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but "
                                          r"found the input RNG state size to be 5"):
        adcli.set_rng_state(adcli.zeros(5, dtype="uint8"))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        adcli.set_rng_state(adcli.zeros(5056, dtype="uint8"))
    with pytest.raises(TypeError, match=r"RNG state must be a torch\.ByteTensor"):
        adcli.set_rng_state(adcli.zeros(5056))
    with pytest.raises(TypeError, match=r"expected a torch\.ByteTensor, but got list"):
        adcli.set_rng_state([1])


@uses_mkl_candidates
# -- autograd, dropout, nn.init ---------------------------------------------------------------
def test_random_fills_record_torchs_nodes():
    xa = adcli.zeros(3, requires_grad=True)
    xt = torch.zeros(3, requires_grad=True)
    fills = [("normal_", ()), ("uniform_", ()), ("bernoulli_", (0.5,)), ("random_", (0, 5)),
             ("random_", (5,)), ("random_", ()), ("exponential_", ()), ("geometric_", (0.3,)),
             ("cauchy_", ()), ("log_normal_", ())]
    for name, args in fills:
        ya, yt = xa * 1, xt * 1
        getattr(ya, name)(*args)
        getattr(yt, name)(*args)
        assert ya.grad_fn.name() == yt.grad_fn.name()
        ya.sum().backward()
        assert np.array_equal(xa.grad.numpy(), np.zeros(3))
        xa.grad = None
    ya = xa * 1
    ya.bernoulli_(adcli.rand(3))
    assert ya.grad_fn.name() == "BernoulliBackward1"
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        xa.normal_()
    m = adcli.zeros(3, requires_grad=True)
    assert adcli.normal(m, 1.0).grad_fn.name() == "NormalBackward1"
    assert adcli.normal(0.0, m + 1).grad_fn.name() == "NormalBackward2"
    assert adcli.normal(m, m + 1).grad_fn.name() == "NormalBackward3"
    assert adcli.bernoulli(m).grad_fn.name() == "BernoulliBackward0"


def test_errors_match_torch():
    long = "not implemented for 'Long'"
    cases = [
        (lambda m: m.zeros(3, dtype=m.int64).normal_(), f'"normal_kernel_cpu" {long}'),
        (lambda m: m.zeros(3, dtype=m.int64).uniform_(), f'"check_uniform_bounds" {long}'),
        (lambda m: m.zeros(3).exponential_(-1),
         "exponential_ expects lambda > 0.0, but found lambda=-1"),
        (lambda m: m.zeros(3).normal_(0, -1), "normal expects std >= 0.0, but found std -1"),
        (lambda m: m.zeros(3).bernoulli_(1.5),
         r"bernoulli_ expects p to be in \[0, 1\], but got p=1.5"),
        (lambda m: m.randint(5, 3, (2,)),
         "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
        (lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
         r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
        (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3),
         r"cannot sample n_sample > prob_dist\.size"),
        (lambda m: m.zeros(3).uniform_(2, 1),
         r"uniform_ expects to return a \[from, to\) range, but found from=2 > to=1"),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError, match=msg):
            fn(torch)
        with pytest.raises(RuntimeError, match=msg):
            fn(adcli)


@uses_mkl_candidates
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_dropout_masks(name, tdt):
    seed_both(5)
    Fa, Ft = adnn.functional, torch.nn.functional
    for p in [0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1 / 3, 0.123456]:
        xa = adcli.randn(10, 17, dtype=name)
        xt = torch.randn(10, 17, dtype=tdt)
        same(Fa.dropout(xa, p), Ft.dropout(xt, p))
        same(Fa.dropout(xa.t(), p), Ft.dropout(xt.t(), p))
        same(Fa.dropout(xa, p, training=False), Ft.dropout(xt, p, training=False))
    xa = adcli.ones(50, dtype=name, requires_grad=True)
    xt = torch.ones(50, dtype=tdt, requires_grad=True)
    ya, yt = Fa.dropout(xa, 0.4), Ft.dropout(xt, 0.4)
    same(ya, yt)
    ya.sum().backward()
    yt.sum().backward()
    same(xa.grad, xt.grad)
    same_state()


@uses_mkl_candidates
def test_inplace_dropout_and_module_style_use():
    seed_both(8)
    xa, xt = adcli.randn(4, 8), torch.randn(4, 8)
    same(adnn.functional.dropout(xa, 0.25, inplace=True),
         torch.nn.functional.dropout(xt, 0.25, inplace=True))
    same(xa, xt)


def test_init_style_fills_match():
    # what nn.init does under no_grad: uniform_ with a bound, normal_ with a small std
    seed_both(21)
    for shape in [(5, 3), (64, 32), (3, 16, 3, 3)]:
        wa, wt = adcli.empty(*shape), torch.empty(*shape)
        bound = 1 / np.sqrt(shape[1])
        with adcli.no_grad():
            wa.uniform_(-bound, bound)
        with torch.no_grad():
            wt.uniform_(-bound, bound)
        same(wa, wt)
        same(adcli.empty(*shape).normal_(0, 0.02), torch.empty(*shape).normal_(0, 0.02))
        same(adcli.empty(*shape).normal_(0, 0.02).t() if len(shape) == 2 else adcli.zeros(1),
             torch.empty(*shape).normal_(0, 0.02).t() if len(shape) == 2 else torch.zeros(1))
    same_state()


@uses_mkl_candidates
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_channel_and_alpha_dropout(name, tdt):
    Fa, Ft = adnn.functional, torch.nn.functional
    variants = [("alpha_dropout", (5, 7)), ("feature_alpha_dropout", (3, 4, 5)),
                ("dropout1d", (3, 4, 5)), ("dropout1d", (4, 5)), ("dropout2d", (2, 3, 4, 5)),
                ("dropout3d", (2, 3, 2, 4, 5)), ("dropout3d", (3, 2, 4, 5))]
    for p in [0.1, 0.3, 0.5, 0.77]:
        for fn, shape in variants:
            seed_both(3)
            xa, xt = adcli.randn(*shape, dtype=name), torch.randn(*shape, dtype=tdt)
            same(getattr(Fa, fn)(xa, p, training=True), getattr(Ft, fn)(xt, p, training=True))
            same_state()
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        same(Fa.dropout2d(adcli.ones(3, 4, 5, dtype=name), 0.5),
             Ft.dropout2d(torch.ones(3, 4, 5, dtype=tdt), 0.5))
    xa = adcli.ones(4, 6, dtype=name, requires_grad=True)
    xt = torch.ones(4, 6, dtype=tdt, requires_grad=True)
    ya, yt = Fa.alpha_dropout(xa, 0.5, True), Ft.alpha_dropout(xt, 0.5, True)
    assert ya.grad_fn.name() == yt.grad_fn.name() == "AddBackward0"
    same(ya, yt)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        Fa.alpha_dropout(xa, 1.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        Fa.dropout1d(adcli.ones(2, 3, 4, 5), 0.5)
