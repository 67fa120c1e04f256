"""torch's CPU sampling transforms, vectorised over raw mt19937 words.

Each function draws from a :class:`~adcli.engine.rng.generator.Generator` exactly the words torch's
kernel draws (aten/src/ATen/core/DistributionsHelper.h, TransformationHelper.h,
native/cpu/DistributionTemplates.h) and rounds exactly as it does, so results are bit-identical.
Two details of torch's x86-64 build matter for the last bit: its AVX2 kernels are compiled with
FMA contraction (``x * (to - from) + from`` is one fused op), and float32 ``normal_`` on 16 or
more contiguous elements uses the AVX2 Cephes-style ``log256_ps``/``sincos256_ps``
approximations, not libm. Both are reproduced here with exact emulation in float64.
"""

from __future__ import annotations

import math

import numpy as np

from ..libm import exact
from ..rounding import fma
from .generator import Generator

_U64 = np.uint64
_F32 = np.float32
_F64 = np.float64
_MASK64 = (1 << 64) - 1


# -- exact fused multiply-add (engine/rounding's), in the kernel's precision ---------------
def fma32(a: object, b: object, c: object) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c`` (what a contracted AVX2 kernel computes)."""
    return fma(*(np.asarray(v, _F32) for v in (a, b, c)))


def fma64(a: object, b: object, c: object) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c``."""
    return fma(*(np.asarray(v, _F64) for v in (a, b, c)))


def _affine(x: np.ndarray, std: float, mean: float, f32: bool) -> np.ndarray:
    """``x * std + mean`` as torch's fused kernels round it."""
    if f32:
        s, m = _F32(std), _F32(mean)
        if s == 1 and m == 0:
            return x
        if m == 0:
            return x * s
        if s == 1:
            return x + m
        return fma32(x, s, m)
    if std == 1 and mean == 0:
        return x
    if mean == 0:
        return x * _F64(std)
    if std == 1:
        return x + _F64(mean)
    return fma64(x, std, mean)


# -- uniform -------------------------------------------------------------------------------
def unit24(gen: Generator, n: int) -> np.ndarray:
    """torch's float uniform on [0, 1): the low 24 bits of one word, times 2**-24."""
    return (gen.random(n) & _U64(0xFFFFFF)).astype(_F32) * _F32(2.0 ** -24)


def unit53(gen: Generator, n: int) -> np.ndarray:
    """torch's double uniform on [0, 1): the low 53 bits of random64(), times 2**-53."""
    return (gen.random64(n) & _U64((1 << 53) - 1)).astype(_F64) * 2.0 ** -53


def uniform(gen: Generator, n: int, dt: np.dtype, low: float = 0.0,
            high: float = 1.0) -> np.ndarray:
    """``uniform_(low, high)``: one word per float32 (and float16, drawn as float32: its
    opmath type), two per float64."""
    if dt == np.float32 or dt == np.float16:
        lo, hi = _F32(low), _F32(high)
        x = unit24(gen, n)
        return x if (lo, hi) == (0, 1) else fma32(x, hi - lo, lo)
    x = unit53(gen, n)
    return x if (low, high) == (0, 1) else fma64(x, _F64(high) - _F64(low), low)


# -- normal --------------------------------------------------------------------------------
def box_muller(gen: Generator, n: int, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """torch's per-element normal_distribution<double>: a pair of double uniforms gives
    ``r cos`` now and caches ``r sin`` for the next element (across calls, as torch)."""
    out = np.empty(n, dtype=_F64)
    start = 0
    if n and gen.next_double_normal is not None:
        out[0] = gen.next_double_normal
        gen.next_double_normal = None
        start = 1
    m = n - start
    if m > 0:
        k = (m + 1) // 2
        u = unit53(gen, 2 * k).reshape(k, 2)
        r = np.sqrt(-2.0 * exact("log1p", -u[:, 1]))
        theta = (2.0 * math.pi) * u[:, 0]
        pairs = np.empty((k, 2), dtype=_F64)
        pairs[:, 0] = r * exact("cos", theta)
        pairs[:, 1] = r * exact("sin", theta)
        flat = pairs.reshape(-1)
        out[start:] = flat[:m]
        if m % 2:
            gen.next_double_normal = float(flat[-1])
    return _affine(out, std, mean, f32=False)


_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)
_LOG_Q1, _LOG_Q2 = -2.12194440e-4, 0.693359375
_DP = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)
_COSCOF = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
_SINCOF = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)


