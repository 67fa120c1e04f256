"""torch.special's Airy and Bessel functions and orthogonal polynomials: airy_ai, bessel_j0/j1,
bessel_y0/y1, modified_bessel_i0/i1/k0/k1, scaled_modified_bessel_k0/k1, spherical_bessel_j0,
chebyshev_polynomial_t/u/v/w (and shifted_), hermite_polynomial_h/he, laguerre_polynomial_l,
legendre_polynomial_p.

Each kernel is ATen's (Math.h: Cephes' rational and Chebyshev approximations, the three-term
recurrences with torch's special cases) run elementwise in the input's dtype: the same
operations in the same order, so float32 results round as torch's do. The transcendental
calls (sin, cos, exp, log, acos) go to the C library's sin/sinf, ... through ctypes, as ATen's
std:: calls do, so results are torch's bit for bit on the same libm. torch defines no
derivative for them: the result does not require grad (a new leaf), as in torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import NotImplementedArgumentError
from ..libm import libm as _libm
from ..rounding import fma
from ..tensor import Tensor
from . import bessel_data as D
from .common import result_dtype

# ----------------------------------------------------------------------------------------------
# the C library's functions, elementwise
# ----------------------------------------------------------------------------------------------
_CALLS: dict[tuple[str, str], Callable[[np.ndarray], np.ndarray]] = {}


def _cfn(name: str, x: np.ndarray) -> np.ndarray:
    """``name`` (sin, cos, exp, log, acos) of ``x`` by the C library, in x's dtype."""
    dt = x.dtype
    key = (name, dt.char)
    run = _CALLS.get(key)
    if run is None:
        lib = _libm()
        cname = name + ("f" if dt == np.float32 else "")
        cfun = getattr(lib, cname, None) if lib is not None else None
        if cfun is None:  # no C library to call: NumPy's (within an ulp)
            uf = getattr(np, {"acos": "arccos"}.get(name, name))

            def run(a: np.ndarray, uf: Any = uf) -> np.ndarray:
                with np.errstate(all="ignore"):
                    return uf(a)
        else:
            import ctypes  # (loaded with the library: see engine/libm)

            ctype = ctypes.c_float if dt == np.float32 else ctypes.c_double
            cfun.restype = ctype
            cfun.argtypes = [ctype]
            vec = np.frompyfunc(cfun, 1, 1)

            def run(a: np.ndarray, vec: Any = vec, dt: Any = dt) -> np.ndarray:
                if a.size == 0:
                    return a.astype(dt)
                return np.asarray(vec(a), dtype=dt)
        _CALLS[key] = run
    return run(x)


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once, as C's fma: torch's build contracts ``a * b + c`` in these
    kernels into fused multiply-adds, so the same rounding is needed for the same bits.
    engine/rounding's emulation; near overflow (where its exact product splits overflow) the
    C library's fma, element by element."""
    a, b, c = np.broadcast_arrays(np.asarray(a), np.asarray(b), np.asarray(c))
    r = fma(a, b, c)
    if r.dtype != np.float64:
        return r
    with np.errstate(all="ignore"):
        odd = (np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
               & ((np.abs(a) >= 1e290) | (np.abs(b) >= 1e290) | (np.abs(a * b) >= 1e300)))
    if odd.any():
        r = np.array(r)
        r[odd] = _cfma(a[odd], b[odd], c[odd])
    return r


def _cfma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    lib = _libm()
    f = getattr(lib, "fma", None) if lib is not None else None
    if f is None:
        return a * b + c
    import ctypes

    f.restype = ctypes.c_double
    f.argtypes = [ctypes.c_double] * 3
    return np.array([f(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())],
                    dtype=np.float64)

def _two(a: Any, b: Any, c: Any, d: Any) -> np.ndarray:
    """``a * b - c * d`` as torch's build computes it: the first product fused."""
    return _fma(a, b, -(c * d))


