"""torch's CPU samplers of the gamma family, bit for bit: ``_standard_gamma`` (Marsaglia-Tsang
with the boost for alpha < 1), ``_sample_dirichlet`` (gammas in double, normalised),
``binomial`` (BTRS, or inversion by geometric waiting times) and the reparameterisation
gradients ``_standard_gamma_grad`` and ``_dirichlet_grad`` (ATen's Distributions.h).

torch draws element by element in row-major order (``cpu_serial_kernel`` over a fresh
contiguous result), each draw a double uniform (``random64``) or torch's per-element double
normal (Box-Muller with its cached second value), so the kernels here run in that order on the
same generator. Arithmetic follows the C++ types: a float32 parameter keeps float arithmetic
where ATen's template does (``scalar_t``), double elsewhere (``accscalar_t``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidValueError, NotImplementedDerivativeError
from ..libm import exact, libm
from ..op import OpDef
from ..ops.arithmetic import NotImplementedOp
from ..tensor import Tensor
from . import distributions as dist
from .generator import Generator, get_generator

__all__ = ["_standard_gamma", "_standard_gamma_grad", "_sample_dirichlet", "_dirichlet_grad",
           "binomial"]

_F32 = np.float32
_THIRD = float(_F32(1.0) / _F32(3.0))


class _FloatLibm:
    """The C library's float functions (logf, powf, log1pf), which ATen's float kernels call:
    NumPy's own float32 loops may round differently. Set up on first use (see engine/libm)."""

    def __getattr__(self, name: str) -> Any:
        import ctypes

        lib = libm()
        for fname, nargs in (("logf", 1), ("log1pf", 1), ("powf", 2)):
            fn = getattr(lib, fname)
            fn.restype = ctypes.c_float
            fn.argtypes = [ctypes.c_float] * nargs
            setattr(self, fname, fn)
        return getattr(lib, name)


_LIBM = _FloatLibm()


def _caster(dt: np.dtype) -> Any:
    """scalar_t arithmetic: rounding to float32 for a float tensor, nothing for a double one."""
    if dt == np.float64:
        return float
    return lambda v: float(_F32(v))


