"""Special functions (torch.special and their torch.* forms): erfc, erfcx, erfinv, lgamma,
digamma, polygamma, mvlgamma, zeta, i0/i0e/i1/i1e, ndtri, log_ndtr, sinc, entr, xlog1py, logit.

NumPy-only kernels accurate to float64 (scipy is not a dependency): the correctly rounded
``math.erf``/``erfc``/``lgamma`` elementwise, cephes' recurrence + asymptotic series for
digamma, Euler-Maclaurin for the Hurwitz zeta (polygamma), the positive-term power series and
the large-argument expansion for the modified Bessel functions, and Newton-polished inverses
(erfinv, ndtri). The derivative formulas are PyTorch's (derivatives.yaml), written against ``B``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .common import _inplace_unary, as_tensor
from .conversion import _float

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _elementwise(fn: Any) -> Any:
    uf = np.frompyfunc(fn, 1, 1)

    def run(x: np.ndarray) -> np.ndarray:
        return np.asarray(uf(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    return run


_erf64 = _elementwise(math.erf)
_erfc64 = _elementwise(math.erfc)


def _lgamma1(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # the poles: +inf, as std::lgamma
        return math.inf if not math.isnan(v) else math.nan


_lgamma64 = _elementwise(_lgamma1)


def _cast(out: np.ndarray, like: np.ndarray) -> np.ndarray:
    return np.asarray(out, dtype=like.dtype)


# ----------------------------------------------------------------------------------------------
# kernels (float64 in, float64 out)
# ----------------------------------------------------------------------------------------------
def _digamma64(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        neg = x < 0.5
        # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        xr = np.where(neg, 1 - x, x)
        w = np.zeros_like(x)
        y = xr.copy()
        for _ in range(10):
            small = y < 10
            w = np.where(small, w + 1 / y, w)
            y = np.where(small, y + 1, y)
        z = 1 / (y * y)
        # log y - 1/(2y) - sum B_2k / (2k y^2k)
        poly = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (
            1 / 132 - z * (691 / 32760 - z / 12))))))
        psi = np.log(y) - 0.5 / y - poly - w
        refl = psi - math.pi / np.tan(math.pi * x)
        out = np.where(neg, refl, psi)
        out = np.where(x == 0, -np.inf, out)  # torch: -inf at 0
        out = np.where((x < 0) & (x == np.floor(x)), np.nan, out)
    return out


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def _zeta64(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz zeta(s, q) (cephes' Euler-Maclaurin summation)."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    with np.errstate(all="ignore"):
        a = q.copy()
        total = q ** -s
        qmin = float(np.nanmin(q)) if q.size else 10.0
        n = max(9, math.ceil(9 - qmin) + 1) if math.isfinite(qmin) else 9
        b = np.zeros_like(q)
        for _ in range(n):
            a = a + 1
            b = a ** -s
            total = total + b
        w = a
        total = total + b * w / (s - 1) - 0.5 * b
        fac = np.ones_like(q)
        k = 0.0
        for coef in _ZETA_A:
            fac = fac * (s + k)
            b = b / w
            total = total + fac * b / coef
            k += 1
            fac = fac * (s + k)
            b = b / w
            k += 1
        out = np.where(s == 1, np.inf, total)
        out = np.where(s < 1, np.nan, out)
        out = np.where((q <= 0) & (q == np.floor(q)), np.inf, out)
        out = np.where((q < 0) & (q != np.floor(q)) & (s != np.floor(s)), np.nan, out)
    return out


def _trigamma64(x: np.ndarray) -> np.ndarray:
    """PyTorch's calc_trigamma: reflection below 1/2, six recurrence steps, then a short
    asymptotic series (torch's values, which are accurate to ~1e-10 only)."""
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        neg = x < 0.5
        sin_pi_x = np.sin(math.pi * x)
        result = np.where(neg, -(math.pi * math.pi) / (sin_pi_x * sin_pi_x), 0.0)
        y = np.where(neg, 1 - x, x)
        for _ in range(6):
            result = result + 1 / (y * y)
            y = y + 1
        ixx = 1 / (y * y)
        result = result + (1 + 1 / (2 * y) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / y
        return np.where(neg, -result, result)


def _polygamma64(n: int, x: np.ndarray) -> np.ndarray:
    if n == 0:
        return _digamma64(x)
    if n == 1:
        return _trigamma64(x)
    sign = -1.0 if n % 2 == 0 else 1.0
    return sign * math.factorial(n) * _zeta64(np.float64(n + 1), x)


def _erfinv64(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        # Giles' single-precision approximation, then Newton on the correctly rounded erf
        w = -np.log((1.0 - y) * (1.0 + y))
        wc = w - 2.5
        p1 = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            p1 = p1 * wc + c
        wt = np.sqrt(np.maximum(w, 5.0)) - 3.0
        p2 = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            p2 = p2 * wt + c
        ay = np.abs(y)
        x = np.where(w < 5.0, p1, p2) * ay
        for _ in range(3):
            fine = np.isfinite(x) & (ay < 1)
            xs = np.where(fine, x, 0)
            # erf(x) - |y|, near 1 as (1 - |y|) - erfc(x): 1 - |y| is exact there
            resid = np.where(ay > 0.5, (1 - ay) - _erfc64(xs), _erf64(xs) - ay)
            x = np.where(fine, x - resid / (2 / _SQRT_PI * np.exp(-xs * xs)), x)
        x = np.where(y < 0, -x, x)
        x = np.where(y == 1, np.inf, np.where(y == -1, -np.inf, x))
        x = np.where(np.abs(y) > 1, np.nan, x)
    return x


def _ndtri64(p: np.ndarray) -> np.ndarray:
    """The normal quantile: -sqrt(2) erfcinv(2p), polished by Newton on log-free erfc."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(all="ignore"):
        # a start from erfinv (fine in the middle), Acklam's tail form near 0 and 1
        x = math.sqrt(2) * _erfinv64(2 * p - 1)
        q = np.minimum(p, 1 - p)
        t = np.sqrt(-2 * np.log(q))
        tail = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (
            1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3)
        tail = np.where(p < 0.5, -tail, tail)
        x = np.where(q < 1e-3, tail, x)
        for _ in range(4):
            fine = np.isfinite(x) & (p > 0) & (p < 1)
            xs = np.where(fine, x, 0)
            cdf = np.where(xs < 0, 0.5 * _erfc64(-xs / math.sqrt(2)),
                           1 - 0.5 * _erfc64(xs / math.sqrt(2)))
            # for p < 0.5 compare in the lower tail where cdf is accurate
            pdf = np.exp(-0.5 * xs * xs) / _SQRT_2PI
            step = np.where(xs < 0, (cdf - p) / pdf,
                            ((1 - p) - 0.5 * _erfc64(xs / math.sqrt(2))) / pdf)
            x = np.where(fine, x - step, x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        x = np.where((p < 0) | (p > 1), np.nan, x)
    return x


def _erfcx64(x: np.ndarray) -> np.ndarray:
    """exp(x^2) erfc(x): the product for moderate x (x^2 split exactly), the asymptotic series
    for large x."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        c = 134217729.0 * x
        hi = c - (c - x)
        lo = x - hi
        sq_hi = hi * hi
        sq_lo = 2 * hi * lo + lo * lo
        direct = np.exp(sq_hi) * np.exp(sq_lo) * _erfc64(np.where(x < 12, x, 0))
        z = 1 / (2 * x * x)
        term = np.ones_like(x)
        series = np.ones_like(x)
        for k in range(1, 30):
            term = -term * (2 * k - 1) * z
            series = series + term
        asym = series / (x * _SQRT_PI)
        out = np.where(x < 12, direct, asym)
        out = np.where(x == np.inf, 0.0, out)
    return out


def _bessel_series(x: np.ndarray, nu: int) -> np.ndarray:
    """I_nu(|x|) e^{-|x|} by the positive-term power series (no cancellation), summed with
    the exponential scaling folded into the first term."""
    ax = np.abs(x)
    half = ax / 2
    with np.errstate(all="ignore"):
        first = np.exp(nu * np.log(np.where(half > 0, half, 1)) - ax - math.lgamma(nu + 1))
        first = np.where(half > 0, first, np.exp(-ax) if nu == 0 else 0.0)
        q = half * half
        term = first
        total = first.copy()
        kmax = int(np.max(ax, initial=0.0)) + 60
        for k in range(1, kmax):
            term = term * q / (k * (k + nu))
            total = total + term
    return total


def _bessel_asym(x: np.ndarray, nu: int) -> np.ndarray:
    """I_nu(x) e^{-x} for large x: e^0 / sqrt(2 pi x) * sum (-1)^k a_k(nu) / x^k."""
    ax = np.abs(x)
    mu = 4.0 * nu * nu
    with np.errstate(all="ignore"):
        term = np.ones_like(ax)
        total = np.ones_like(ax)
        for k in range(1, 40):
            term = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * ax)
            total = total + term
        return total / np.sqrt(2 * math.pi * ax)


def _ie64(x: np.ndarray, nu: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    big = np.abs(x) > 60
    out = np.where(big, _bessel_asym(np.where(big, x, 100.0), nu),
                   _bessel_series(np.where(big, 0.0, x), nu))
    if nu == 1:
        out = np.where(x < 0, -out, out)
    return np.where(np.isnan(x), np.nan, out)


def _i0_64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _ie64(x, 0) * np.exp(np.abs(np.asarray(x, np.float64)))


def _i1_64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return _ie64(x, 1) * np.exp(np.abs(np.asarray(x, np.float64)))


# ----------------------------------------------------------------------------------------------
# the table
# ----------------------------------------------------------------------------------------------
def _unary(name: str, backward: str, kernel: Any, save: tuple[str, ...] = ("self",),
           torch: str | None = None) -> Any:
    def forward(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind != "f":
            a = a.astype(np.float32)
        return _cast(kernel(a), a)

    return defop(name, backward, forward, save=save, torch=torch)


erfc_op = _unary("erfc", "ErfcBackward0", _erfc64)


@erfc_op.grad("self")
def _erfc_self(g, s, B):
    "-grad * 2/sqrt(pi) * exp(-self^2)"
    return -2.0 / _SQRT_PI * B.exp(-(s.self ** 2)) * g


erfcx_op = _unary("special_erfcx", "SpecialErfcxBackward0", _erfcx64, ("self", "result"),
                  torch="torch.special.erfcx")


@erfcx_op.grad("self")
def _erfcx_self(g, s, B):
    "grad * (2 self result - 2/sqrt(pi))"
    return (2.0 * s.self * s.result - 2.0 / _SQRT_PI) * g


erfinv_op = _unary("erfinv", "ErfinvBackward0", _erfinv64, ("self",))


@erfinv_op.grad("self")
def _erfinv_self(g, s, B):
    "grad * sqrt(pi)/2 * exp(erfinv(self)^2)"
    # as PyTorch: erfinv(self) recomputed from the saved input (double backward records it)
    return 0.5 * _SQRT_PI * B.exp(B.erfinv(s.self) ** 2) * g


lgamma_op = _unary("lgamma", "LgammaBackward0", _lgamma64)


@lgamma_op.grad("self")
def _lgamma_self(g, s, B):
    "grad * digamma(self)"
    return g * B.digamma(s.self)


digamma_op = _unary("digamma", "DigammaBackward0", _digamma64)


@digamma_op.grad("self")
def _digamma_self(g, s, B):
    "grad * polygamma(1, self)"
    return g * B.polygamma(1, s.self)


def _polygamma(a: np.ndarray, n: int) -> np.ndarray:
    if a.dtype.kind != "f":
        a = a.astype(np.float32)
    return _cast(_polygamma64(n, a), a)


polygamma_op = defop("polygamma", "PolygammaBackward0", _polygamma, save=("self",))


@polygamma_op.grad("self")
def _polygamma_self(g, s, B):
    "grad * polygamma(n + 1, self)"
    return g * B.polygamma(s.n + 1, s.self)


# PyTorch records polygamma_ with its own node (same formula)
polygamma_inplace_op = defop("polygamma_", "PolygammaBackward1", _polygamma, save=("self",),
                             torch="Tensor.polygamma_")
polygamma_inplace_op.grad("self")(_polygamma_self)


def _mvlgamma(a: np.ndarray, p: int) -> np.ndarray:
    if a.dtype.kind != "f":
        raise InvalidArgumentError("mvlgamma is not implemented for Long")
    out = sum(_lgamma64(a - j / 2) for j in range(p)) + p * (p - 1) / 4 * math.log(math.pi)
    return _cast(out, a)


mvlgamma_op = defop("mvlgamma", "MvlgammaBackward0", _mvlgamma, save=("self",))


@mvlgamma_op.grad("self")
def _mvlgamma_self(g, s, B):
    "grad * sum_j digamma(self - j/2)"
    total = B.digamma(s.self)
    for j in range(1, s.p):
        total = total + B.digamma(s.self - j / 2)
    return g * total


def _i0_torch(x: np.ndarray) -> np.ndarray:
    """torch.i0's values bit for bit: ATen's calc_i0 is modified_bessel_i0's kernel."""
    from .special_poly import _mb_i

    if x.dtype in (np.float32, np.float64):
        with np.errstate(all="ignore"):
            return _mb_i(x, 0)
    return _i0_64(x)


i0_op = _unary("i0", "I0Backward0", _i0_torch)


@i0_op.grad("self")
def _i0_self(g, s, B):
    "grad * i1(self)"
    return g * B.special_i1(s.self)


i0e_op = _unary("special_i0e", "SpecialI0EBackward0", lambda x: _ie64(x, 0),
                ("self", "result"), torch="torch.special.i0e")


@i0e_op.grad("self")
def _i0e_self(g, s, B):
    "grad * (i1e(self) - sgn(self) * result)"
    return g * (B.special_i1e(s.self) - B.sgn(s.self) * s.result)


i1_op = _unary("special_i1", "SpecialI1Backward0", _i1_64, ("self", "result"),
               torch="torch.special.i1")


@i1_op.grad("self")
def _i1_self(g, s, B):
    "grad * (i0(self) - result / self)  (1/2 where |self| <= eps)"
    x = s.self
    big, safe = _safe_self(x, s, B)
    return g * B.where(big, B.i0(safe) - s.result * B.reciprocal(safe), 0.5)


def _safe_self(x: Any, s: Any, B: Any) -> tuple[Any, Any]:
    # as PyTorch's i1_backward: |x| <= eps is replaced before dividing, so that double backward
    # does not meet 0/0 in the branch the where discards
    eps = float(np.finfo(s.dtype).eps)
    big = B.abs(x) > eps
    return big, B.where(big, x, eps)


i1e_op = _unary("special_i1e", "SpecialI1EBackward0", lambda x: _ie64(x, 1), ("self", "result"),
                torch="torch.special.i1e")


@i1e_op.grad("self")
def _i1e_self(g, s, B):
    "grad * (i0e(self) - result * (sgn(self) + 1/self))  (1/2 where |self| <= eps)"
    x = s.self
    big, safe = _safe_self(x, s, B)
    d = B.special_i0e(safe) - s.result * (B.sgn(safe) + B.reciprocal(safe))
    return g * B.where(big, d, 0.5)


ndtri_op = _unary("special_ndtri", "SpecialNdtriBackward0", _ndtri64, ("result",),
                  torch="torch.special.ndtri")


@ndtri_op.grad("self")
def _ndtri_self(g, s, B):
    "grad * sqrt(2 pi) * exp(result^2 / 2)"
    return g * (_SQRT_2PI * B.exp(s.result * s.result * 0.5))


def _log_ndtr64(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        t = x / math.sqrt(2)
        low = np.log(_erfcx64(-np.where(x < -1, t, -1.0)) / 2) - t * t
        high = np.log1p(-_erfc64(np.where(x < -1, 1.0, t)) / 2)
        return np.where(x < -1, low, high)


log_ndtr_op = _unary("special_log_ndtr", "SpecialLogNdtrBackward0", _log_ndtr64,
                     ("self", "result"), torch="torch.special.log_ndtr")


@log_ndtr_op.grad("self")
def _log_ndtr_self(g, s, B):
    "grad * exp(-self^2/2 - result) / sqrt(2 pi)"
    return g * B.exp(-(s.self * s.self) * 0.5 - s.result) / _SQRT_2PI


def _sinc(a: np.ndarray) -> np.ndarray:
    # in the input's precision, as torch computes it (pi x rounded to float32 for float32)
    if a.dtype.kind != "f":
        a = a.astype(np.float32)
    with np.errstate(all="ignore"):
        px = a * a.dtype.type(math.pi)
        return np.asarray(np.where(a == 0, 1.0, np.sin(px) / px), dtype=a.dtype)


sinc_op = defop("sinc", "SincBackward0", _sinc, save=("self",))


@sinc_op.grad("self")
def _sinc_self(g, s, B):
    "grad * (pi x cos(pi x) - sin(pi x)) / (pi x^2)  (0 at 0)"
    # as PyTorch's sinc_backward: where(self^2 pi == 0, 0, grad * (...) / (self^2 pi))
    x = s.self
    px = x * math.pi
    sq = x * x * math.pi
    with np.errstate(divide="ignore", invalid="ignore"):
        d = g * ((px * B.cos(px) - B.sin(px)) / sq)
    return B.where(sq == 0, 0.0, d)


def _entr64(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        x = np.asarray(x, np.float64)
        out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), 0.0)
        out = np.where(x < 0, -np.inf, out)
        return np.where(np.isnan(x), np.nan, out)


entr_op = _unary("special_entr", "SpecialEntrBackward0", _entr64, torch="torch.special.entr")


@entr_op.grad("self")
def _entr_self(g, s, B):
    "grad * -(1 + log(self))"
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * -(1 + B.log(s.self))


def _logit(a: np.ndarray, eps: Any = None) -> np.ndarray:
    if a.dtype.kind != "f":
        a = a.astype(np.float32)
    x = a if eps is None else np.clip(a, eps, 1 - eps)
    with np.errstate(all="ignore"):
        return _cast(np.log(x / (1 - x)), a)


logit_op = defop("logit", "LogitBackward0", _logit, save=("self",))


@logit_op.grad("self")
def _logit_self(g, s, B):
    "grad / (self (1 - self))  (0 outside [eps, 1 - eps])"
    x = s.self
    with np.errstate(divide="ignore", invalid="ignore"):
        d = g / (x * (1 - x))
    if s.eps is None:
        # as PyTorch: nan outside [0, 1]
        return B.where((x >= 0) & (x <= 1), d, math.nan)
    # as PyTorch: the derivative where lo <= self <= hi, 0 elsewhere (nan included)
    return B.where((x >= s.eps) & (x <= 1 - s.eps), d, 0.0)


def _xlog1py(x: Any, y: Any) -> np.ndarray:
    xa, ya = np.asarray(x), np.asarray(y)
    dt = np.result_type(xa.dtype if isinstance(x, np.ndarray) else np.float32,
                        ya.dtype if isinstance(y, np.ndarray) else np.float32)
    if dt.kind != "f":
        dt = np.dtype(np.float32)
    with np.errstate(all="ignore"):
        out = np.where(xa == 0, 0.0, xa * np.log1p(ya))
        out = np.where(np.isnan(ya), np.nan, out)
    return np.asarray(out, dtype=dt)


xlog1py_op = defop("special_xlog1py", "SpecialXlog1PyBackward0", _xlog1py,
                   inputs=("self", "other"), save={"self": ("self", "other"),
                                                   "other": ("self", "other")},
                   torch="torch.special.xlog1py")


@xlog1py_op.grad("self")
def _xlog1py_self(g, s, B):
    "grad * log1p(other)  (0 where self == 0 and other <= -1)"
    with np.errstate(divide="ignore", invalid="ignore"):
        return B.masked_fill(g * B.log1p(s.other), (s.self == 0) & (s.other <= -1), 0)


@xlog1py_op.grad("other")
def _xlog1py_other(g, s, B):
    "grad * self / (1 + other)"
    return g * s.self / (s.other + 1)


def _xlog1py_number_self(y: np.ndarray, self_value: float = 0.0) -> np.ndarray:
    return _xlog1py(np.asarray(self_value, dtype=y.dtype), y)


def _xlog1py_number_other(x: np.ndarray, other_value: float = 0.0) -> np.ndarray:
    return _xlog1py(x, np.asarray(other_value, dtype=x.dtype))


# xlog1py with a Python number on one side: PyTorch's Scalar overloads
xlog1py_self_scalar_op = defop("special_xlog1py_self_scalar", "SpecialXlog1PyBackward1",
                               _xlog1py_number_self, inputs=("other",), save=("other",),
                               torch="torch.special.xlog1py(number, tensor)")


@xlog1py_self_scalar_op.grad("other")
def _xlog1py_ss_other(g, s, B):
    "grad * self / (1 + other)"
    return g * s.self_value / (s.other + 1)


xlog1py_other_scalar_op = defop("special_xlog1py_other_scalar", "SpecialXlog1PyBackward2",
                                _xlog1py_number_other, save=("self",),
                                torch="torch.special.xlog1py(tensor, number)")


@xlog1py_other_scalar_op.grad("self")
def _xlog1py_os_self(g, s, B):
    "grad * log1p(other)  (0 where self == 0 and other <= -1)"
    o = s.other_value
    lg = math.log1p(o) if o > -1 else (-math.inf if o == -1 else math.nan)
    return B.masked_fill(g * lg, (s.self == 0) & (o <= -1), 0)


def _zeta(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    dt = np.result_type(a, q)
    dt = dt if dt.kind == "f" else np.dtype(np.float32)
    return np.asarray(_zeta64(a, q), dtype=dt)


zeta_op = defop("special_zeta", "SpecialZetaBackward0", _zeta, inputs=("self", "other"),
                save=("self", "other"), torch="torch.special.zeta")


def _zeta_number_self(q: np.ndarray, self_value: float = 0.0) -> np.ndarray:
    return _zeta(np.asarray(self_value, dtype=q.dtype if q.dtype.kind == "f" else np.float32), q)


zeta_self_scalar_op = defop("special_zeta_self_scalar", "SpecialZetaBackward1",
                            _zeta_number_self, inputs=("other",), save=("other",),
                            torch="torch.special.zeta(number, tensor)")


@zeta_self_scalar_op.grad("other")
def _zeta_ss_other(g, s, B):
    "grad * -self * zeta(self + 1, other)"
    return g * -s.self_value * B.special_zeta(s.self_value + 1, s.other)


@zeta_op.grad("self")
def _zeta_self(g, s, B):
    "not differentiable in the exponent (PyTorch raises)"
    raise InvalidArgumentError(
        "the derivative for 'self' is not implemented.")


@zeta_op.grad("other")
def _zeta_other(g, s, B):
    "grad * -self * zeta(self + 1, other)"
    return g * -s.self * B.special_zeta(s.self + 1, s.other)


# ==============================================================================================
# public functions
# ==============================================================================================
def erfc(input: Tensor) -> Tensor:
    return erfc_op(as_tensor(input))


def erfinv(input: Tensor) -> Tensor:
    return erfinv_op(as_tensor(input))


def lgamma(input: Tensor) -> Tensor:
    return lgamma_op(as_tensor(input))


def digamma(input: Tensor) -> Tensor:
    return digamma_op(as_tensor(input))


def polygamma(n: int, input: Tensor) -> Tensor:
    if isinstance(n, Tensor):
        n, input = input, n  # Tensor.polygamma(n) is input.polygamma(n)
    if n < 0:
        raise InvalidArgumentError("polygamma(n, x) does not support negative n.")
    return polygamma_op(as_tensor(input), n=int(n))


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def mvlgamma(input: Tensor, p: int) -> Tensor:
    if p < 1:
        raise InvalidArgumentError("p has to be greater than or equal to 1")
    return mvlgamma_op(as_tensor(input), p=int(p))


def i0(input: Tensor) -> Tensor:
    return i0_op(as_tensor(input))


def sinc(input: Tensor) -> Tensor:
    return sinc_op(as_tensor(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    if isinstance(eps, Tensor):  # torch's parser takes a one-element tensor as the number
        if eps.numel() != 1:
            raise TypeError("logit(): argument 'eps' (position 2) must be float, not Tensor")
        eps = float(eps._data.reshape(()))
    return logit_op(as_tensor(input), eps=eps)


def erfcx(input: Tensor) -> Tensor:
    return erfcx_op(as_tensor(input))


def i0e(input: Tensor) -> Tensor:
    return i0e_op(as_tensor(input))


def i1(input: Tensor) -> Tensor:
    return i1_op(as_tensor(input))


def i1e(input: Tensor) -> Tensor:
    return i1e_op(as_tensor(input))


def ndtri(input: Tensor) -> Tensor:
    return ndtri_op(as_tensor(input))


def log_ndtr(input: Tensor) -> Tensor:
    return log_ndtr_op(_float(as_tensor(input)))


def entr(input: Tensor) -> Tensor:
    return entr_op(as_tensor(input))


def xlog1py(input: Any, other: Any) -> Tensor:
    x = input if isinstance(input, Tensor) else float(input)
    y = other if isinstance(other, Tensor) else float(other)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        raise InvalidArgumentError("xlog1py: expected at least one Tensor argument")
    if not isinstance(x, Tensor):
        return xlog1py_self_scalar_op(y, self_value=x)
    if not isinstance(y, Tensor):
        return xlog1py_other_scalar_op(x, other_value=y)
    return xlog1py_op(x, y)


def zeta(input: Any, other: Any) -> Tensor:
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return zeta_self_scalar_op(other, self_value=float(input))
    a = input if isinstance(input, Tensor) else as_tensor(float(input))
    b = other if isinstance(other, Tensor) else as_tensor(float(other))
    return zeta_op(a, b)


# in place: the same nodes as the out-of-place ops (polygamma_: PolygammaBackward1)
erfc_ = _inplace_unary(erfc_op)
erfinv_ = _inplace_unary(erfinv_op)
lgamma_ = _inplace_unary(lgamma_op)
digamma_ = _inplace_unary(digamma_op)
i0_ = _inplace_unary(i0_op)
sinc_ = _inplace_unary(sinc_op)


def polygamma_(self: Tensor, n: int) -> Tensor:
    if n < 0:
        raise InvalidArgumentError("polygamma(n, x) does not support negative n.")
    return polygamma_inplace_op.inplace(self, n=int(n))


def mvlgamma_(self: Tensor, p: int) -> Tensor:
    if p < 1:
        raise InvalidArgumentError("p has to be greater than or equal to 1")
    return mvlgamma_op.inplace(self, p=int(p))


def logit_(self: Tensor, eps: float | None = None) -> Tensor:
    if isinstance(eps, Tensor):
        eps = float(eps._data.reshape(()))
    return logit_op.inplace(self, eps=eps)


# what formulas call (B.<name>)
def _N_digamma(x: np.ndarray) -> np.ndarray:
    return _cast(_digamma64(x), x)


def _N_erfinv(x: np.ndarray) -> np.ndarray:
    return _cast(_erfinv64(x), x)


def _N_polygamma(n: int, x: np.ndarray) -> np.ndarray:
    return _cast(_polygamma64(n, x), x)


def _N_i0(x: np.ndarray) -> np.ndarray:
    return _cast(_i0_torch(x), x)


def _N_special_i1(x: np.ndarray) -> np.ndarray:
    return _cast(_i1_64(x), x)


def _N_special_i0e(x: np.ndarray) -> np.ndarray:
    return _cast(_ie64(x, 0), x)


def _N_special_i1e(x: np.ndarray) -> np.ndarray:
    return _cast(_ie64(x, 1), x)


def _N_log1p(x: np.ndarray) -> np.ndarray:
    return np.log1p(x)


def _N_special_zeta(a: Any, q: np.ndarray) -> np.ndarray:
    return _cast(_zeta64(a, q), q)


def _B_special_i1(x: Tensor) -> Tensor:
    return i1(x)


def _B_special_i0e(x: Tensor) -> Tensor:
    return i0e(x)


def _B_special_i1e(x: Tensor) -> Tensor:
    return i1e(x)


def _B_special_zeta(a: Any, q: Tensor) -> Tensor:
    return zeta(a, q)


# torch.special's own names (adcli.special), beyond torch.<name>
SPECIAL: dict[str, Any] = {
    "erfcx": erfcx, "i0e": i0e, "i1": i1, "i1e": i1e, "ndtri": ndtri, "log_ndtr": log_ndtr,
    "entr": entr, "xlog1py": xlog1py, "zeta": zeta,
}

TORCH: dict[str, Any] = {
    "erfc": erfc, "erfinv": erfinv, "lgamma": lgamma, "digamma": digamma,
    "polygamma": polygamma, "mvlgamma": mvlgamma, "i0": i0, "sinc": sinc, "logit": logit,
    "erfc_": erfc_, "i0_": i0_, "sinc_": sinc_, "logit_": logit_,
}

METHODS: dict[str, Any] = {
    "erfc": erfc, "erfinv": erfinv, "lgamma": lgamma, "digamma": digamma,
    "polygamma": _polygamma_method, "mvlgamma": mvlgamma, "i0": i0, "sinc": sinc,
    "logit": logit, "erfc_": erfc_, "erfinv_": erfinv_, "lgamma_": lgamma_,
    "digamma_": digamma_, "i0_": i0_, "sinc_": sinc_, "polygamma_": polygamma_,
    "mvlgamma_": mvlgamma_, "logit_": logit_,
}

FUNCTIONAL: dict[str, Any] = {}
