"""The safety net: an op not audited for complex numbers refuses a complex tensor with one
error naming it (no silently wrong complex gradient); the audited ones are marked in the table
and in ``adcli ops``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import adcli
import adcli.nn.functional as F
from adcli.engine.errors import ComplexNotAuditedError
from adcli.engine.op import OpDef, defop
from adcli.engine.table import OPS


def z(*shape: int) -> Any:
    adcli.manual_seed(0)
    return adcli.randn(*shape, dtype=adcli.cdouble, requires_grad=True)


def test_a_new_op_is_not_audited_by_default() -> None:
    op = OpDef("probe_op", "ProbeBackward0", lambda a: a * 2)
    assert op.complex_ok is False
    with pytest.raises(ComplexNotAuditedError) as info:
        op(z(3))
    assert str(info.value).startswith("adcli: torch.probe_op does not support complex tensors")
    assert isinstance(info.value, NotImplementedError)
    assert info.value.kind == "complex_not_audited"
    op.call1(adcli.ones(3))  # real tensors: as before


@pytest.mark.parametrize("path", ["call", "call1", "call2", "call2 number", "inplace", "list"])
def test_every_entry_refuses(path: str) -> None:
    one = OpDef("probe1", "Probe1Backward0", lambda a: a + 0)
    two = OpDef("probe2", "Probe2Backward0", lambda a, b: a + b, inputs=("self", "other"))
    many = OpDef("probe3", "Probe3Backward0", lambda xs: np.concatenate(xs), inputs=("tensors",))
    x = z(3)
    run = {
        "call": lambda: one(x),
        "call1": lambda: one.call1(x),
        "call2": lambda: two.call2(adcli.ones(3), x),
        "call2 number": lambda: two.call2(adcli.ones(3), 1j),
        "inplace": lambda: one.inplace(x.detach().clone()),
        "list": lambda: many([adcli.ones(3), x]),
    }[path]
    with pytest.raises(ComplexNotAuditedError, match="does not support complex tensors"):
        run()


UNAUDITED = {
    "erf": lambda x: adcli.erf(x),
    "atan2": lambda x: adcli.atan2(x, x),
    "relu": lambda x: F.relu(x),
    "cumsum": lambda x: adcli.cumsum(x, 0),
    "logsumexp": lambda x: adcli.logsumexp(x, 0),
    "addmm": lambda x: adcli.addmm(x.unsqueeze(0), x.unsqueeze(0).t(), x.unsqueeze(0)),
    "pow tensor": lambda x: x ** x,
    "trace": lambda x: adcli.trace(adcli.outer(x, x)),
}


@pytest.mark.parametrize("name", sorted(UNAUDITED))
def test_unaudited_ops_refuse_complex_tensors(name: str) -> None:
    with pytest.raises(ComplexNotAuditedError):
        UNAUDITED[name](z(3))


def test_audited_ops_are_marked_in_the_table_and_in_adcli_ops() -> None:
    from adcli.docs_gen import entry_text, find_op
    from adcli.engine.registry import op_table

    rows = {r["name"]: r for r in op_table()}
    for name in ("mul", "exp", "mm", "view_as_real", "complex", "sum", "norm"):
        assert rows[name]["complex"] is True, name
    for name in ("erf", "atan2", "relu", "addmm"):
        assert rows[name]["complex"] is False, name
    assert "complex audited" in "\n".join(entry_text(find_op("mul")[0]))
    assert "complex audited" not in "\n".join(entry_text(find_op("erf")[0]))
    # every audited op says so in its rule text as a conjugate where its derivative needs one
    audited = {n for n, op in OPS.items() if op.complex_ok}
    assert {"mul", "div", "exp", "log", "sin", "mm", "bmm", "mv", "dot", "vdot"} <= audited


def test_defop_default_is_off() -> None:
    op = defop("probe_default_off", "ProbeDefaultOffBackward0", lambda a: a)
    try:
        assert op.complex_ok is False
    finally:
        del OPS["probe_default_off"]
