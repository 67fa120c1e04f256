"""Hostile input, round 2 (issue 13): budgets for gradcheck, backward and graph; plugin
isolation; safe output; safe files; checked options; messages.

Every test runs the real ``adcli`` process, bounded in time and address space
(:mod:`hostile_harness`), and checks the exit code, that stdout is one JSON document where
``--json`` is given, that no traceback or raw control character appears, and that no file
was destroyed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
from hostile_harness import _run, popen

# Every test starts one or more real adcli processes (a second or more each).
pytestmark = pytest.mark.slow

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _clean(proc: subprocess.CompletedProcess[str], *, json_out: bool = False) -> object:
    """No traceback, no raw control character; with --json, stdout is one document."""
    out = proc.stdout or ""
    assert "Traceback" not in out + proc.stderr
    assert not RAW_CONTROL.search(out), out[:500]
    assert not RAW_CONTROL.search(proc.stderr), proc.stderr[:500]
    if json_out:
        return json.loads(out)
    return None


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# -- 1. gradcheck has a budget -------------------------------------------------------------
def test_full_check_of_a_huge_jacobian_is_refused_before_allocating(tmp_path: Path) -> None:
    """30,000 x 30,000 in float64 is 6.7 GiB: refused with the numbers, nothing allocated."""
    _write(tmp_path, "cumsum.yaml", """\
        tensors:
          x: randn(30000, requires_grad=True)
        gradcheck:
          - of: torch.cumsum(x, 0)
            wrt: [x]
        """)
    before = _snapshot(tmp_path)
    proc, seconds = _run(["gradcheck", "cumsum.yaml", "--json"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = _clean(proc, json_out=True)
    message = doc["checks"][0]["error"]["message"]  # type: ignore[index]
    assert "30,000 x 30,000 Jacobian" in message and "GiB" in message
    assert "mode: fast" in message and "--max-memory" in message
    assert proc.peak_kb is None or proc.peak_kb < 400 * 1024  # type: ignore[attr-defined]
    assert seconds < 20
    assert _snapshot(tmp_path) == before


def test_full_check_whose_work_is_quadratic_is_stopped_early(tmp_path: Path) -> None:
    """Each perturbation of a cumsum runs the whole function: 2n forwards of n elements.
    The Jacobian (1 x n) fits, the work does not: refused after a couple of chunks."""
    _write(tmp_path, "work.yaml", """\
        tensors:
          x: randn(1000000, requires_grad=True)
        gradcheck:
          - of: torch.cumsum(x, 0).sum()
            wrt: [x]
        """)
    proc, seconds = _run(["gradcheck", "work.yaml", "--json"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = _clean(proc, json_out=True)
    message = doc["checks"][0]["error"]["message"]  # type: ignore[index]
    assert "tensor elements" in message and "mode: fast" in message, message
    assert seconds < 25


def test_the_same_check_fits_a_raised_limit_and_fast_mode(tmp_path: Path) -> None:
    """The refusal is about the budget, not the function: small enough, it passes."""
    _write(tmp_path, "small.yaml", """\
        tensors:
          x: randn(300, requires_grad=True)
        gradcheck:
          - of: torch.cumsum(x, 0).sum()
            wrt: [x]
        """)
    proc, _ = _run(["gradcheck", "small.yaml", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, _ = _run(["gradcheck", "small.yaml", "--json", "--max-elements", "100"], tmp_path)
    assert proc.returncode == 1
    doc = _clean(proc, json_out=True)
    assert "--max-elements" in doc["checks"][0]["error"]["message"]  # type: ignore[index]


def test_fast_mode_respects_max_memory(tmp_path: Path) -> None:
    _write(tmp_path, "fast.yaml", """\
        tensors:
          x: randn(3000000, requires_grad=True)
        gradcheck:
          - of: (x.sin() * 2).sum()
            wrt: [x]
            mode: fast
        """)
    proc, _ = _run(["gradcheck", "fast.yaml", "--json", "--max-memory", "40"], tmp_path,
                   timeout=60)
    assert proc.returncode == 1, proc.stderr
    doc = _clean(proc, json_out=True)
    assert "MB" in doc["checks"][0]["error"]["message"]  # type: ignore[index]
    # 40 MB over the start-up size, plus the one allocation that crossed the line
    assert proc.peak_kb is None or proc.peak_kb < 330 * 1024  # type: ignore[attr-defined]


# -- 2. backward counts as work ------------------------------------------------------------
def test_repeated_backward_is_charged_to_the_work_budget(tmp_path: Path) -> None:
    body = "\n".join("    y.backward(retain_graph=True)" for _ in range(3000))
    (tmp_path / "bw.yaml").write_text(
        "tensors:\n  x: randn(100000, requires_grad=True)\nsteps:\n"
        "  - y = (x * 2).sin().sum()\n  - |\n" + body + "\n")
    proc, seconds = _run(["run", "bw.yaml", "--json", "--max-elements", "100000"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = _clean(proc, json_out=True)
    assert "tensor elements in total" in doc["error"]["message"]  # type: ignore[index]
    assert doc["error"]["step"] == 1  # type: ignore[index]
    assert seconds < 20


# -- 3. adcli graph is bounded -------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tree", "dot", "mermaid", "json"])
def test_graph_of_a_long_chain_is_bounded_in_every_format(tmp_path: Path, fmt: str) -> None:
    body = "\n".join("    x = x * 1.0001" for _ in range(3000))
    (tmp_path / "chain.yaml").write_text(
        "tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}\nsteps:\n  - |\n" + body + "\n")
    proc, _ = _run(["graph", "chain.yaml", "--saved", "--format", fmt], tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    _clean(proc, json_out=fmt == "json")
    assert len(proc.stdout) < 1_000_000
    assert "showing 500 of 3,001 nodes" in proc.stderr and "--max-nodes" in proc.stderr
    if fmt == "json":
        doc = json.loads(proc.stdout)
        assert doc["truncated"] is True and doc["omitted"] == 2501
        assert len(doc["nodes"]) == 500
    else:
        assert "2,501 more nodes" in proc.stdout
    proc, _ = _run(["graph", "chain.yaml", "--format", fmt, "--max-nodes", "5000"], tmp_path,
                   timeout=60)
    assert proc.returncode == 0 and "more nodes" not in proc.stdout + proc.stderr


# -- 4. plugin code is isolated -------------------------------------------------------------
PLUGIN = """\
import sys
import adcli


