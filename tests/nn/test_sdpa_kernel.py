"""torch.nn.attention (SDPBackend, sdpa_kernel) and torch.backends.cuda's sdp switches
against torch 2.13's CPU build: which backends are on inside the block, which calls may run
(math, or the CPU flash kernel for the inputs it takes), warnings and errors word for word."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from requires import require_torch

sys.path.insert(0, str(Path(__file__).parent.parent / "autograd"))
from autograd_helpers import compare

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _flags(T: Any) -> list[bool]:
    c = T.backends.cuda
    return [c.flash_sdp_enabled(), c.mem_efficient_sdp_enabled(), c.math_sdp_enabled(),
            c.cudnn_sdp_enabled()]


def test_enum() -> None:
    def prog(T: Any) -> Any:
        B = T.nn.attention.SDPBackend
        return [(repr(b), str(b), int(b), b.name) for b in B.__members__.values()]

    compare(prog, torch)


BACKENDS = ["MATH", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "CUDNN_ATTENTION", "OVERRIDEABLE",
            "ERROR", "MATH+FLASH_ATTENTION", "EFFICIENT_ATTENTION+FLASH_ATTENTION", "none"]
INPUTS = ["4d", "dropout", "3d", "head_dims", "mask_causal_float64"]


@pytest.mark.parametrize("backends", BACKENDS)
@pytest.mark.parametrize("inputs", INPUTS)
def test_sdpa_kernel_decides_what_may_run(backends: str, inputs: str) -> None:
    def prog(T: Any) -> Any:
        B = T.nn.attention.SDPBackend
        chosen = [] if backends == "none" else [getattr(B, n) for n in backends.split("+")]
        arg = chosen[0] if len(chosen) == 1 else chosen
        T.manual_seed(0)
        q = T.randn(1, 2, 3, 4)
        k, v, kw = q * 0.5, q.flip(-1), {}
        if inputs == "dropout":
            kw["dropout_p"] = 0.0 if backends == "MATH" else 0.3
        elif inputs == "3d":
            q, k, v = q[0], k[0], v[0]
        elif inputs == "head_dims":
            v = T.randn(1, 2, 3, 5)
        elif inputs == "mask_causal_float64":
            q, k, v = q.double(), k.double(), v.double()
            kw["is_causal"] = True
        before = _flags(T)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with T.nn.attention.sdpa_kernel(arg) as ctx:
                    inside = _flags(T)
                    out: Any = T.nn.functional.scaled_dot_product_attention(q, k, v, **kw)
            except RuntimeError as e:
                out = str(e)
        # torch's warnings carry "(Triggered internally at ...)"; the message is what counts
        said = [str(w.message).split(" (Triggered internally")[0] for w in caught]
        return before, inside, ctx, out, said, _flags(T)

    compare(prog, torch, rtol=1e-5, atol=1e-6)


def test_priority_and_bad_argument_and_global_switches() -> None:
    def prog(T: Any) -> Any:
        B = T.nn.attention.SDPBackend
        out = []
        with T.nn.attention.sdpa_kernel([B.MATH, B.FLASH_ATTENTION], set_priority=True):
            out.append(_flags(T))
        try:
            with T.nn.attention.sdpa_kernel("math"):
                pass
        except AssertionError as e:
            out.append(str(e))
        q = T.ones(1, 1, 2, 2)
        c = T.backends.cuda
        c.enable_math_sdp(False)
        c.enable_flash_sdp(False)
        try:
            T.nn.functional.scaled_dot_product_attention(q, q, q)
        except RuntimeError as e:
            out.append(str(e))
        finally:
            c.enable_math_sdp(True)
            c.enable_flash_sdp(True)
        out.append(_flags(T))
        out.append(c.is_built())
        return out

    compare(prog, torch)
