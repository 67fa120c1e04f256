"""The hostile corpus: every file ends fast, with a located one-line error and no side effect."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hostile_harness import _run

pytestmark = pytest.mark.slow  # one adcli process per file

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parents[2]

# file -> (exit code, substring of the message); 1 = a runtime failure, 2 = an invalid spec
EXPECTED: dict[str, tuple[int, str]] = {
    "assign_torch.yaml": (2, "reserved name 'torch'"),
    "billion_laughs.yaml": (2, "aliases"),
    "binary_garbage.yaml": (2, "not UTF-8"),
    "bytes_literal.yaml": (2, "bytes literals"),
    "class_def.yaml": (2, "must be a torch.autograd.Function subclass"),
    "comment_only.yaml": (2, "empty spec"),
    "compile_call.yaml": (2, "name 'compile' is not defined"),
    "comprehension.yaml": (1, "more than 50,000 statements"),
    "deep_expression_chain.yaml": (2, "nested too deeply"),
    "deep_expression_parens.yaml": (2, "nested too deeply"),
    "deep_expression_unary.yaml": (2, "nested too deeply"),
    "deep_yaml_nesting.yaml": (2, "nested too deeply"),
    "def_function.yaml": (1, "maximum recursion depth exceeded"),
    "del_stmt.yaml": (2, "dunder names are not allowed"),
    "dtype_wrong_value.yaml": (2, "'complex128' is not one of"),
    "dunder_class.yaml": (2, "dunder"),
    "dunder_import.yaml": (2, "dunder names are not allowed in a spec: '__import__'"),
    "dunder_module_dict.yaml": (2, "dunder"),
    "duplicate_key.yaml": (2, "duplicate key 'seed'"),
    "empty.yaml": (2, "empty spec"),
    "eval_call.yaml": (2, "name 'eval' is not defined"),
    "exec_call.yaml": (2, "name 'exec' is not defined"),
    "expect_bad_wanted.yaml": (2, "steps[0].expect.x"),
    "expect_wrong_type.yaml": (2, "expected object"),
    "for_loop.yaml": (1, "iteration 16666 of `for i in range(10 ** 9)`"),
    "from_import.yaml": (2, "cannot import from 'os'"),
    "fstring_format_bomb.yaml": (2, "format specification"),
    "getattr_builtin.yaml": (1, "'Tensor' object has no attribute '_data'"),
    "global_stmt.yaml": (2, "dunder names are not allowed"),
    "gradcheck_bad_wrt.yaml": (2, "'nope' is not a tensor"),
    "huge_adaptive_pool.yaml": (1, "over the limit"),
    "huge_adaptive_pool1d.yaml": (1, "over the limit"),
    "huge_broadcast.yaml": (1, "over the limit"),
    "huge_conv_padding.yaml": (1, "over the limit"),
    "huge_conv_transpose.yaml": (1, "over the limit"),
    "huge_expand.yaml": (1, "over the limit"),
    "huge_one_hot.yaml": (1, "over the limit"),
    "huge_randn.yaml": (1, "over the limit"),
    "huge_repeat_interleave.yaml": (1, "over the limit"),
    "huge_shape.yaml": (1, "over the limit"),
    "huge_unfold.yaml": (1, "over the limit"),
    "import_os.yaml": (2, "cannot import 'os'"),
    "int_literal_huge.yaml": (2, "number too large"),
    "lambda.yaml": (1, "call 100 of lambda (100 nested)"),
    "latin1.yaml": (2, "not UTF-8"),
    "list_mult_bomb.yaml": (1, "sequence too long"),
    "method_on_list.yaml": (1, "'list' object has no method 'join'"),
    "nul_bytes.yaml": (2, "NUL byte"),
    "open_file.yaml": (2, "name 'open' is not defined"),
    "percent_format_bomb.yaml": (1, "'%' formatting: widths and precisions go up to 999"),
    "pow_bomb.yaml": (1, "integer too large"),
    "private_attr.yaml": (2, "private attributes"),
    "raises_bad_kind.yaml": (2, "'anything' is not one of"),
    "regex_redos.yaml": (2, "nested repetition"),
    "seed_wrong_type.yaml": (2, "seed: expected integer"),
    "star_kwargs.yaml": (1, "keyword argument names starting with '__'"),
    "statement_syntax_error.yaml": (2, "syntax error"),
    "step_unknown_key.yaml": (2, "needs one of the keys"),
    "step_wrong_type.yaml": (2, "a step is a string"),
    "steps_wrong_type.yaml": (2, "steps: expected array"),
    "str_mult_bomb.yaml": (1, "sequence too long"),
    "tensor_bad_mapping.yaml": (2, "tensors.x"),
    "tensor_bad_name.yaml": (2, "dunder"),
    "tensors_wrong_type.yaml": (2, "tensors: expected object"),
    "too_many_steps.yaml": (2, "more than 1000 items"),
    "top_level_list.yaml": (2, "must be a mapping"),
    "top_level_scalar.yaml": (2, "must be a mapping"),
    "try_except.yaml": (1, "sequence too long"),  # a limit: no except catches it
    "undefined_name.yaml": (2, "name 'q' is not defined"),
    "unknown_op.yaml": (2, "unknown name 'torch.load'"),
    "unknown_top_key.yaml": (2, "unknown key 'stepz'"),
    "walrus.yaml": (1, "integer too large"),
    "with_open.yaml": (2, "name 'open' is not defined"),
    "yaml_binary_tag.yaml": (2, "YAML tag !!binary"),
    "yaml_python_module.yaml": (2, "YAML tag !!python/module:os"),
    "yaml_python_name.yaml": (2, "YAML tag !!python/name:os.system"),
    "yaml_python_object_apply.yaml": (2, "YAML tag !!python/object/apply:os.system"),
    "yaml_python_tuple.yaml": (2, "YAML tag !!python/tuple"),
    "yaml_set_tag.yaml": (2, "YAML tag !!set"),
    "yaml_syntax_error.yaml": (2, "invalid YAML"),
    # per-tensor limits alone let these run for minutes or take gigabytes
    "work_bomb.yaml": (1, "tensor elements in total"),
    "memory_bomb.yaml": (1, "MB of memory"),
    "saved_graph_bomb.yaml": (1, "MB of memory"),
    "tolist_bomb.yaml": (1, "too large for tolist()"),
    # loops and functions: every iteration, statement, call and op is charged
    "while_true.yaml": (1, "statements, loop iterations, calls and operations"),
    "while_true_tensor.yaml": (1, "statements, loop iterations, calls and operations"),
    # a with body that never ends, and a device without values (its __exit__ runs: tests in
    # test_with_statement.py check the grad mode and default device afterwards)
    "with_as_while_true.yaml": (1, "statements, loop iterations, calls and operations"),
    "with_device_meta.yaml": (1, "the device 'meta' is not available"),
    "recursion_deep_expression.yaml": (1, "maximum recursion depth exceeded"),
    "recursion_in_hook.yaml": (1, "call 100 of twice() (100 nested)"),
    "list_append_bomb.yaml": (1, "MB of memory"),
    "nested_list_bomb.yaml": (1, "MB of memory"),
    "dict_growth_bomb.yaml": (1, "MB of memory"),
    # bound methods, map/filter, {**d}, type(), except*, run-time NameError: same limits
    "map_budget.yaml": (1, "statements, loop iterations, calls and operations"),
    "filter_budget.yaml": (1, "statements, loop iterations, calls and operations"),
    "map_recursion.yaml": (1, "call 100 of f() (100 nested)"),
    "bound_method_loop.yaml": (1, "iteration 16666 of `while True`"),
    "dict_unpack_growth.yaml": (1, "tensor elements in total"),
    "dict_unpack_deep.yaml": (2, "nested too deeply"),
    "type_metaclass.yaml": (1, "'type' object is not callable"),
    "name_error_in_loop.yaml": (1, "iteration 2 of `for i in range(3)` failed: "
                                   "invalid_argument: name 'prev' is not defined"),
    "except_star_budget.yaml": (1, "statements, loop iterations, calls and operations"),
    "except_star_deep.yaml": (2, "too many levels of indentation"),
    "format_method_bomb.yaml": (1, "widths and precisions up to 999"),
    "format_attribute_lookup.yaml": (1, "attribute and item lookups in a format string"),
    "slice_assign_growth.yaml": (1, "sequence too long"),
    "sorted_key_budget.yaml": (1, "call 24999 of lambda failed"),
    "module_attr_cycle.yaml": (1, "value or calls nested too deeply"),
    "module_attr_chain.yaml": (1, "iteration 12499 of `for i in range(10 ** 9)`"),
}

# exact positions for a sample (line, column), checked on top of "some position"
POSITIONS = {
    "dunder_class.yaml": (4, 9),
    "statement_syntax_error.yaml": (4, 9),
    "yaml_python_object_apply.yaml": (2, 5),
    "billion_laughs.yaml": (2, 8),
    "duplicate_key.yaml": (2, 1),
    "for_loop.yaml": (5, 9),
    "lambda.yaml": (3, 9),
    "def_function.yaml": (4, 9),
    "while_true.yaml": (4, 9),
    "nul_bytes.yaml": (2, 10),
    "raises_bad_kind.yaml": (2, 27),
    "huge_shape.yaml": (2, 5),
    "with_device_meta.yaml": (4, 9),
    "name_error_in_loop.yaml": (5, 13),
    "type_metaclass.yaml": (4, 5),
    "bound_method_loop.yaml": (7, 9),
    "except_star_budget.yaml": (4, 9),
    "format_method_bomb.yaml": (4, 5),
    "format_attribute_lookup.yaml": (4, 5),
    "module_attr_cycle.yaml": (5, 5),
}


def test_corpus_is_complete() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.is_file()}
    assert len(files) >= 30
    assert files == set(EXPECTED)


def test_peak_memory_is_the_childs_own(tmp_path: Path) -> None:
    """The measurement must not inherit this (possibly large) test process's size."""
    ballast = b"x" * (300 * 1024 * 1024)  # written, so resident
    proc, _ = _run(["schema"], tmp_path)
    del ballast
    assert proc.returncode == 0, proc.stderr
    if sys.platform.startswith("linux"):
        assert proc.peak_kb is not None and proc.peak_kb < 200 * 1024  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile(name: str, tmp_path: Path) -> None:
    code, fragment = EXPECTED[name]
    spec = tmp_path / name
    spec.write_bytes((HOSTILE / name).read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    proc, seconds = _run(["run", name], tmp_path)
    assert proc.returncode == code, proc.stderr
    assert seconds < 5
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(err.splitlines()) == 1, err
    m = re.match(rf"^{re.escape(name)}:(\d+):(\d+): ", err)
    assert m, err
    assert fragment in err
    if name in POSITIONS:
        assert (int(m.group(1)), int(m.group(2))) == POSITIONS[name]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert not Path("pwned.txt").exists()
    if proc.peak_kb is not None:  # type: ignore[attr-defined]  # Linux only
        assert proc.peak_kb < 500 * 1024  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["pow_bomb.yaml", "huge_shape.yaml", "billion_laughs.yaml"])