# -- kernels -------------------------------------------------------------------------------
def _gamma_one(alpha: float, uniform: Any, normal: Any, sc: Any) -> float:
    """sample_gamma<scalar_t, double>: ``alpha`` in scalar_t, the rest in double."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= math.pow(1 - uniform(), sc(1.0 / alpha))
        alpha = sc(alpha + 1.0)
    d = sc(alpha - _THIRD)  # 1.0f / 3.0f: a float constant, whatever scalar_t
    # C arithmetic: a negative or NaN alpha gives NaN (then a NaN sample), zero gives inf
    c = math.nan if not 9.0 * d >= 0 else (math.inf if d == 0 else 1.0 / math.sqrt(9.0 * d))
    k331 = float(_F32(0.0331))
    while True:
        while True:
            x = normal()
            y = 1.0 + c * x
            if not y <= 0:  # C's do { } while (y <= 0): a NaN y leaves the loop
                break
        v = y * y * y
        u = 1 - uniform()
        xx = x * x
        if u < 1.0 - k331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _draws(gen: Generator) -> tuple[Any, Any]:
    def uniform() -> float:
        return float(dist.unit53(gen, 1)[0])

    def normal() -> float:
        return float(dist.box_muller(gen, 1)[0])

    return uniform, normal


def standard_gamma(gen: Generator, alpha: np.ndarray, as_double: bool = False) -> np.ndarray:
    """``_s_gamma_cpu`` on a contiguous ``alpha`` (float64 result for ``as_double``: the
    dirichlet kernel's gammas), floored at the dtype's smallest normal number."""
    dt = np.dtype(np.float64) if as_double else alpha.dtype
    sc = _caster(dt)
    uniform, normal = _draws(gen)
    flat = alpha.reshape(-1).tolist()
    out = np.empty(len(flat), dtype=dt)
    tiny = float(np.finfo(dt).tiny)
    for i, a in enumerate(flat):
        s = _gamma_one(a, uniform, normal, sc)
        # std::max(min(), (scalar_t) sample) is ``min() < s ? s : min()``: NaN gives min()
        s = sc(s)
        out[i] = s if tiny < s else tiny
    return out.reshape(alpha.shape)


_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _inversion(count: float, prob: float, uniform: Any, sc: Any) -> float:
    geom_sum = 0.0
    num_geom = 0.0
    logprob = math.log1p(-prob) if sc is float else _LIBM.log1pf(-prob)
    while True:
        u = uniform()
        geom_sum += math.ceil(math.log(u) / logprob) if u > 0 else math.inf
        if geom_sum > count:
            return num_geom
        num_geom = sc(num_geom + 1)


def _btrs(count: float, prob: float, uniform: Any, sc: Any) -> float:
    stddev = sc(math.sqrt(sc(sc(count * prob) * sc(1 - prob))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = sc(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = sc(prob / sc(1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(math.floor(sc(sc(count + 1) * prob)))
    while True:
        u = uniform() - 0.5
        v = uniform()
        us = 0.5 - abs(u)
        k = sc(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        nk1 = sc(sc(count - k) + 1)
        upper = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + sc(count + 1) * math.log((count - m + 1) / nk1)
                 + (k + 0.5) * math.log(r * nk1 / sc(k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m)
                 - _stirling_tail(k) - _stirling_tail(sc(count - k)))
        if v <= upper:
            return k


def _binomial_one(count: float, prob: float, uniform: Any, sc: Any) -> float:
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if sc(count * prob) >= 10.0:
            return _btrs(count, prob, uniform, sc)
        return _inversion(count, prob, uniform, sc)
    if prob > 0.5:
        q = sc(1.0 - prob)
        if sc(count * q) >= 10.0:
            return sc(count - _btrs(count, q, uniform, sc))
        return sc(count - _inversion(count, q, uniform, sc))
    return math.nan


def binomial_counts(gen: Generator, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """``_s_binomial_cpu``: one sample per element of the (same-shape) ``count``/``prob``."""
    sc = _caster(count.dtype)
    uniform, _ = _draws(gen)
    out = [_binomial_one(n, p, uniform, sc)
           for n, p in zip(count.reshape(-1).tolist(), prob.reshape(-1).tolist())]
    return np.asarray(out, dtype=count.dtype).reshape(count.shape)


# -- reparameterisation gradients -------------------------------------------------------------
_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3,
              -8.33333333333333333333E-3, 8.33333333333333333333E-2)


def _log(x: float, sc: Any) -> float:
    """std::log on scalar_t (the C library's logf for a float, as ATen calls it)."""
    if sc is float:
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    return _LIBM.logf(x)


def _digamma_one(x: float, sc: Any = float) -> float:
    """digamma_one<scalar_t, double>: ``x`` (and 1/x, log x, 0.5/x) in scalar_t, the sums in
    double, the result cast to scalar_t."""
    if x == 0:
        return math.inf
    extra = 0.0
    if x < 0:
        if x == math.floor(x):
            return math.inf
        extra = -math.pi / math.tan(math.pi * x)
        x = sc(1 - x)
    result = 0.0
    while x < 10:
        result -= sc(1 / x)
        x = sc(x + 1)
    if x == 10:
        return sc(result + _PSI_10 + extra)
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / sc(x * x)
        poly = 0.0
        for coef in _DIGAMMA_A:
            poly = poly * z + coef
        y = z * poly
    return sc(result + _log(x, sc) - sc(0.5 / x) - y + extra)


_GAMMA_UV = ((0.16009398, -0.094634809, 0.025146376, -0.0030648343,
              1, 0.32668115, 0.10406089, 0.0014179084),
             (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
              0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
             (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
              0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07))


def _gamma_grad_one(alpha: float, x: float) -> float:
    """standard_gamma_grad_one: -(d/dalpha cdf(x; alpha)) / pdf(x; alpha), in double."""
    if x < float(_F32(0.8)):
        numer, denom = 1.0, alpha
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += numer / denom
            series2 += numer / (denom * denom)
        with np.errstate(all="ignore"):
            pow_x_alpha = float(exact("power", x, alpha))
            pdf = float(exact("power", x, alpha - 1)) * math.exp(-x)
            cdf = pow_x_alpha * series1
            lx = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
            cdf_alpha = (lx - _digamma_one(alpha)) * cdf - pow_x_alpha * series2
            result = float(np.float64(-cdf_alpha) / np.float64(pdf))
        return 0.0 if math.isnan(result) else result
    if alpha > 8.0:
        if float(_F32(0.9)) * alpha <= x <= float(_F32(1.1)) * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x)
                       - 65 * x * x / alpha + alpha * (107 + 3600 * x))
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return numer_1 * numer_2 / denom
        denom = math.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = math.pow(x - alpha - alpha * math.log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = (math.log(x / alpha) * term23
                 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x)))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        return -stirling * (x * term1) / denom
    u = math.log(x / alpha)
    v = math.log(alpha)
    cv = [_GAMMA_UV[0][i] + u * (_GAMMA_UV[1][i] + u * _GAMMA_UV[2][i]) for i in range(8)]
    p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
    q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
    return math.exp(p / q)