def _log256(x: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps for x in (0, 1] as GCC contracts it (mul + add -> fma)."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F32) + _F32(1)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa in [0.5, 1)
    small = x < _F32(0.707106781186547524)
    x = (x - _F32(1)) + np.where(small, x, _F32(0))
    e = e - small.astype(_F32)
    z = x * x
    y = np.full_like(x, _F32(_LOG_P[0]))
    for c in _LOG_P[1:]:
        y = fma32(y, x, c)
    y = y * x
    y = fma32(y, z, e * _F32(_LOG_Q1))
    y = fma32(-z, 0.5, y)
    return fma32(e, _LOG_Q2, x + y)


def _sincos256(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """avx_mathfun's sincos256_ps for x >= 0, as GCC contracts it."""
    j = (x * _F32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    sign_sin = (j & 4) << 29
    sign_cos = (~(j - 2) & 4) << 29
    poly = (j & 2) == 0
    for c in _DP:
        x = fma32(y, c, x)
    z = x * x
    yc = np.full_like(x, _F32(_COSCOF[0]))
    yc = fma32(yc, z, _COSCOF[1])
    yc = fma32(yc, z, _COSCOF[2])
    yc = yc * z
    yc = fma32(yc, z, -(z * _F32(0.5))) + _F32(1)
    ys = np.full_like(x, _F32(_SINCOF[0]))
    ys = fma32(ys, z, _SINCOF[1])
    ys = fma32(ys, z, _SINCOF[2])
    ys = fma32(ys * z, x, x)
    s = np.where(poly, ys, yc)
    c = np.where(poly, yc, ys)
    s = (s.view(np.int32) ^ sign_sin).view(_F32)
    c = (c.view(np.int32) ^ sign_cos).view(_F32)
    return s, c


def _fill16_f32(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16_AVX2 on rows of 16 uniforms: Box-Muller of lanes i and i + 8."""
    u1 = _F32(1) - u[:, :8]
    radius = np.sqrt(_F32(-2) * _log256(u1))
    s, c = _sincos256(_F32(2.0 * math.pi) * u[:, 8:])
    out = np.empty_like(u)
    out[:, :8] = _affine(radius * c, std, mean, f32=True)
    out[:, 8:] = _affine(radius * s, std, mean, f32=True)
    return out


def _fill16_f64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16 (scalar, libm) on rows of 16 double uniforms."""
    radius = np.sqrt(-2.0 * exact("log", 1.0 - u[:, :8]))
    theta = (2.0 * math.pi) * u[:, 8:]
    out = np.empty_like(u)
    out[:, :8] = _affine(radius * exact("cos", theta), std, mean, f32=False)
    out[:, 8:] = _affine(radius * exact("sin", theta), std, mean, f32=False)
    return out


def normal(gen: Generator, n: int, dt: np.dtype, mean: float = 0.0, std: float = 1.0,
           contiguous: bool = True) -> np.ndarray:
    """``normal_(mean, std)`` on ``n`` elements of dtype ``dt`` (float32 or float64)."""
    f32 = dt == np.float32
    if n < 16 or not contiguous:
        return box_muller(gen, n, mean, std).astype(dt)
    # normal_fill: all uniforms first, Box-Muller per block of 16, then the last 16 again
    # from fresh uniforms when n is not a multiple of 16.
    draw = unit24 if f32 else unit53
    fill = _fill16_f32 if f32 else _fill16_f64
    out = draw(gen, n)
    full = n // 16 * 16
    out[:full] = fill(out[:full].reshape(-1, 16), mean, std).reshape(-1)
    if n % 16:
        out[n - 16:] = fill(draw(gen, 16).reshape(1, 16), mean, std).reshape(-1)
    return out


# -- integers ------------------------------------------------------------------------------
_FLOAT_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def random_from_to(gen: Generator, n: int, dt: np.dtype, base: int, span: int) -> np.ndarray:
    """``random_(from, to)``: ``(word % span) + from``, on random64() words from a span of
    2**28 up (torch's public builds; its FBCODE builds switch at 2**32, for some dtypes only)."""
    w = gen.random64(n) if span >= 1 << 28 else gen.random(n)
    v = (w % _U64(span)) + _U64(base & _MASK64)
    return v.view(np.int64).astype(dt)


def random_full(gen: Generator, n: int, dt: np.dtype) -> np.ndarray:
    """``random_(-2**63, None)``: the whole 64-bit word as int64."""
    return gen.random64(n).view(np.int64).astype(dt)


def random_default(gen: Generator, n: int, dt: np.dtype) -> np.ndarray:
    """``random_()``: [0, 2**mantissa] for floats, [0, max] for integers, {0, 1} for bool."""
    dt = np.dtype(dt)
    wide = dt in (np.float64, np.int64)
    w = gen.random64(n) if wide else gen.random(n)
    if dt == np.bool_:
        return (w & _U64(1)).astype(np.bool_)
    if dt.kind == "f":
        return (w % _U64((1 << _FLOAT_DIGITS[dt]) + 1)).astype(dt)
    top = int(np.iinfo(dt).max) + 1
    return (w % _U64(top)).astype(dt)


def update_from(dt: np.dtype, frm: int) -> int:
    """torch's update_from: the next ``from`` that survives a cast to the float dtype."""
    digits = _FLOAT_DIGITS[np.dtype(dt)]
    plus1 = int(np.array(frm + 1, dtype=dt).astype(np.int64))
    if plus1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = plus1 + (1 << (n - digits + 1))
    return frm


def update_to(dt: np.dtype, to: int) -> int:
    """torch's update_to: the previous ``to`` that survives a cast to the float dtype."""
    digits = _FLOAT_DIGITS[np.dtype(dt)]
    minus1 = int(np.array(to - 1, dtype=dt).astype(np.int64))
    if minus1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = minus1 - (1 << (n - digits + 1))
    return to


def randperm(gen: Generator, n: int) -> np.ndarray:
    """torch's CPU randperm: forward Fisher-Yates with ``random() % (n - i)``."""
    if n < 0xFFFFFFFF // 20:
        perm = list(range(n))
        if n > 1:
            # the swap partners first (vectorised), then the swaps: inherently sequential
            z = gen.random(n - 1) % np.arange(n, 1, -1, dtype=_U64)
            partner = (z.view(np.int64) + np.arange(n - 1)).tolist()
            for i, j in enumerate(partner):
                perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)
    # torch's path for huge n: inside-out Fisher-Yates on random64() % (i + 1).
    out = np.empty(n, dtype=np.int64)
    z = gen.random64(n) % np.arange(1, n + 1, dtype=_U64)
    for i, zi in enumerate(z.tolist()):
        out[i] = out[zi]
        out[zi] = i
    return out


# -- other distributions -------------------------------------------------------------------
def bernoulli_scalar(gen: Generator, n: int, p: float) -> np.ndarray:
    """``bernoulli_(p)``: a double uniform below ``p``."""
    return unit53(gen, n) < p


def bernoulli_tensor(gen: Generator, p: np.ndarray) -> np.ndarray:
    """``bernoulli_(p_tensor)``: double uniforms for a float64 ``p``, float ones otherwise."""
    if p.dtype == np.float64:
        return unit53(gen, p.size) < p.reshape(-1)
    return unit24(gen, p.size) < p.reshape(-1).astype(_F32)


def exponential(gen: Generator, n: int, lambd: float) -> np.ndarray:
    """``exponential_(lambd)`` in double: ``-1/lambd * log1p(-u)``."""
    return (-1.0 / lambd) * exact("log1p", -unit53(gen, n))


def geometric(gen: Generator, n: int, p: float) -> np.ndarray:
    """``geometric_(p)`` in double: ``ceil(log(u) / log1p(-p))``."""
    with np.errstate(divide="ignore"):
        return np.ceil(exact("log", unit53(gen, n)) / math.log1p(-p))


def cauchy(gen: Generator, n: int, median: float, sigma: float) -> np.ndarray:
    """``cauchy_(median, sigma)`` in double."""
    return median + sigma * exact("tan", math.pi * (unit53(gen, n) - 0.5))


def log_normal(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``log_normal_(mean, std)``: exp of torch's per-element double normal."""
    return exact("exp", box_muller(gen, n, mean, std))


def multinomial(gen: Generator, probs: np.ndarray, n_sample: int,
                replacement: bool, order: tuple[int, ...] | None = None) -> np.ndarray:
    """``multinomial`` on rows of ``probs`` (2-d): indices of shape (rows, n_sample).
    ``order``: the axes, outermost first, in which the exponentials fill ``q`` (the input's
    memory order; default row-major)."""
    rows = probs.shape[0]
    if not replacement or n_sample == 1:
        # torch: argmax / topk of p / q with q ~ Exp(1) drawn like exponential_ on probs.
        q = exponential(gen, probs.size, 1.0).astype(probs.dtype)
        if order is None or tuple(order) == tuple(range(probs.ndim)):
            q = q.reshape(probs.shape)
        else:
            q = q.reshape([probs.shape[d] for d in order]).transpose(np.argsort(order))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = probs / q
        if n_sample == 1:
            return np.argmax(q, axis=-1)[:, None]
        return np.argsort(-q, axis=-1, kind="stable")[:, :n_sample]
    out = np.empty((rows, n_sample), dtype=np.int64)
    for i in range(rows):
        # Running sum in the probabilities' dtype, normalised, last bucket forced to 1.
        cum = np.cumsum(probs[i], dtype=probs.dtype)
        cum = cum / cum[-1]
        cum[-1] = 1
        out[i] = np.searchsorted(cum.astype(_F64), unit53(gen, n_sample), side="left")
    return out


def poisson(gen: Generator, lam: np.ndarray) -> np.ndarray:
    """torch's ``sample_poisson`` per element, in order (float64 ``lam``, flat): Hoermann's
    transformed rejection for a rate of 10 or more, products of uniforms below (as NumPy's
    legacy sampler), one double uniform per draw."""
    out = np.empty(lam.size, dtype=_F64)

    def u() -> float:
        return float(unit53(gen, 1)[0])

    for i, rate in enumerate(lam.tolist()):
        if rate >= 10:
            slam, loglam = math.sqrt(rate), math.log(rate)
            b = 0.931 + 2.53 * slam
            a = -0.059 + 0.02483 * b
            invalpha = 1.1239 + 1.1328 / (b - 3.4)
            vr = 0.9277 - 3.6224 / (b - 2)
            while True:
                uu = u() - 0.5
                vv = u()
                us = 0.5 - abs(uu)
                k = math.floor((2 * a / us + b) * uu + rate + 0.43)
                if us >= 0.07 and vv <= vr:
                    break
                if k < 0 or (us < 0.013 and vv > us):
                    continue
                if (math.log(vv) + math.log(invalpha) - math.log(a / (us * us) + b)
                        <= -rate + k * loglam - math.lgamma(k + 1.0)):
                    break
            out[i] = k
        elif rate == 0:
            out[i] = 0
        else:
            enlam = math.exp(-rate)
            x, prod = 0, 1.0
            while True:
                prod *= u()
                if prod > enlam:
                    x += 1
                else:
                    break
            out[i] = x
    return out