def test_hostile_validate_and_json(name: str, tmp_path: Path) -> None:
    import json

    spec = tmp_path / name
    spec.write_bytes((HOSTILE / name).read_bytes())
    proc, _ = _run(["run", name, "--json"], tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False and doc["error"]["kind"]
    proc, _ = _run(["validate", name], tmp_path)
    # runtime failures are not visible without running
    assert proc.returncode == (0 if name != "billion_laughs.yaml" else 2)


def test_huge_file(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_text("steps:\n" + "  - x = 1\n" * 150_000)
    proc, seconds = _run(["run", "huge.yaml"], tmp_path)
    assert proc.returncode == 2 and seconds < 5
    assert proc.stderr.startswith("huge.yaml:1:1: file is larger than")


_TIMED_LOAD = """
import json, sys, time
from adcli.spec.loader import load_specs

started = time.process_time()
spec = load_specs(sys.argv[1])[0]
seconds = time.process_time() - started
last = spec.steps[0].statements[-1]
print(json.dumps([seconds, len(spec.steps[0].statements), last.text, last.line, last.column]))
"""


def test_a_block_of_thousands_of_statements_loads_fast(tmp_path) -> None:
    """Positions and source text are found in linear time (it once took minutes). Timed in
    CPU seconds in a fresh process, which the suite's own state (heap, imports, other
    workers) and the machine's load cannot slow."""
    from fresh_process import run_python

    body = "\n".join(f"    x{i} = x * {i}" for i in range(9000))
    path = tmp_path / "big.yaml"
    path.write_text("tensors:\n  x: {data: [1.0], requires_grad: true}\nsteps:\n  - |\n"
                    + body + "\n")
    seconds, n, text, line, column = run_python(_TIMED_LOAD, str(path))
    assert seconds < 5  # the bound for any hostile input
    assert n == 9000 and text == "x8999 = x * 8999"
    assert (line, column) == (9004, 5)