def _beta_grad_alpha_small(x: float, alpha: float, beta: float, sc: Any) -> float:
    factor = sc(sc(_digamma_one(alpha, sc) - _digamma_one(sc(alpha + beta), sc))
                - _log(x, sc))
    numer = 1.0
    series = sc(sc(numer / alpha) * sc(factor + sc(1 / alpha)))
    for i in range(1, 11):
        numer = sc(numer * sc(sc(sc(i - beta) * x) / i))
        denom = sc(alpha + i)
        series = sc(series + sc(sc(numer / denom) * sc(factor + sc(1 / denom))))
    with np.errstate(all="ignore"):
        result = sc(sc(x * sc(_pow(sc(1 - x), -beta, sc))) * series)
    return 0.0 if math.isnan(result) else result


def _beta_grad_beta_small(x: float, alpha: float, beta: float, sc: Any) -> float:
    factor = sc(_digamma_one(sc(alpha + beta), sc) - _digamma_one(beta, sc))
    numer, betas, dbetas, series = 1.0, 1.0, 0.0, sc(factor / alpha)
    for i in range(1, 9):
        numer = sc(numer * sc(-x / i))
        dbetas = sc(sc(dbetas * sc(beta - i)) + betas)
        betas = sc(betas * sc(beta - i))
        series = sc(series + sc(sc(numer / sc(alpha + i)) * sc(dbetas + sc(factor * betas))))
    with np.errstate(all="ignore"):
        result = sc(-sc(_pow(sc(1 - x), sc(1 - beta), sc)) * series)
    return 0.0 if math.isnan(result) else result


def _pow(a: float, b: float, sc: Any) -> float:
    """std::pow on scalar_t operands (the C library's powf for float)."""
    if sc is float:
        return float(exact("power", np.float64(a), np.float64(b)))
    return _LIBM.powf(a, b)


def _beta_grad_alpha_mid(x: float, alpha: float, beta: float) -> float:
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x <= mean + 0.1 * std:
        poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                        8 * (1 - x) * (135 * beta - 11)))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = math.sqrt(2 * alpha / beta) * math.pow(total, 1.5) * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * math.log(alpha / (total * x))
    term3 = math.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4_base = (beta * math.log(beta / (total * (1 - x)))
                  + alpha * math.log(alpha / (total * x)))
    term4 = math.pow(term4_base, -1.5) if term4_base > 0 else math.nan
    term1234 = term1 + term2 * (term3 + (term4 if x < mean else -term4))
    return stirling * prefactor * term1234