class Boom(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        print("plugin forward says hi")
        if MODE == "exit_forward":
            sys.exit(0)  # exit_forward
        return x * 2

    @staticmethod
    def backward(ctx, g):
        if MODE == "exit_backward":
            sys.exit(0)  # exit_backward
        if MODE == "raise_backward":
            raise RuntimeError("kaput")  # raise_backward
        if MODE == "interrupt_backward":
            raise KeyboardInterrupt  # interrupt_backward
        return g * 2


adcli.register_op("boom", Boom.apply)
"""

SPEC = """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = boom(x).sum()
  - y.backward()
"""


@pytest.mark.parametrize(("mode", "where", "raised", "step"), [
    ("exit_forward", "Boom.forward", "SystemExit", 0),
    ("exit_backward", "Boom.backward", "SystemExit", 1),
    ("raise_backward", "Boom.backward", "RuntimeError: kaput", 1),
    ("interrupt_backward", "Boom.backward", "KeyboardInterrupt", 1),
])
def test_plugin_failures_are_failed_steps_naming_the_plugin(tmp_path: Path, mode: str,
                                                            where: str, raised: str,
                                                            step: int) -> None:
    plugin = tmp_path / "plug.py"
    plugin.write_text(f"MODE = {mode!r}\n" + PLUGIN)
    _write(tmp_path, "s.yaml", SPEC)
    proc, _ = _run(["run", "s.yaml", "--json", "--plugin", "plug.py"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = _clean(proc, json_out=True)  # the plugin's print went to stderr, not stdout
    assert "plugin forward says hi" in proc.stderr
    err = doc["error"]  # type: ignore[index]
    assert err["kind"] == "plugin_error" and err["step"] == step
    assert where in err["message"] and raised in err["message"]
    line = next(i for i, text in enumerate(plugin.read_text().splitlines(), 1)
                if text.endswith(f"# {mode}"))
    assert f"plug.py:{line}" in err["message"]
    proc, _ = _run(["gradcheck", "s.yaml", "--json", "--plugin", "plug.py"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    _clean(proc, json_out=True)


def test_ctrl_c_in_plugin_code_still_stops_adcli(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(textwrap.dedent("""\
        import sys, time
        import adcli

        def slow(x):
            sys.stderr.write("started\\n")
            sys.stderr.flush()
            time.sleep(60)
            return x

        adcli.register_op("slow", slow)
        """))
    _write(tmp_path, "s.yaml", """\
        tensors:
          x: {data: [1.0]}
        steps:
          - y = slow(x)
        """)
    proc = popen(["run", "s.yaml", "--json", "--plugin", "slow.py"], tmp_path,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.strip() == "started"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err  # quiet, as the shell's own Ctrl-C convention
    assert "Traceback" not in err and "plugin_error" not in err


# -- 5. internal errors are not user errors ------------------------------------------------
def test_empty_reductions_match_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    _write(tmp_path, "empty.yaml", """\
        tensors:
          x: {data: [], requires_grad: true}
        steps:
          - p = torch.prod(x)
          - v = x.var(correction=0)
          - s = torch.softmax(x, 0)
          - ls = torch.log_softmax(x, 0)
          - lse = torch.logsumexp(x, 0)
          - (p + v + lse + s.sum() + ls.sum()).backward()
        """)
    proc, _ = _run(["run", "empty.yaml", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = _clean(proc, json_out=True)
    t = doc["tensors"]  # type: ignore[index]
    x = torch.zeros(0, dtype=torch.float64, requires_grad=True)
    want = {"p": torch.prod(x), "v": x.var(correction=0), "s": torch.softmax(x, 0),
            "ls": torch.log_softmax(x, 0), "lse": torch.logsumexp(x, 0)}
    for name, value in want.items():
        assert t[name]["shape"] == list(value.shape), name
        got = t[name]["value"]
        expected = value.tolist()
        if isinstance(expected, float):  # strict JSON: nan and -inf are strings
            assert float(got) == expected or (expected != expected and got == "nan"), name
        else:
            assert got == expected, name
    (want["p"] + want["v"] + want["lse"] + want["s"].sum() + want["ls"].sum()).backward()
    assert x.grad is not None and list(x.grad.shape) == [0] and t["x"]["grad"] == []


def test_an_engine_bug_is_exit_3_not_invalid_argument(tmp_path: Path) -> None:
    """A ValueError raised inside the engine must not satisfy ``raises: invalid_argument``."""
    # A stand-in for an engine bug: exp's forward now fails inside NumPy (no plugin frame on
    # the stack, as when the engine itself calls NumPy wrongly).
    (tmp_path / "bug.py").write_text(textwrap.dedent("""\
        import functools

        import numpy as np
        from adcli.engine.table import OPS

        OPS["exp"].forward = functools.partial(np.delete, obj=5)
        """))
    _write(tmp_path, "s.yaml", """\
        tensors:
          x: {data: [1.0]}
        steps:
          - do: y = torch.exp(x)
            raises: invalid_argument
        """)
    proc, _ = _run(["run", "s.yaml", "--plugin", "bug.py", "--json"], tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    _clean(proc, json_out=True)
    assert "rerun with --debug" in proc.stderr


# -- 6. output is safe and never crashes ---------------------------------------------------
ESC_SPEC = """\
name: "evil\\e]0;pwned\\a\\e[2J"
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - print("hi\\x1b[31mred\\x07")
  - y = x.sum()
  - expect: {y: 5.0}
gradcheck:
  - of: (x.detach() * 2 + x).sum()
    wrt: [x]
"""


@pytest.mark.parametrize("command", ["run", "gradcheck", "graph", "validate"])
def test_control_characters_from_a_spec_are_escaped(tmp_path: Path, command: str) -> None:
    _write(tmp_path, "esc.yaml", ESC_SPEC)
    proc, _ = _run([command, "esc.yaml"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    _clean(proc)
    if command != "graph":
        assert "\\x1b" in proc.stdout + proc.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", ["run", "gradcheck", "graph"])
def test_ascii_and_latin1_stdout(tmp_path: Path, encoding: str, command: str) -> None:
    _write(tmp_path, "uni.yaml", """\
        name: "naïve ✓ spec"
        tensors:
          x: {data: [1.0, 2.0], requires_grad: true}
        steps:
          - print("héllo ✓")
          - y = x.sum()
        gradcheck:
          - of: (x.detach() * 2 + x).sum()
            wrt: [x]
        """)
    # Under an ASCII stdout, click (behind `graph`) writes UTF-8, as it does for a C locale.
    decode = "utf-8" if command == "graph" and encoding == "ascii" else encoding
    proc, _ = _run([command, "uni.yaml"], tmp_path, env={"PYTHONIOENCODING": encoding},
                   encoding=decode)
    assert proc.returncode == (1 if command == "gradcheck" else 0), proc.stderr
    _clean(proc)


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xffname.yaml")
    (tmp_path / name).write_text("tensors:\n  x: {data: [1.0], requires_grad: true}\n"
                                 "steps:\n  - y = (x * x).sum()\n  - y.backward()\n")
    for command in (["run", name, "--json"], ["gradcheck", name, "--json"],
                    ["validate", name, "--json"]):
        proc, _ = _run(command, tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = _clean(proc, json_out=True)
        json.dumps(doc, ensure_ascii=False).encode("utf-8")  # no lone surrogate anywhere
        assert "bad\\\\xffname.yaml" in proc.stdout  # JSON text: an escaped backslash


def test_writing_to_a_full_disk_is_a_short_message(tmp_path: Path) -> None:
    _write(tmp_path, "ok.yaml", "tensors:\n  x: {data: [1.0], requires_grad: true}\n"
                                "steps:\n  - y = x * 2\n")
    with open("/dev/full", "w") as full:
        proc, _ = _run(["run", "ok.yaml"], tmp_path, stdout=full)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("adcli: cannot write the output: stdout: No space left on "
                                   "device")


def test_a_closed_stdout_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "ok.yaml", "tensors:\n  x: {data: [1.0]}\nsteps:\n  - y = x * 2\n")
    proc, _ = _run(["run", "ok.yaml"], tmp_path, stdout=None, close_stdout=True)
    assert proc.returncode == 2
    assert "standard output is closed" in proc.stderr


def test_broken_pipe_is_a_quiet_exit_141(tmp_path: Path) -> None:
    lines = "\n".join(f"  - print: [x + {i}]" for i in range(900))
    (tmp_path / "long.yaml").write_text("tensors:\n  x: randn(50)\nsteps:\n" + lines + "\n")
    proc = popen(["run", "long.yaml"], tmp_path, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith("== long")
    assert proc.returncode == 141, err
    assert err == ""


# -- 7. files are safe ---------------------------------------------------------------------
GOOD = """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x * x).sum()
  - y.backward()
