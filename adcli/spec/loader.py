"""Loading spec files: safe YAML with positions, the JSON Schema, and the checked statements.

Public API:

- ``load_specs(path, *, text=None, display=None) -> list[Spec]``: every document of a file
  (a YAML stream holds several), validated and with all statements parsed and checked.
  Raises :class:`~adcli.spec.errors.SpecError` (``FILE:LINE:COL: message``).
- ``find_spec_files(paths) -> list[Path]``: files as given, folders searched recursively
  for ``*.yaml``/``*.yml``. Raises ``FileNotFoundError`` for a missing path.
- ``Spec``, ``Step``, ``Expr``, ``Statement``, ``TensorDecl``, ``ExpectItem``,
  ``GradcheckEntry``: the loaded spec (dataclasses; ``line``/``column`` are 1-based).

Nothing here runs spec code; YAML is composed with a ``SafeLoader`` subclass and converted
by hand (only the plain YAML types: mappings, sequences, strings, numbers, booleans, null).
Aliases are refused (no billion-laughs expansion), as is every explicit tag that builds
anything but a plain value.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import SpecError
from .language import (
    SourceMap,
    Vocabulary,
    backward_receivers,
    default_vocabulary,
    names_bound_in,
    parse_block,
    parse_expression,
)

MAX_FILE_BYTES = 1_000_000
MAX_YAML_DEPTH = 50
MAX_DOCUMENTS = 100
MAX_STATEMENTS = 10_000
MAX_REGEX = 1000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

Path_ = tuple[Any, ...]


# -- the loaded spec ---------------------------------------------------------------------------
@dataclass
class Expr:
    """One checked expression and where its text is."""

    text: str
    node: ast.expr
    line: int
    column: int


@dataclass
class Statement:
    """One checked statement of a string step (line and column inside the YAML file)."""

    text: str
    node: ast.stmt
    line: int
    column: int


@dataclass
class TensorDecl:
    """A leaf from ``tensors``: an expression, or literal ``data``."""

    name: str
    line: int
    column: int
    expr: Expr | None = None
    data: Any = None
    requires_grad: bool = False
    dtype: str | None = None


@dataclass
class ExpectItem:
    """One ``EXPR: WANTED`` of an ``expect`` step."""

    expr: Expr
    wanted: Any


@dataclass
class Step:
    """A step. ``kind``: statements, raises, no_grad, expect, print or graph.

    ``index`` is the 0-based position in the top-level ``steps`` list, as the contract's JSON
    counts steps (nested ``no_grad`` steps share their parent's index).
    """

    kind: str
    index: int
    line: int
    column: int
    text: str
    statements: list[Statement] = field(default_factory=list)
    raises: str | None = None
    match: str | None = None
    children: list[Step] = field(default_factory=list)
    expects: list[ExpectItem] = field(default_factory=list)
    atol: float = 1e-8
    rtol: float = 1e-5
    exprs: list[Expr] = field(default_factory=list)


@dataclass
class GradcheckEntry:
    """One entry of ``gradcheck`` (defaults as in the contract)."""

    of: Expr
    wrt: list[str] | None
    line: int
    column: int
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    mode: str = "full"
    order: int = 1
    wrt_pos: list[tuple[int, int]] = field(default_factory=list)  # (line, col) of each wrt
    detached: str = "hold"  # stop-gradients: "hold" their values, or "follow" through them


@dataclass
class Spec:
    """One spec document, validated and checked."""

    path: str
    name: str
    line: int
    column: int
    document: int = 1
    description: str | None = None
    seed: int = 0
    dtype: str = "float64"
    engine: str | None = None  # ``engine:`` key: "adcli" or "torch" (None: not given)
    tensors: list[TensorDecl] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    gradcheck: list[GradcheckEntry] = field(default_factory=list)
    bound_names: set[str] = field(default_factory=set)
    vocab: Any = field(default=None, repr=False, compare=False)
    """The vocabulary the spec was checked against (runs use it too)."""

    def statement_at(self, line: int | None) -> str | None:
        """The text of the statement line on YAML line ``line`` (None: no statement there)."""
        if line is None:
            return None
        for step in _walk_steps(self.steps):
            for st in step.statements or ():
                lines = st.text.splitlines()
                if st.line <= line < st.line + len(lines):
                    return lines[line - st.line].strip()
        return None

    def backward_exprs(self) -> list[Expr]:
        """The receivers of ``.backward()`` in the steps (``loss`` of ``loss.backward()``)."""
        out: list[Expr] = []
        for st in _walk_steps(self.steps):
            if st.kind not in ("statements",):
                continue
            for s in st.statements:
                for recv in backward_receivers([s.node]):
                    text = _segment(s, recv) or ast.unparse(recv)
                    out.append(Expr(text, recv, s.line, s.column))
        return out


def _segment(st: Statement, node: ast.AST) -> str | None:
    """The source text of ``node``, a sub-node of the statement ``st`` (None if unknown).

    ``ast`` positions count from the start of the whole step text, but ``st.text`` holds only
    the statement (starting at ``st.node``'s column), so positions are shifted to it first.
    """
    base = st.node
    try:
        first = node.lineno - base.lineno + 1  # type: ignore[attr-defined]
        last = node.end_lineno - base.lineno + 1  # type: ignore[attr-defined]
        col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    except (AttributeError, TypeError):  # no position (a node the checker made)
        return None
    if end_col is None or not 1 <= first <= last <= len(_LINE_BREAK.split(st.text)):
        return None
    if first == 1:
        col -= base.col_offset
    if last == 1:
        end_col -= base.col_offset
    if col < 0 or end_col < 0:
        return None
    where = ast.Pass(lineno=first, end_lineno=last, col_offset=col, end_col_offset=end_col)
    return ast.get_source_segment(st.text, where)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks that ``ast`` counts


def _split_lines(text: str) -> list[str]:
    """``text`` split after each line break that ``ast`` counts, keeping the breaks."""
    out = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
    out.append(text[start:])
    return out


def _source_segment(lines: list[str], node: ast.AST) -> str:
    """``ast.get_source_segment`` over pre-split lines (columns count UTF-8 bytes)."""
    first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    if first == last:
        return lines[first].encode()[col:end_col].decode()
    head = lines[first].encode()[col:].decode()
    tail = lines[last].encode()[:end_col].decode()
    return head + "".join(lines[first + 1:last]) + tail


def _walk_steps(steps: Iterable[Step]) -> Iterable[Step]:
    for st in steps:
        yield st
        yield from _walk_steps(st.children)


# -- YAML with positions -----------------------------------------------------------------------
@cache
def _yaml_loader_class() -> type:
    import yaml

    class _Loader(yaml.SafeLoader):
        """Composes nodes (never constructs objects), refusing aliases and deep nesting."""

        yaml_implicit_resolvers = {k: list(v) for k, v in
                                   yaml.SafeLoader.yaml_implicit_resolvers.items()}

        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.events.AliasEvent):
                ev = self.peek_event()
                raise _YamlRefusalError(ev.start_mark,
                                        "YAML aliases (*name) are not allowed in a spec")
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                ev = self.peek_event()
                raise _YamlRefusalError(ev.start_mark, f"YAML nested too deeply (more than "
                                                  f"{MAX_YAML_DEPTH} levels)")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    # YAML 1.2 floats: PyYAML (YAML 1.1) reads 1e-7 as a string.
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"))
    return _Loader


class _YamlRefusalError(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


@dataclass
class _Doc:
    value: Any
    marks: dict[Path_, tuple[int, int]]       # path -> (line, col) of the value
    key_marks: dict[Path_, tuple[int, int]]   # path -> (line, col) of the key naming it
    nodes: dict[Path_, Any]                   # path -> scalar node (for source maps)
    line: int
    column: int
    key_nodes: dict[Path_, Any] = field(default_factory=dict)  # path -> its key's node


def _mark(m: Any) -> tuple[int, int]:
    return m.line + 1, m.column + 1


def _convert(loader: Any, node: Any, path: Path_, doc: _Doc, file: str) -> Any:
    import yaml

    doc.marks[path] = _mark(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        doc.nodes[path] = node
        if node.tag == _TIMESTAMP_TAG:
            return node.value
        if node.tag not in _PLAIN_TAGS:
            raise SpecError(file, *_mark(node.start_mark), f"YAML tag {_tag(node.tag)} is not "
                            "allowed in a spec (only plain values)")
        try:
            return loader.construct_object(node, deep=True)
        except Exception as exc:
            msg = _one_line(exc)
            if "Exceeds the limit" in msg:
                msg = "number too large"
            raise SpecError(file, *_mark(node.start_mark), f"invalid value: {msg}") from None
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise SpecError(file, *_mark(node.start_mark),
                            f"YAML tag {_tag(node.tag)} is not allowed in a spec")
        return [_convert(loader, item, (*path, i), doc, file) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise SpecError(file, *_mark(node.start_mark),
                            f"YAML tag {_tag(node.tag)} is not allowed in a spec")
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag not in _PLAIN_TAGS | {
                    _TIMESTAMP_TAG}:
                raise SpecError(file, *_mark(knode.start_mark),
                                "a mapping key must be a plain string")
            key = knode.value
            if key == "<<" and knode.tag == "tag:yaml.org,2002:merge":
                raise SpecError(file, *_mark(knode.start_mark), "YAML merge keys are not allowed")
            if key in out:
                raise SpecError(file, *_mark(knode.start_mark), f"duplicate key {_short(key)}")
            doc.key_marks[(*path, key)] = _mark(knode.start_mark)
            doc.key_nodes[(*path, key)] = knode
            out[key] = _convert(loader, vnode, (*path, key), doc, file)
        return out
    raise SpecError(file, *_mark(node.start_mark), "unsupported YAML node")


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")[:80]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise SpecError(file, 1, 1, f"file is larger than {MAX_FILE_BYTES:,} bytes",
                        "limit_exceeded")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        raise SpecError(file, line, col, "the file is not UTF-8 text") from None
    if "\x00" in text:
        pos = text.index("\x00")
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise SpecError(file, line, col, "the file contains a NUL byte (not a text file)")
    return text


def _read_documents(text: str, file: str) -> list[_Doc]:
    import yaml

    docs: list[_Doc] = []
    loader = None
    try:
        loader = _yaml_loader_class()(text)
        while loader.check_node():
            if len(docs) >= MAX_DOCUMENTS:
                raise SpecError(file, *_mark(loader.peek_event().start_mark),
                                f"more than {MAX_DOCUMENTS} documents in one file",
                                "limit_exceeded")
            node = loader.get_node()
            if node is None:
                continue
            doc = _Doc(None, {}, {}, {}, *_mark(node.start_mark))
            doc.value = _convert(loader, node, (), doc, file)
            docs.append(doc)
    except _YamlRefusalError as exc:
        raise SpecError(file, *_mark(exc.mark), exc.message,
                        "limit_exceeded" if "deeply" in exc.message else "invalid_spec") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark(mark) if mark is not None else (1, 1)
        msg = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise SpecError(file, *where, f"invalid YAML: {msg}") from None
    except yaml.reader.ReaderError as exc:
        pos = max(exc.position, 0)
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise SpecError(file, line, col, f"invalid YAML: character {exc.character!r} is not "
                        "allowed") from None
    except yaml.YAMLError as exc:
        raise SpecError(file, 1, 1, f"invalid YAML: {_one_line(exc)}") from None
    except RecursionError:
        raise SpecError(file, 1, 1, "YAML nested too deeply", "limit_exceeded") from None
    finally:
        if loader is not None:
            loader.dispose()
    return docs


# -- schema errors -----------------------------------------------------------------------------
def _schema_error(doc: _Doc, file: str) -> SpecError | None:
    from .schema import fast_valid

    if fast_valid(doc.value):
        return None
    import jsonschema

    from .schema import validator

    errors = list(validator().iter_errors(doc.value))
    if not errors:
        return None

    def where(err: Any) -> tuple[int, int]:
        path = tuple(err.absolute_path)
        if err.validator == "propertyNames" or err.validator == "additionalProperties":
            extra = _offending_key(err)
            if extra is not None and (*path, extra) in doc.key_marks:
                return doc.key_marks[(*path, extra)]
        if err.validator == "propertyNames" and isinstance(err.instance, str):
            key = (*path, err.instance)
            if key in doc.key_marks:
                return doc.key_marks[key]
        while path and path not in doc.marks:
            path = path[:-1]
        return doc.marks.get(path, (doc.line, doc.column))

    def deepest(err: Any) -> Any:
        best = jsonschema.exceptions.best_match([err])
        return best if best is not None else err

    first = min(errors, key=lambda e: (where(e), -len(e.absolute_path)))
    err = deepest(first)
    line, col = where(err)
    return SpecError(file, line, col, _schema_message(err))


def _offending_key(err: Any) -> str | None:
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        pattern = err.schema.get("patternProperties", {})
        for k in err.instance:
            if k not in allowed and not any(re.search(p, k) for p in pattern):
                return k
    if err.validator == "propertyNames":
        return err.instance if isinstance(err.instance, str) else None
    return None


def _schema_message(err: Any) -> str:
    path = _path_text(err.absolute_path)
    prefix = f"{path}: " if path else ""
    custom = err.schema.get("x-message") if isinstance(err.schema, dict) else None
    if err.validator == "additionalProperties":
        key = _offending_key(err)
        allowed = ", ".join(err.schema.get("properties", {}))
        return f"{prefix}unknown key {_short(key)} (allowed: {allowed})"
    if err.validator == "propertyNames" and isinstance(err.instance, str):
        return f"{prefix}invalid name {err.instance!r}: a tensor name must be an identifier"
    if custom:
        return f"{prefix}{custom}"
    limits = {"maxItems": "more than {} items", "minItems": "fewer than {} items",
              "maxProperties": "more than {} entries", "minProperties": "fewer than {} entries",
              "maxLength": "longer than {} characters", "minLength": "shorter than {} characters"}
    if err.validator in limits:
        return f"{prefix}{limits[err.validator].format(err.validator_value)}"
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        return f"{prefix}missing key '{missing[0] if missing else '?'}'"
    if err.validator == "enum":
        options = ", ".join(str(o) for o in err.validator_value)
        return f"{prefix}{_short(err.instance)} is not one of: {options}"
    if err.validator == "type":
        want = err.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"{prefix}expected {want}, got {_yaml_type(err.instance)}"
    return f"{prefix}{_short_message(err.message)}"


def _path_text(path: Iterable[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short_message(msg: str) -> str:
    return msg if len(msg) <= 200 else msg[:197] + "..."


def _yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _step_texts(items: Any) -> list[str]:
    """The statement texts of a spec's steps (``do:`` and nested ``no_grad:`` ones too)."""
    out: list[str] = []
    stack = [items]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.get(k) for k in ("do", "no_grad") if k in item)
    return out


# -- building the spec -------------------------------------------------------------------------
class _Builder:
    def __init__(self, doc: _Doc, file: str, vocab: Vocabulary) -> None:
        self.doc = doc
        self.file = file
        self.vocab = vocab
        self.bound: set[str] = set()
        self.aliases: dict[str, str] = {}  # names bound by imports (nn, grad, math, ...)
        self.statements = 0
        self.later: frozenset[str] = frozenset()  # names some step binds (see build)

    def pos(self, path: Path_) -> tuple[int, int]:
        return self.doc.marks.get(path, (self.doc.line, self.doc.column))

    def srcmap(self, path: Path_, key: bool = False) -> SourceMap:
        """Where the text at ``path`` starts (``key``: the text is the mapping key)."""
        if key:
            line, col = self.doc.key_marks[path]
            node = self.doc.key_nodes.get(path)
        else:
            line, col = self.pos(path)
            node = self.doc.nodes.get(path)
        if node is not None and node.style == "|":
            indent = _block_indent(node)
            return SourceMap(self.file, line + 1, indent + 1, block=True, text=node.value)
        if node is not None and node.style in ("'", '"'):
            col += 1
        text = node.value if node is not None else path[-1]
        chars = _char_positions(node) if node is not None else None
        return SourceMap(self.file, line, col, text=text, chars=chars)

    def expr(self, text: str, path: Path_, key: bool = False) -> Expr:
        sm = self.srcmap(path, key)
        lead = len(text) - len(text.lstrip())
        if lead and sm.chars:  # parse_expression strips the text: shift the map with it
            sm = SourceMap(sm.file, *sm.chars[min(lead, len(sm.chars) - 1)],
                           text=text[lead:], chars=sm.chars[lead:])
        node = parse_expression(text, sm, self.vocab, self.bound, self.aliases)
        line, col = sm.position(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        return Expr(text.strip(), node, line, col)

    def block(self, text: str, path: Path_) -> list[Statement]:
        sm = self.srcmap(path)
        stmts = parse_block(text, sm, self.vocab, self.bound, self.aliases, later=self.later)
        self.statements += len(stmts)
        if self.statements > MAX_STATEMENTS:
            line, col = self.pos(path)
            raise SpecError(self.file, line, col, f"more than {MAX_STATEMENTS} statements in "
                            "one spec", "limit_exceeded")
        out = []
        lines = _split_lines(text)  # once: ast.get_source_segment re-splits on every call
        for s in stmts:
            seg = _source_segment(lines, s)
            line, col = sm.position(s.lineno, s.col_offset)
            out.append(Statement(seg, s, line, col))
        return out

    def build(self, name: str, index: int) -> Spec:
        v = self.doc.value
        spec = Spec(path=self.file, name=v.get("name", name), line=self.doc.line,
                    column=self.doc.column, document=index, description=v.get("description"),
                    seed=v.get("seed", 0), dtype=v.get("dtype", "float64"),
                    engine=v.get("engine"))
        for tname, init in v.get("tensors", {}).items():
            spec.tensors.append(self.tensor(tname, init))
        # a function of one step may read a name a later step binds (Python's run-time
        # lookup): those names are NameErrors when unbound, not refused at load
        self.later = frozenset().union(*map(names_bound_in, _step_texts(v.get("steps", []))))
        spec.steps = self.steps(v.get("steps", []), ("steps",), None)
        for i, entry in enumerate(v.get("gradcheck", [])):
            spec.gradcheck.append(self.gradcheck(entry, ("gradcheck", i)))
        spec.bound_names = set(self.bound)
        spec.vocab = self.vocab
        return spec

    def tensor(self, name: str, init: Any) -> TensorDecl:
        path = ("tensors", name)
        line, col = self.doc.key_marks[path]
        if name in self.bound:
            raise SpecError(self.file, line, col, f"duplicate tensor '{name}'")
        from .language import BUILTINS, RESERVED

        if name in RESERVED or name in BUILTINS:
            raise SpecError(self.file, line, col, f"'{name}' is a reserved name")
        if name.startswith("__"):
            raise SpecError(self.file, line, col, f"dunder names are not allowed: '{name}'")
        decl = TensorDecl(name, line, col)
        if isinstance(init, str):
            decl.expr = self.expr(init, path)
        elif isinstance(init, dict):
            decl.data = init["data"]
            decl.requires_grad = init.get("requires_grad", False)
            decl.dtype = init.get("dtype")
        else:
            decl.data = init
        self.bound.add(name)
        return decl

    def steps(self, items: list[Any], path: Path_, parent: int | None) -> list[Step]:
        out = []
        for i, item in enumerate(items):
            index = parent if parent is not None else i
            out.append(self.step(item, (*path, i), index))
        return out

    def step(self, item: Any, path: Path_, index: int) -> Step:
        line, col = self.pos(path)
        if isinstance(item, str):
            return Step("statements", index, line, col, item.strip(),
                        statements=self.block(item, path))
        if "do" in item:
            st = Step("raises", index, line, col, item["do"].strip(),
                      statements=self.block(item["do"], (*path, "do")),
                      raises=item["raises"], match=item.get("match"))
            if st.match is not None:
                self.check_regex(st.match, (*path, "match"))
            return st
        if "no_grad" in item:
            return Step("no_grad", index, line, col, "no_grad",
                        children=self.steps(item["no_grad"], (*path, "no_grad"), index))
        if "expect" in item:
            st = Step("expect", index, line, col, "expect",
                      atol=float(item.get("atol", 1e-8)), rtol=float(item.get("rtol", 1e-5)))
            for key, wanted in item["expect"].items():
                e = self.expr(key, (*path, "expect", key), key=True)
                st.expects.append(ExpectItem(e, wanted))
            st.text = ", ".join(x.expr.text for x in st.expects)
            return st
        if "print" in item:
            exprs = item["print"] if isinstance(item["print"], list) else [item["print"]]
            ppath = (*path, "print")
            st = Step("print", index, line, col, "", exprs=[
                self.expr(t, (*ppath, j) if isinstance(item["print"], list) else ppath)
                for j, t in enumerate(exprs)])
            st.text = ", ".join(e.text for e in st.exprs)
            return st
        e = self.expr(item["graph"], (*path, "graph"))
        return Step("graph", index, line, col, e.text, exprs=[e])

    def check_regex(self, pattern: str, path: Path_) -> None:
        line, col = self.pos(path)
        problem = regex_problem(pattern)
        if problem:
            raise SpecError(self.file, line, col, f"match: {problem}")

    def gradcheck(self, entry: dict[str, Any], path: Path_) -> GradcheckEntry:
        line, col = self.pos(path)
        of = self.expr(entry["of"], (*path, "of"))
        wrt = entry.get("wrt")
        wrt_pos = [self.pos((*path, "wrt", j)) for j in range(len(wrt or []))]
        for j, name in enumerate(wrt or []):
            root = re.split(r"[.\[]", name, maxsplit=1)[0]
            if root not in self.bound:
                wl, wc = self.pos((*path, "wrt", j))
                raise SpecError(self.file, wl, wc, f"wrt: '{name}' is not a tensor of this spec")
            if name != root:  # model.weight, model[0].bias: a path a check can evaluate
                self.expr(name, (*path, "wrt", j))
        return GradcheckEntry(of=of, wrt=wrt, line=line, column=col,
                              eps=float(entry.get("eps", 1e-6)),
                              atol=float(entry.get("atol", 1e-5)),
                              rtol=float(entry.get("rtol", 1e-3)),
                              mode=entry.get("mode", "full"), order=int(entry.get("order", 1)),
                              wrt_pos=wrt_pos, detached=entry.get("detached", "hold"))


_STEP_KEYS = {"do", "raises", "match", "no_grad", "expect", "atol", "rtol", "print", "graph"}


def _check_unquoted_colons(doc: _Doc, file: str) -> None:
    """A statement with ``: `` in it (``with torch.no_grad(): ...``) reads as a mapping."""

    def walk(steps: Any, path: Path_) -> None:
        if not isinstance(steps, list):
            return
        for i, st in enumerate(steps):
            if not isinstance(st, dict):
                continue
            if isinstance(st.get("no_grad"), list):
                walk(st["no_grad"], (*path, i, "no_grad"))
            odd = [k for k in st if k not in _STEP_KEYS]
            if len(st) == 1 and odd and not odd[0].isidentifier():
                line, col = doc.key_marks.get((*path, i, odd[0]), (doc.line, doc.column))
                raise SpecError(file, line, col, "this step reads as a YAML mapping because of "
                                "': ' in it; quote the statement or use a block scalar (|)")

    if isinstance(doc.value, dict):
        walk(doc.value.get("steps"), ("steps",))


_SKIPPABLE = " \t\r\n'\"\\"


def _char_positions(node: Any) -> list[tuple[int, int]] | None:
    """The file position of each character of a scalar whose value is not a plain copy of
    its source (a folded ``>`` block, a plain or quoted scalar over several lines, escapes).

    Folding and unescaping only drop or replace line breaks, indentation, quotes and
    backslashes, so the value's characters are found in order in the source text.
    """
    mark = node.start_mark
    buf = mark.buffer
    if buf is None or node.end_mark is None:
        return None
    raw = buf[mark.pointer : node.end_mark.pointer]
    value = node.value
    if node.style is None and "\n" not in raw and raw == value:
        return None  # the common case: a one-line plain scalar
    starts = [0]  # offsets in ``raw`` of each line start
    for i, ch in enumerate(raw):
        if ch == "\n":
            starts.append(i + 1)

    def where(offset: int) -> tuple[int, int]:
        import bisect

        row = bisect.bisect_right(starts, offset) - 1
        col = offset - starts[row] + (mark.column if row == 0 else 0)
        return mark.line + row + 1, col + 1

    out: list[tuple[int, int]] = []
    j = 0
    if node.style == ">":  # the value starts on the line after the indicator
        j = raw.find("\n") + 1 if "\n" in raw else 0
    for ch in value:
        k = j
        while k < len(raw) and raw[k] != ch and raw[k] in _SKIPPABLE and k - j < 200:
            k += 1
        if k < len(raw) and raw[k] == ch:
            out.append(where(k))
            j = k + 1
        else:  # an escape sequence (\t, \x41): stay put, skip the backslash pair
            out.append(where(min(j, max(len(raw) - 1, 0))))
            j = min(j + 2, len(raw)) if j < len(raw) and raw[j] == "\\" else j
    return out or None


def _block_indent(node: Any) -> int:
    """The indentation (in characters) of a block scalar's content lines."""
    buf = node.start_mark.buffer
    if buf is None:
        return node.start_mark.column + 2
    start = buf.find("\n", node.start_mark.pointer)
    end = node.end_mark.pointer
    for raw in buf[start + 1 : end].split("\n"):
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return node.start_mark.column + 2


def regex_problem(pattern: str) -> str | None:
    """Why a ``match:`` regex is refused (None if fine).

    Nested or alternated repetition can backtrack exponentially and Python's ``re`` cannot be
    interrupted, so such patterns are refused outright.
    """
    if len(pattern) > MAX_REGEX:
        return f"pattern longer than {MAX_REGEX} characters"
    try:
        try:
            from re import _parser as sre_parse  # type: ignore[attr-defined]
        except ImportError:  # Python 3.10
            import sre_parse  # type: ignore[no-redef]
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"invalid regular expression: {_one_line(exc)}"
    repeats = 0

    def walk(items: Any, in_repeat: bool) -> str | None:
        nonlocal repeats
        for op, av in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                _lo, _hi, sub = av
                if in_repeat:
                    return "nested repetition is not allowed (it can take exponential time)"
                repeats += 1
                if repeats > 4:
                    return "at most 4 repetitions (*, +, {m,n}) are allowed"
                found = walk(sub, True)
                if found:
                    return found
            elif name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "backreferences are not allowed"
            elif name == "BRANCH":
                if in_repeat:
                    return "alternation inside a repetition is not allowed"
                for alt in av[1]:
                    found = walk(alt, in_repeat)
                    if found:
                        return found
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                sub = av[-1]
                found = walk(sub, in_repeat)
                if found:
                    return found
            elif name in ("ASSERT", "ASSERT_NOT"):
                found = walk(av[1], in_repeat)
                if found:
                    return found
        return None

    return walk(parsed, False)


# -- entry points ------------------------------------------------------------------------------
def load_specs(path: str | Path, *, text: str | bytes | None = None, display: str | None = None,
               vocab: Vocabulary | None = None) -> list[Spec]:
    """Load, validate and check every spec in a file (or in ``text``, named ``path``).

    Raises :class:`SpecError` on the first problem; ``display`` is the file name in messages.
    """
    file = display if display is not None else str(path)
    if text is None:
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except IsADirectoryError:
            raise SpecError(file, 1, 1, "is a folder, not a spec file") from None
        except OSError as exc:
            raise SpecError(file, 1, 1, f"cannot read: {exc.strerror or exc}") from None
        text = _decode(raw, file)
    elif isinstance(text, bytes):
        text = _decode(text, file)
    elif len(text) > MAX_FILE_BYTES:
        raise SpecError(file, 1, 1, f"file is larger than {MAX_FILE_BYTES:,} bytes",
                        "limit_exceeded")
    docs = _read_documents(text, file)
    if not docs:
        raise SpecError(file, 1, 1, "empty spec: expected a mapping with 'steps' or 'tensors'")
    vocab = vocab or default_vocabulary()
    stem = Path(path).stem
    specs = []
    for i, doc in enumerate(docs):
        if not isinstance(doc.value, dict):
            raise SpecError(file, doc.line, doc.column,
                            f"a spec must be a mapping, got {_yaml_type(doc.value)}")
        _check_unquoted_colons(doc, file)
        err = _schema_error(doc, file)
        if err is not None:
            raise err
        name = stem if i == 0 else f"{stem}#{i + 1}"
        specs.append(_Builder(doc, file, vocab).build(name, i + 1))
    return specs


def find_spec_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders searched recursively for ``*.yaml``/``*.yml`` (sorted)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")
                              and f.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(str(p))
    return out


def expand_paths(paths: Iterable[str]) -> tuple[list[str], list[SpecError]]:
    """Spec files from paths (folders searched recursively), and a located error for each
    path that is missing, unreadable, or a folder with no spec in it."""
    files: list[str] = []
    errors: list[SpecError] = []
    for p in paths:
        try:
            found = find_spec_files([p])
        except FileNotFoundError:
            errors.append(SpecError(str(p), 1, 1, "no such file or folder"))
            continue
        except OSError as exc:
            errors.append(SpecError(str(p), 1, 1, f"cannot read: {exc.strerror or exc}"))
            continue
        if not found and Path(p).is_dir():
            errors.append(SpecError(str(p), 1, 1, "no *.yaml or *.yml spec files in this folder"))
        files.extend(str(f) for f in found)
    return files, errors