_DIR_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def _dirichlet_grad_one(x: float, alpha: float, total: float, sc: Any) -> float:
    """dirichlet_grad_one: -(d/dalpha cdf(x; alpha, total - alpha)) / pdf / (1 - x)."""
    beta = sc(total - alpha)
    beta_d = total - alpha
    boundary = sc(sc(total * x) * sc(1 - x))
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta, sc)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(sc(1 - x), beta, alpha, sc)
    if alpha > 6 and beta > 6:
        return _beta_grad_alpha_mid(x, alpha, beta_d)
    u = math.log(x)
    a = math.log(alpha) - u
    b = math.log(total) - a
    pow_u, pow_a = (1.0, u, u * u), (1.0, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            c0, c1 = _DIR_C[0][i][j], _DIR_C[1][i][j]
            p += ua * (c0[0] + b * (c0[1] + b * (c0[2] + b * c0[3])))
            q += ua * (c1[0] + b * (c1[1] + b * (c1[2] + b * c1[3])))
    approx = x * sc(_digamma_one(total, sc) - _digamma_one(alpha, sc)) / beta_d
    return p / q * approx


# -- ops -------------------------------------------------------------------------------------
def _given(*arrays: Any, values: np.ndarray) -> np.ndarray:
    return values


def _no_derivative(aten: str) -> Any:
    def formula(g, s, B):
        raise NotImplementedDerivativeError(f"the derivative for '{aten}' is not implemented.")

    formula.__doc__ = f"not implemented (PyTorch: the derivative for '{aten}' is not implemented)"
    return formula


# Kept out of the derivative table (table.OPS) as the other samplers: a random forward has no
# finite differences to gradcheck; the tests compare gradients with torch's instead.
_standard_gamma_grad_op = OpDef("_standard_gamma_grad", "StandardGammaGradBackward0", _given,
                                torch="torch._standard_gamma_grad")
_standard_gamma_grad_op.grad("self")(_no_derivative("_standard_gamma_grad"))

_standard_gamma_op = OpDef("_standard_gamma", "StandardGammaBackward0", _given,
                           save=("self", "result"), torch="torch._standard_gamma")


@_standard_gamma_op.grad("self")
def _standard_gamma_self(g, s, B):
    "grad * _standard_gamma_grad(self, result)"
    if isinstance(g, Tensor):
        return g * _standard_gamma_grad(s.self, s.result)
    return g * _gamma_grad_values(s.self, s.result)


# torch records these three without a derivative formula (grad_fn NotImplemented)
_dirichlet_grad_op = NotImplementedOp("_dirichlet_grad", "aten::_dirichlet_grad", _given,
                                      inputs=("x", "alpha", "total"))
_sample_dirichlet_op = NotImplementedOp("_sample_dirichlet", "aten::_sample_dirichlet", _given,
                                        inputs=("self",))
_binomial_op = NotImplementedOp("binomial", "aten::binomial", _given, inputs=("count", "prob"))


def _float_input(t: Tensor, kernel: str) -> np.ndarray:
    a = t._data
    if a.dtype.kind != "f" or a.dtype == np.float16:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    return _c_order(a)


def _c_order(a: np.ndarray) -> np.ndarray:
    """``a`` in row-major order, keeping a 0-d array 0-d (np.ascontiguousarray would not)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def _gamma_grad_values(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    a, xs = np.broadcast_arrays(alpha, x)
    out = [_gamma_grad_one(ai, xi) for ai, xi in zip(a.reshape(-1).tolist(),
                                                      xs.reshape(-1).tolist())]
    return np.asarray(out, dtype=np.result_type(alpha, x)).reshape(a.shape)


# -- public functions --------------------------------------------------------------------------
def _standard_gamma(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Gamma(input, 1) samples (torch's numbers), differentiable by torch's reparam rule.

    StandardGammaBackward0: ``grad * _standard_gamma_grad(self, result)``."""
    alpha = _float_input(input, "gamma_cpu")
    values = standard_gamma(get_generator(generator), alpha)
    return _standard_gamma_op(input, values=values)


# ``adcli ops`` shows this rule (the op is not in the table: see above)
_standard_gamma.derivative_op = _standard_gamma_op  # type: ignore[attr-defined]


def _standard_gamma_grad(input: Tensor, output: Tensor) -> Tensor:
    """d sample / d alpha of Gamma(alpha, 1) samples ``output`` (torch's approximations)."""
    alpha = _float_input(input, "_standard_gamma_grad_cpu")
    values = _gamma_grad_values(alpha, output._data).astype(alpha.dtype, copy=False)
    return _standard_gamma_grad_op(input, values=values)


def _sample_dirichlet(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Dirichlet(input) samples over the last dim, torch's numbers for the same seed.

    Gammas in double, normalised, clamped to [smallest normal, 1 - ulp]. No derivative (as
    torch: ``Dirichlet.rsample`` adds one)."""
    alpha = _float_input(input, "dirichlet")
    dt = alpha.dtype
    gam = standard_gamma(get_generator(generator), alpha, as_double=True)
    total = np.broadcast_to(gam.sum(-1, keepdims=True), gam.shape)
    tiny = np.finfo(dt).tiny
    top = np.nextafter(dt.type(1), dt.type(0))
    values = np.minimum(top, np.maximum(tiny, (gam / total).astype(dt)))
    return _sample_dirichlet_op(input, values=values)


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """The Beta/Dirichlet reparameterisation gradient of samples ``x`` (torch's kernel)."""
    xs = _float_input(x, "_dirichlet_grad_cpu")
    sc = _caster(xs.dtype)
    xa, aa, ta = np.broadcast_arrays(xs, alpha._data, total._data)
    out = [sc(_dirichlet_grad_one(sc(xi), sc(ai), sc(ti), sc))
           for xi, ai, ti in zip(xa.reshape(-1).tolist(), aa.reshape(-1).tolist(),
                                 ta.reshape(-1).tolist())]
    values = np.asarray(out, dtype=xs.dtype).reshape(xa.shape)
    return _dirichlet_grad_op(x, alpha, total, values=values)


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """Binomial(count, prob) samples, torch's numbers for the same seed (no derivative).

    BTRS for ``count * min(p, 1 - p) >= 10``, else inversion, as ATen's kernel."""
    for name, t in (("count", count), ("prob", prob)):
        if t._data.dtype.kind != "f":
            raise InvalidValueError(f"binomial only supports floating-point dtypes for {name}, "
                                    f"got: {dtypes.scalar_type_name(t._data.dtype)}")
    if count._data.dtype != prob._data.dtype:
        raise InvalidArgumentError(
            f"Found dtype {dtypes.scalar_type_name(prob._data.dtype)} but expected "
            f"{dtypes.scalar_type_name(count._data.dtype)}")
    n = _c_order(count._data)
    p = _c_order(np.broadcast_to(prob._data, n.shape))
    values = binomial_counts(get_generator(generator), n, p)
    return _binomial_op(count, prob, values=values)
