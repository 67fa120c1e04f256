"""The snippet corpus (tests/corpus/snippets: real, public PyTorch autograd code) pasted as one
spec step each: every snippet loads, and what it prints (and the error it stops with) is what
the same code prints on PyTorch."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from flow_helpers import spec_text

from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

CORPUS = Path(__file__).parent.parent / "corpus"
sys.path.insert(0, str(CORPUS))
from test_corpus import SNIPPETS, assert_same_output  # noqa: E402
from test_corpus import run as run_python  # noqa: E402

torch = pytest.importorskip("torch")

# Snippets whose loops run past a spec's statement budget (50,000 statements, iterations,
# calls and operations): the run stops there with the budget's message, as designed.
OVER_BUDGET = {"t06_polynomial_custom_function"}


def _spec_output(path: Path) -> tuple[str, object]:
    spec = load_specs(f"{path.stem}.yaml", text=spec_text(path.read_text(),
                                                           header="dtype: float32\n"))[0]
    report = run_spec(spec, raise_internal=True)
    lines = [line for step in report.steps for line in step.outputs]
    return "\n".join(lines) + ("\n" if lines else ""), report


@pytest.mark.slow
@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
def test_snippet_as_a_spec_prints_what_torch_prints(path: Path) -> None:
    out, report = _spec_output(path)
    assert report.internal is None
    if path.stem in OVER_BUDGET:
        assert report.error is not None and "statements, loop iterations" in \
            report.error.message
        return
    t_out, t_err, _ = run_python(path.read_text(), torch, path)
    if t_err is None:
        assert report.ok, report.error
    else:  # the spec stops with torch's message, located
        assert report.error is not None and report.error.message == str(t_err.message)
        assert report.error.line > 0
    m = re.search(r"^# tolerance: (\S+)", path.read_text(), re.M)
    assert_same_output(out, t_out, float(m.group(1)) if m else 1e-4)


def test_every_snippet_loads_as_a_spec() -> None:
    for path in SNIPPETS:
        load_specs(f"{path.stem}.yaml", text=spec_text(path.read_text()))