"""


def test_junit_refuses_to_overwrite_an_input_spec(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    before = _snapshot(tmp_path)
    for target in ("a.yaml", "./a.yaml", str(tmp_path / "a.yaml")):
        proc, _ = _run(["gradcheck", "a.yaml", "--junit", target], tmp_path)
        assert proc.returncode == 2
        _clean(proc)
        assert "is an input spec" in proc.stderr
    proc, _ = _run(["gradcheck", ".", "--junit", "a.yaml"], tmp_path)  # found in a folder
    assert proc.returncode == 2
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(("args", "fragment"), [
    (["--junit", ""], "needs a file name"),
    (["--junit", "-", "--json"], "--json already uses"),
    (["--junit", "."], "is a folder"),
])
def test_junit_bad_targets_are_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    before = _snapshot(tmp_path)
    proc, _ = _run(["gradcheck", "a.yaml", *args], tmp_path)
    assert proc.returncode == 2
    _clean(proc)
    assert fragment in proc.stderr
    assert _snapshot(tmp_path) == before


def test_junit_dash_is_stdout(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    proc, _ = _run(["gradcheck", "a.yaml", "--junit", "-"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    _clean(proc)
    assert proc.stdout.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<testsuites" in proc.stdout and "PASS" not in proc.stdout


def test_junit_is_replaced_atomically_and_survives_an_interrupted_run(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    report = tmp_path / "report.xml"
    report.write_text("<old/>")
    inode = report.stat().st_ino
    proc, _ = _run(["gradcheck", "a.yaml", "--junit", "report.xml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert report.read_text().startswith("<?xml") and report.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "report.xml"]
    # Interrupted while a (slow plugin) check runs: the previous report is intact.
    report.write_text("<old/>")
    (tmp_path / "slow.py").write_text(textwrap.dedent("""\
        import sys, time
        import adcli

        def slow(x):
            sys.stderr.write("started\\n")
            sys.stderr.flush()
            time.sleep(60)
            return x

        adcli.register_op("slow", slow)
        """))
    _write(tmp_path, "b.yaml", """\
        tensors:
          x: {data: [1.0], requires_grad: true}
        gradcheck:
          - of: slow(x).sum()
        """)
    proc2 = popen(["gradcheck", "b.yaml", "--plugin", "slow.py", "--junit", "report.xml"],
                  tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc2.stderr is not None
    assert proc2.stderr.readline().strip() == "started"
    proc2.send_signal(signal.SIGINT)
    proc2.communicate(timeout=30)
    assert proc2.returncode == 130
    assert report.read_text() == "<old/>"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- 8. options are checked ----------------------------------------------------------------
@pytest.mark.parametrize(("args", "fragment"), [
    (["--eps", "0"], "--eps must be a finite number greater than 0"),
    (["--eps", "nan"], "--eps must be a finite number greater than 0"),
    (["--eps", "-1e-6"], "--eps must be"),
    (["--atol", "-1"], "--atol must be a number >= 0"),
    (["--rtol", "-0.5"], "--rtol must be a number >= 0"),
    (["--rtol", "nan"], "--rtol must be a number >= 0"),
    (["--plugin", "."], "is a folder"),
])
def test_options_are_checked(tmp_path: Path, args: list[str], fragment: str) -> None:
    _write(tmp_path, "a.yaml", GOOD)
    proc, _ = _run(["gradcheck", "a.yaml", "--json", *args], tmp_path)
    assert proc.returncode == 2
    _clean(proc)
    assert proc.stdout == ""
    assert fragment in proc.stderr


def test_numpy_warnings_never_reach_stderr(tmp_path: Path) -> None:
    _write(tmp_path, "w.yaml", """\
        tensors:
          x: {data: [0.0, -1.0, 1e308], requires_grad: true}
        steps:
          - y = (torch.log(x) * x * 1e308).sum()
          - y.backward()
        gradcheck:
          - of: (torch.log(x) * x * 1e308).sum()
        """)
    for command in ("run", "gradcheck", "graph"):
        proc, _ = _run([command, "w.yaml"], tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        _clean(proc)
        assert "Warning" not in proc.stderr and "site-packages" not in proc.stderr


# -- 9. messages ---------------------------------------------------------------------------
def test_a_non_ascii_tensor_name_says_what_is_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "n.yaml", "tensors:\n  café: {data: [1.0]}\nsteps:\n  - y = café * 2\n")
    proc, _ = _run(["run", "n.yaml"], tmp_path)
    assert proc.returncode == 2
    _clean(proc)
    assert "n.yaml:2:3:" in proc.stderr
    assert "identifier of ASCII letters" in proc.stderr
    assert "not a dunder name" not in proc.stderr


def test_an_int_too_big_uses_torch_wording(tmp_path: Path) -> None:
    _write(tmp_path, "big.yaml", "tensors:\n  w: {data: [1.5]}\nsteps:\n"
                                 "  - z = w // 10 ** 400\n")
    proc, _ = _run(["run", "big.yaml", "--json"], tmp_path)
    assert proc.returncode == 1
    doc = _clean(proc, json_out=True)
    assert doc["error"]["message"] == "int too big to convert"  # type: ignore[index]


@pytest.mark.parametrize(("statement", "call"), [
    ("x[0:2] = torch.zeros(3)", lambda t, x: x.__setitem__(slice(0, 2), t.zeros(3))),
    ("y = x[torch.tensor([7])]", lambda t, x: x[t.tensor([7])]),
])
def test_messages_use_torch_wording(tmp_path: Path, statement: str, call: object) -> None:
    torch = pytest.importorskip("torch")
    try:
        call(torch, torch.zeros(3))  # type: ignore[operator]
    except (RuntimeError, IndexError) as exc:
        want = str(exc)
    _write(tmp_path, "m.yaml", f"tensors:\n  x: {{data: [0.0, 0.0, 0.0]}}\nsteps:\n"
                               f"  - {statement}\n")
    proc, _ = _run(["run", "m.yaml", "--json"], tmp_path)
    assert proc.returncode == 1
    doc = _clean(proc, json_out=True)
    assert doc["error"]["message"] == want  # type: ignore[index]


def test_on_a_terminal_spec_text_is_escaped_by_the_views(tmp_path: Path) -> None:
    """stdout on a terminal keeps rich's colour codes, so the views escape spec text."""
    import io

    from rich.console import Console

    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs
    from adcli.view.run_report import render_run

    path = _write(tmp_path, "esc.yaml", ESC_SPEC)
    report = run_spec(load_specs(str(path))[0])
    buf = io.StringIO()
    render_run(Console(file=buf, force_terminal=True, color_system="standard", width=200,
                       highlight=False),
               report, plain=False)
    text = buf.getvalue()
    assert "\x1b[" in text  # rich's own styling is there ...
    assert "\x1b]0;" not in text and "\x07" not in text and "\x1b[2J" not in text  # ... no spec's
    assert "\\x1b]0;pwned" in text and "hi\\x1b[31mred" in text
