"""The profiler from spec code: it runs and reports, but writes no file (contract section 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow_helpers import run_spec_src

from adcli.spec.errors import SpecError

PROFILE = """
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
with torch.autograd.profiler.profile(record_shapes=True) as prof:
    with torch.autograd.profiler.record_function("block"):
        y = (x * 2).sin().sum()
    y.backward()
names = [e.name for e in prof.function_events]
counts = {a.key: a.count for a in prof.key_averages()}
table = prof.key_averages().table(sort_by="count", row_limit=3)
"""


def test_a_spec_can_profile() -> None:
    result = run_spec_src(PROFILE)
    names = result.evaluate("names")
    assert names[:4] == ["block", "aten::mul", "aten::sin", "aten::sum"]
    assert "autograd::engine::evaluate_function: SinBackward0" in names
    assert result.evaluate("counts")["aten::mul"] == 1
    assert "# of Calls" in result.evaluate("table")


@pytest.mark.parametrize("step", [
    "prof.export_chrome_trace('trace.json')",
    "prof.function_events.export_chrome_trace('trace.json')",
    "prof.export_stacks('stacks.txt')",
    "torch.autograd.graph.set_warn_on_accumulate_grad_stream_mismatch(False)",
])
def test_a_spec_cannot_write_trace_files(step: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = "with torch.autograd.profiler.profile() as prof:\n    y = torch.ones(2) * 2\n" + step
    name = step.split("(")[0].rsplit(".", 1)[-1]
    with pytest.raises(SpecError, match=f"unknown .*{name}'"):  # refused when checked
        run_spec_src(src)
    assert list(tmp_path.iterdir()) == []