def _horner(z: np.ndarray, coefs: tuple[float, ...]) -> np.ndarray:
    # acc = acc * z + c from acc = 0, as ATen's loops (0 * inf is nan there too)
    T = z.dtype.type
    acc = np.zeros_like(z)
    for c in coefs:
        acc = _fma(acc, z, T(c))
    return acc


def _chbevl(y: np.ndarray, coefs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """ATen's inline Chebyshev loop: returns (a, p), the last two terms."""
    T = y.dtype.type
    p = np.zeros_like(y)
    q = np.zeros_like(y)
    a = np.full_like(y, T(coefs[0]))
    for c in coefs[1:]:
        p = q
        q = a
        a = _fma(y, q, -p) + T(c)
    return a, p


def _pieces(x: np.ndarray, conds: list[tuple[np.ndarray, Callable[[np.ndarray], Any]]],
            rest: Callable[[np.ndarray], Any]) -> np.ndarray:
    """``rest`` where no condition holds; the first true condition's function elsewhere."""
    out = np.empty_like(x)
    todo = np.ones(x.shape, dtype=bool)
    T = x.dtype.type
    for cond, fn in conds:
        m = cond & todo
        if m.any():
            out[m] = fn(x[m]) if callable(fn) else T(fn)
        todo &= ~cond
    if todo.any():
        out[todo] = rest(x[todo])
    return out


# ----------------------------------------------------------------------------------------------
# Airy and Bessel kernels (x: float32 or float64 array)
# ----------------------------------------------------------------------------------------------
def _airy_ai(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type
    c0 = T(5.64189583547756286948e-01)

    def negative(x: np.ndarray) -> np.ndarray:
        s = np.sqrt(-x)
        z = T(1.0) / (T(-2.0) * x * s / T(3.0))
        zz = z * z
        afn, afd = _horner(zz, D.AIRY_AI_AFN), _horner(zz, D.AIRY_AI_AFD)
        agn, agd = _horner(zz, D.AIRY_AI_AGN), _horner(zz, D.AIRY_AI_AGD)
        t = T(-2.0) * x * s / T(3.0) + T(0.25) * T(math.pi)
        return c0 / np.sqrt(s) * _two(_cfn("sin", t), T(1.0) + z * z * afn / afd,
                                      _cfn("cos", t), z * agn / agd)

    def positive(x: np.ndarray) -> np.ndarray:
        zeta = T(2.0) * x * np.sqrt(x) / T(3.0)
        r = T(1.0) / zeta
        an, ad = _horner(r, D.AIRY_AI_AN), _horner(r, D.AIRY_AI_AD)
        return c0 * (an / ad) / (T(2.0) * np.sqrt(np.sqrt(x)) * _cfn("exp", zeta))

    def series(x: np.ndarray) -> np.ndarray:
        f = np.ones_like(x)
        g = x.copy()
        k = np.ones_like(x)
        m = np.ones_like(x)
        n = x.copy()
        z = x * x * x
        eps = np.finfo(x.dtype).eps
        act = np.ones(x.shape, dtype=bool)
        while act.any():
            i = act
            m[i] *= z[i]
            k[i] += T(1.0)
            m[i] /= k[i]
            n[i] *= z[i]
            k[i] += T(1.0)
            n[i] /= k[i]
            m[i] /= k[i]
            f[i] += m[i]
            k[i] += T(1.0)
            n[i] /= k[i]
            g[i] += n[i]
            act = i & (np.abs(m / f) > eps)
        return _two(T(0.355028053887817239260), f, T(0.258819403792806798405), g)

    return _pieces(x, [(np.isinf(x), np.nan), (x > T(103.892), 0.0), (x < T(-2.09), negative),
                       (x >= T(2.09), positive)], series)


_PI_4 = 0.785398163397448309615660845819875721
_3PI_4 = 2.356194490192344928846982537459627163
_SQ2PI = 0.797884560802865355879892119868763737
_TWO_PI = 0.636619772367581343075535053490057448


def _asym(x: np.ndarray, one: bool, y: bool) -> np.ndarray:
    """The large-x form of J0/J1/Y0/Y1 (x > 5)."""
    T = x.dtype.type
    if one:
        w = T(5.0) / x * (T(5.0) / x)
        pp, pq = _horner(w, D.BESSEL_J1_PP), _horner(w, D.BESSEL_J1_PQ)
        qp, qq = _horner(w, D.BESSEL_J1_QP), _horner(w, D.BESSEL_J1_QQ)
        s = x - T(_3PI_4)
    else:
        w = T(25.0) / (x * x)
        pp, pq = _horner(w, D.BESSEL_J0_PP), _horner(w, D.BESSEL_J0_PQ)
        qp, qq = _horner(w, D.BESSEL_J0_QP), _horner(w, D.BESSEL_J0_QQ)
        s = x - T(_PI_4)
    if y:
        v = _fma(pp / pq, _cfn("sin", s), T(5.0) / x * (qp / qq) * _cfn("cos", s))
    else:
        v = _two(pp / pq, _cfn("cos", s), T(5.0) / x * (qp / qq), _cfn("sin", s))
    return v * T(_SQ2PI) / np.sqrt(x)


def _bessel_j0(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type
    x = np.where(x < T(0), -x, x)

    def small(x: np.ndarray) -> np.ndarray:
        xx = x * x
        rp, rq = _horner(xx, D.BESSEL_J0_RP), _horner(xx, D.BESSEL_J0_RQ)
        return ((xx - T(5.78318596294678452118e+00)) * (xx - T(3.04712623436620863991e+01))
                * rp / rq)

    return _pieces(x, [(x < T(0.00001), lambda x: T(1.0) - x * x / T(4.0)),
                       (x <= T(5.0), small)], lambda x: _asym(x, False, False))


def _bessel_j1(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type
    neg = x < T(0.0)
    a = np.where(neg, -x, x)

    def small(x: np.ndarray) -> np.ndarray:
        xx = x * x
        rp, rq = _horner(xx, D.BESSEL_J1_RP), _horner(xx, D.BESSEL_J1_RQ)
        return (rp / rq * x * (xx - T(1.46819706421238932572e+01))
                * (xx - T(4.92184563216946036703e+01)))

    out = _pieces(a, [(a <= T(5.0), small)], lambda x: _asym(x, True, False))
    return np.where(neg, -out, out)


def _bessel_y0(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type

    def small(x: np.ndarray) -> np.ndarray:
        xx = x * x
        yp, yq = _horner(xx, D.BESSEL_Y0_YP), _horner(xx, D.BESSEL_Y0_YQ)
        return _fma(T(_TWO_PI) * _cfn("log", x), _bessel_j0(x), yp / yq)

    return _pieces(x, [(x == T(0.0), -np.inf), (x < T(0.0), np.nan), (x <= T(5.0), small)],
                   lambda x: _asym(x, False, True))


def _bessel_y1(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type

    def small(x: np.ndarray) -> np.ndarray:
        xx = x * x
        yp, yq = _horner(xx, D.BESSEL_Y1_YP), _horner(xx, D.BESSEL_Y1_YQ)
        inner = _fma(_bessel_j1(x), _cfn("log", x), -(T(1.0) / x))
        return _fma(x, yp / yq, T(_TWO_PI) * inner)

    return _pieces(x, [(x == T(0.0), -np.inf), (x <= T(0.0), np.nan), (x <= T(5.0), small)],
                   lambda x: _asym(x, True, True))


def _mb_i(x: np.ndarray, order: int) -> np.ndarray:
    T = x.dtype.type
    A, B = (D.MB_I0_A, D.MB_I0_B) if order == 0 else (D.MB_I1_A, D.MB_I1_B)

    def small(x: np.ndarray) -> np.ndarray:
        ax = np.abs(x)
        a, p = _chbevl(ax / T(2.0) - T(2.0), A)
        if order == 0:
            return _cfn("exp", ax) * (T(0.5) * (a - p))
        v = T(0.5) * (a - p) * ax * _cfn("exp", ax)
        return np.where(x < T(0.0), -v, v)

    def large(x: np.ndarray) -> np.ndarray:
        ax = np.abs(x)
        b, p = _chbevl(T(32.0) / ax - T(2.0), B)
        v = _cfn("exp", ax) * (T(0.5) * (b - p)) / np.sqrt(ax)
        return v if order == 0 else np.where(x < T(0.0), -v, v)

    return _pieces(x, [(np.abs(x) <= T(8.0), small)], large)


def _mb_k(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    T = x.dtype.type
    A, B = (D.MB_K0_A, D.MB_K0_B) if order == 0 else (D.MB_K1_A, D.MB_K1_B)

    def small(x: np.ndarray) -> np.ndarray:
        a, p = _chbevl(_fma(x, x, T(-2.0)), A)
        if order == 1:
            v = _fma(_cfn("log", T(0.5) * x), _mb_i(x, 1), T(0.5) * (a - p) / x)
        elif scaled:
            v = _fma(-_cfn("log", T(0.5) * x), _mb_i(x, 0), T(0.5) * (a - p))
        else:
            # ATen writes log(0.5 * x) with a double 0.5: this line is computed in double
            x64 = x.astype(np.float64)
            if x.dtype == np.float64:
                v = _fma(-_cfn("log", T(0.5) * x), _mb_i(x, 0), T(0.5) * (a - p))
            else:
                v = _fma(-_cfn("log", 0.5 * x64), _mb_i(x, 0).astype(np.float64),
                         (T(0.5) * (a - p)).astype(np.float64)).astype(x.dtype)
        return v * _cfn("exp", x) if scaled else v

    def large(x: np.ndarray) -> np.ndarray:
        b, p = _chbevl(T(8.0) / x - T(2.0), B)
        if scaled:
            return T(0.5) * (b - p) / np.sqrt(x)
        return _cfn("exp", -x) * (T(0.5) * (b - p)) / np.sqrt(x)

    return _pieces(x, [(x == T(0.0), np.inf), (x < T(0.0), np.nan), (x <= T(2.0), small)],
                   large)


def _spherical_j0(x: np.ndarray) -> np.ndarray:
    T = x.dtype.type

    def small(x: np.ndarray) -> np.ndarray:
        xx = x * x
        c = [T(1.0) / T(6227020800.0), T(-1.0) / T(39916800.0), T(1.0) / T(362880.0),
             T(-1.0) / T(5040.0), T(1.0) / T(120.0), T(-1.0) / T(6.0)]
        acc = c[0]
        for k in c[1:]:
            acc = _fma(xx, acc, k)
        return _fma(xx, acc, T(1.0))

    return _pieces(x, [(np.isinf(x), 0.0), (np.abs(x) < T(0.5), small)],
                   lambda x: _cfn("sin", x) / x)


# ----------------------------------------------------------------------------------------------
# orthogonal polynomials: x in the common dtype, n the int64 ATen casts n to
# ----------------------------------------------------------------------------------------------
def _recur(x: np.ndarray, n: np.ndarray, p0: np.ndarray, q0: np.ndarray, k0: int, stop: int,
           step: Callable[[int, np.ndarray, np.ndarray], np.ndarray], nan_stop: bool = True,
           kstep: int = 1) -> np.ndarray:
    """ATen's loop ``for k = k0; k < stop + n... && !isnan(q); r = step(k, p, q); p = q;
    q = r``, vectorised over elements with their own n; returns r (q0 when it never ran)."""
    p, q, r = p0.copy(), q0.copy(), q0.copy()
    last = int(n.max()) if n.size else 0
    k = k0
    while k < last + stop:
        act = k < n + stop
        if nan_stop:
            act &= ~np.isnan(q)
        if not act.any():
            break
        new = step(k, p, q)
        r = np.where(act, new, r)
        p = np.where(act, q, p)
        q = np.where(act, new, q)
        k += kstep
    return r


def _int_n(n: np.ndarray) -> np.ndarray:
    """static_cast<int64_t>(n): truncation; x86 gives INT64_MIN for nan, inf and overflow."""
    if n.dtype.kind in "biu":
        return n.astype(np.int64)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(n) & (np.abs(n) < 2.0 ** 63)
        return np.where(ok, np.trunc(np.where(ok, n, 0)), -1).astype(np.int64)


def _cheb(kind: str, shifted: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        T = x.dtype.type
        one = T(1.0)
        y = x + x - one if shifted else x
        tn = n.astype(x.dtype)
        even = n % 2 == 0
        out = np.zeros_like(x)
        done = n < 0
        with np.errstate(all="ignore"):
            at1 = (x == one) if shifted else (np.abs(x) == one) & (x > T(0.0))
            atm1 = (x == T(0.0)) if shifted else (np.abs(x) == one) & ~(x > T(0.0))
            two_n1 = (n + n + 1).astype(x.dtype)
            n1 = (n + 1).astype(x.dtype)
            val1 = {"t": one, "u": n1, "v": one, "w": two_n1}[kind]
            valm1 = {"t": np.where(even, one, -one), "u": np.where(even, n1, -n1),
                     "v": np.where(even, two_n1, -two_n1), "w": np.where(even, one, -one)}[kind]
            for cond, val in ((at1, val1), (atm1, valm1)):
                m = cond & ~done
                out = np.where(m, val, out)
                done |= m
            limit = {"t": 6, "u": 6 if shifted else 8, "v": 6 if shifted else 8,
                     "w": 4 if shifted else 8}[kind]
            trig = (n > limit) & (np.abs(y) < one) & ~done
            if trig.any():
                ac = _cfn("acos", np.where(trig, y, T(0.0)))
                if kind == "t":
                    v = _cfn("cos", tn * ac)
                elif kind == "u":
                    s = _cfn("sin", ac)
                    v = np.where(s != T(0.0), _cfn("sin", n1 * ac) / s,
                                 n1 * _cfn("cos", n1 * ac) / y)
                elif kind == "v":
                    v = np.where(_cfn("sin", ac / T(2.0)) != one,
                                 _cfn("cos", (tn + T(0.5)) * ac) / _cfn("cos", ac / T(2.0)),
                                 np.where(even, two_n1, -two_n1))
                else:
                    fallback = np.where(even, one, -one)
                    if not shifted:
                        fallback = np.where(x > T(0.0), two_n1, fallback)
                    v = np.where(_cfn("cos", ac / T(2.0)) != one,
                                 _cfn("sin", (tn + T(0.5)) * ac) / _cfn("sin", ac / T(2.0)),
                                 fallback)
                out = np.where(trig, v, out)
                done |= trig
            q1 = {"t": y, "u": y + y, "v": y + y - one, "w": y + y + one}[kind]
            out = np.where((n == 0) & ~done, one, out)
            out = np.where((n == 1) & ~done, q1, out)
            done |= (n == 0) | (n == 1)
            rest = ~done
            if rest.any():
                yy = y + y

                def step(k: int, p: np.ndarray, q: np.ndarray) -> np.ndarray:
                    return _fma(yy[rest], q, -p)

                r0 = q1[rest] if kind == "t" else np.full(int(rest.sum()), np.nan, x.dtype)
                r = _recur(x[rest], n[rest], np.ones_like(x[rest]), q1[rest], 2, 1, step)
                # the loop always runs here (n >= 2) unless q starts as nan: r is then
                # ATen's uninitialised r (T: x); nan either way for a nan start
                r = np.where(np.isnan(q1[rest]), r0, r)
                out[rest] = r
        return out

    return kernel


def _hermite(prob: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        T = x.dtype.type
        limit = 128 if x.dtype == np.float32 else 512
        q1 = x if prob else x + x
        out = np.where(n == 0, T(1.0), np.where(n == 1, q1, T(0.0))).astype(x.dtype)
        out = np.where(n > limit, T(np.nan), out)
        rest = (n >= 2) & (n <= limit)
        if rest.any():
            xr = x[rest]
            with np.errstate(all="ignore"):
                if prob:
                    def step(k: int, p: np.ndarray, q: np.ndarray) -> np.ndarray:
                        return _two(xr, q, T(k), p)

                    r = _recur(xr, n[rest], np.ones_like(xr), xr, 1, 0, step, False)
                else:
                    xx = xr + xr

                    def step(k: int, p: np.ndarray, q: np.ndarray) -> np.ndarray:
                        return _two(xx, q, T(k), p)

                    # k = 2, 4, ... while k < n + n
                    r = _recur(xr, 2 * n[rest], np.ones_like(xr), xx, 2, 0, step, False, 2)
            out[rest] = r
        return out

    return kernel


def _laguerre(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    T = x.dtype.type
    one = T(1.0)
    out = np.where(n < 0, T(0.0), np.where((np.abs(x) == T(0.0)) | (n == 0), one,
                                           np.where(n == 1, one - x, T(0.0)))).astype(x.dtype)
    rest = (n >= 2) & (np.abs(x) != T(0.0))
    if rest.any():
        xr = x[rest]
        with np.errstate(all="ignore"):
            def step(k: int, p: np.ndarray, q: np.ndarray) -> np.ndarray:
                return _two(T(k + k) + (one - xr), q, T(k), p) / T(k + 1)

            out[rest] = _recur(xr, n[rest], np.ones_like(xr), one - xr, 1, 0, step)
    return out


def _legendre(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    T = x.dtype.type
    one = T(1.0)
    out = np.where(n == 0, one, np.where(n == 1, x, T(0.0))).astype(x.dtype)
    at1 = np.abs(x) == one
    out = np.where(at1 & (n >= 0), np.where((x > T(0.0)) | (n % 2 == 0), one, -one), out)
    out = np.where(n < 0, T(0.0), out)
    rest = (n >= 2) & ~at1
    if rest.any():
        xr = x[rest]
        with np.errstate(all="ignore"):
            def step(k: int, p: np.ndarray, q: np.ndarray) -> np.ndarray:
                return _two(T(k + k + 1) * xr, q, T(k), p) / T(k + 1)

            out[rest] = _recur(xr, n[rest], np.ones_like(xr), xr, 1, 0, step)
    return out


# ----------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------
def _check_float(name: str, dt: np.dtype) -> None:
    if dt not in (np.float32, np.float64):
        raise NotImplementedArgumentError(
            f'"{name}_cpu" not implemented for \'{dtypes.scalar_type_name(dt)}\'')


def _finish(arr: np.ndarray, out: Any) -> Tensor:
    res = Tensor._make(arr if arr.flags.c_contiguous else arr.copy(), None, 0, None)
    if out is None:
        return res
    from ..out import _write

    _write(out, res)
    return out


def _as_float_array(t: Tensor) -> np.ndarray:
    a = t._data
    if a.dtype.kind in "biu":
        return a.astype(dtypes.get_default_dtype().np)
    return a


def _unary(name: str, kernel: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Tensor]:
    def fn(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"special_{name}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        a = _as_float_array(input)
        _check_float(name, a.dtype)
        with np.errstate(all="ignore"):
            return _finish(kernel(np.asarray(a)).reshape(a.shape), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.special.{name}: ATen's kernel in the input's dtype; no derivative."
    return fn


def _binary(name: str, kernel: Callable[[np.ndarray, np.ndarray], np.ndarray],
            hermite: bool = False) -> Callable[..., Tensor]:
    def fn(input: Any, n: Any, *, out: Tensor | None = None) -> Tensor:
        x_t, n_t = isinstance(input, Tensor), isinstance(n, Tensor)
        if not x_t and not n_t:
            raise TypeError(
                f"special_{name}() received an invalid combination of arguments - got "
                f"({type(input).__name__}, {type(n).__name__}), but expected one of:\n"
                " * (Tensor x, Tensor n, *, Tensor out = None)\n"
                " * (Number x, Tensor n, *, Tensor out = None)\n"
                " * (Tensor x, Number n, *, Tensor out = None)\n")
        from .common import as_tensor

        xt = input if x_t else as_tensor(input, n)
        nt = n if n_t else as_tensor(n, input)
        dt = result_dtype(xt._data, nt._data)
        if dt.kind in "biu":
            dt = dtypes.get_default_dtype().np
        _check_float(name, dt)
        xa, na = np.broadcast_arrays(xt._data.astype(dt), nt._data.astype(dt))
        ni = _int_n(na)
        with np.errstate(all="ignore"):
            res = kernel(np.array(xa), np.array(ni)).astype(dt).reshape(xa.shape)
        return _finish(res, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"torch.special.{name}(input, n): ATen's recurrence and special cases in the "
                  "common dtype; no derivative.")
    return fn


airy_ai = _unary("airy_ai", _airy_ai)
bessel_j0 = _unary("bessel_j0", _bessel_j0)
bessel_j1 = _unary("bessel_j1", _bessel_j1)
bessel_y0 = _unary("bessel_y0", _bessel_y0)
bessel_y1 = _unary("bessel_y1", _bessel_y1)
modified_bessel_i0 = _unary("modified_bessel_i0", lambda x: _mb_i(x, 0))
modified_bessel_i1 = _unary("modified_bessel_i1", lambda x: _mb_i(x, 1))
modified_bessel_k0 = _unary("modified_bessel_k0", lambda x: _mb_k(x, 0, False))
modified_bessel_k1 = _unary("modified_bessel_k1", lambda x: _mb_k(x, 1, False))
scaled_modified_bessel_k0 = _unary("scaled_modified_bessel_k0", lambda x: _mb_k(x, 0, True))
scaled_modified_bessel_k1 = _unary("scaled_modified_bessel_k1", lambda x: _mb_k(x, 1, True))
spherical_bessel_j0 = _unary("spherical_bessel_j0", _spherical_j0)

chebyshev_polynomial_t = _binary("chebyshev_polynomial_t", _cheb("t", False))
chebyshev_polynomial_u = _binary("chebyshev_polynomial_u", _cheb("u", False))
chebyshev_polynomial_v = _binary("chebyshev_polynomial_v", _cheb("v", False))
chebyshev_polynomial_w = _binary("chebyshev_polynomial_w", _cheb("w", False))
shifted_chebyshev_polynomial_t = _binary("shifted_chebyshev_polynomial_t", _cheb("t", True))
shifted_chebyshev_polynomial_u = _binary("shifted_chebyshev_polynomial_u", _cheb("u", True))
shifted_chebyshev_polynomial_v = _binary("shifted_chebyshev_polynomial_v", _cheb("v", True))
shifted_chebyshev_polynomial_w = _binary("shifted_chebyshev_polynomial_w", _cheb("w", True))
hermite_polynomial_h = _binary("hermite_polynomial_h", _hermite(False))
hermite_polynomial_he = _binary("hermite_polynomial_he", _hermite(True))
laguerre_polynomial_l = _binary("laguerre_polynomial_l", _laguerre)
legendre_polynomial_p = _binary("legendre_polynomial_p", _legendre)

SPECIAL: dict[str, Any] = {
    f.__name__: f for f in (
        airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0,
        modified_bessel_i1, modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0,
        scaled_modified_bessel_k1, spherical_bessel_j0, chebyshev_polynomial_t,
        chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
        shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
        shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w, hermite_polynomial_h,
        hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p)
}

TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
