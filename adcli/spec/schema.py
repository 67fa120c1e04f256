"""The JSON Schema of a spec document (``adcli schema`` prints it, for editors)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@cache
def schema() -> dict[str, Any]:
    """The schema as a dict (loaded once)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_text() -> str:
    """The schema as pretty-printed JSON."""
    return json.dumps(schema(), indent=2)


@cache
def validator() -> Any:
    """A ``jsonschema`` validator for one spec document."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


# -- a fast check for valid documents -----------------------------------------------------------
# Importing jsonschema and checking the schema costs more than the rest of `adcli validate`;
# valid documents (the common case) are confirmed by this small checker of the keywords the
# schema uses. It is conservative: it returns True only where jsonschema (draft 2020-12, no
# format checking) accepts the document too; anything it is unsure of (a keyword or a Python
# type outside plain JSON) returns False, and the caller asks jsonschema, which also words the
# error. tests/spec/test_schema_fast.py holds the two to agreeing on random documents.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "x-message"})
_KNOWN = _ANNOTATIONS | {
    "$ref", "type", "enum", "not", "allOf", "anyOf", "if", "then", "properties",
    "additionalProperties", "propertyNames", "required", "minProperties", "maxProperties",
    "items", "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
    "exclusiveMinimum",
}
_JSON_SCALARS = (str, int, float, bool, type(None))


def _keywords(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            out.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _keywords(sub, out)
            elif key not in ("enum", "required", "x-message", "description", "title"):
                _keywords(value, out)
    elif isinstance(node, list):
        for sub in node:
            _keywords(sub, out)


@cache
def _fast_supported() -> bool:
    """True when the schema uses only keywords (and local refs) :func:`fast_valid` knows."""
    used: set[str] = set()
    _keywords(schema(), used)
    return used <= _KNOWN and all(
        isinstance(r, str) and r.startswith("#/$defs/") for r in _refs(schema()))


def _refs(node: Any) -> list[Any]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        for key, value in node.items():
            if key not in ("enum", "required"):
                found += _refs(value)
        return found
    if isinstance(node, list):
        return [r for sub in node for r in _refs(sub)]
    return []


def _is_type(name: str, x: Any) -> bool:
    if name == "object":
        return type(x) is dict
    if name == "array":
        return type(x) is list
    if name == "string":
        return type(x) is str
    if name == "boolean":
        return type(x) is bool
    if name == "null":
        return x is None
    if name == "integer":
        return type(x) is int or (type(x) is float and x.is_integer())
    if name == "number":
        return type(x) is int or type(x) is float
    raise _UnsureError


class _UnsureError(Exception):
    """The fast check cannot decide; jsonschema will."""


def _equal(option: Any, x: Any) -> bool:
    """JSON equality of scalars (True is not 1, 1 is 1.0), as jsonschema's ``enum``."""
    to, tx = type(option), type(x)
    if to in (dict, list) or tx in (dict, list):
        raise _UnsureError
    if to is bool or tx is bool or to is str or tx is str or option is None or x is None:
        return to is tx and option == x
    return bool(option == x)


def _valid(x: Any, s: Any) -> bool:
    if s is True:
        return True
    if s is False:
        return False
    if type(s) is not dict:
        raise _UnsureError
    tx = type(x)
    if tx not in _JSON_SCALARS and tx is not dict and tx is not list:
        raise _UnsureError
    for key, v in s.items():
        if key in _ANNOTATIONS:
            continue
        if key == "$ref":
            target: Any = schema()["$defs"][v[len("#/$defs/"):]]
            if not _valid(x, target):
                return False
        elif key == "type":
            if not any(_is_type(t, x) for t in (v if type(v) is list else [v])):
                return False
        elif key == "enum":
            if not any(_equal(option, x) for option in v):
                return False
        elif key == "not":
            if _valid(x, v):
                return False
        elif key == "allOf":
            if not all(_valid(x, sub) for sub in v):
                return False
        elif key == "anyOf":
            if not any(_valid(x, sub) for sub in v):
                return False
        elif key == "if":
            if _valid(x, v) and "then" in s and not _valid(x, s["then"]):
                return False
        elif key == "then":
            continue
        elif tx is dict:
            if not _valid_object(key, v, x, s):
                return False
        elif tx is list:
            if key == "items":
                if not all(_valid(item, v) for item in x):
                    return False
            elif (key == "minItems" and len(x) < v) or (key == "maxItems" and len(x) > v):
                return False
        elif tx is str:
            if (key == "minLength" and len(x) < v) or (key == "maxLength" and len(x) > v):
                return False
            if key == "pattern" and not re.search(v, x):
                return False
        elif tx is int or tx is float:
            if (key == "minimum" and x < v) or (key == "maximum" and x > v) \
                    or (key == "exclusiveMinimum" and x <= v):
                return False
        elif key not in _KNOWN:
            raise _UnsureError
    return True


def _valid_object(key: str, v: Any, x: dict[Any, Any], s: dict[str, Any]) -> bool:
    for k in x:
        if type(k) is not str:
            raise _UnsureError
    if key == "properties":
        return all(_valid(x[name], sub) for name, sub in v.items() if name in x)
    if key == "additionalProperties":
        props = s.get("properties", {})
        extras = [k for k in x if k not in props]
        if v is False:
            return not extras
        return all(_valid(x[k], v) for k in extras)
    if key == "propertyNames":
        return all(_valid(k, v) for k in x)
    if key == "required":
        return all(name in x for name in v)
    if key == "minProperties":
        return len(x) >= v
    if key == "maxProperties":
        return len(x) <= v
    return True


def fast_valid(instance: Any) -> bool:
    """True when ``instance`` is surely a valid spec document (False: ask jsonschema)."""
    if not _fast_supported():
        return False
    try:
        return _valid(instance, schema())
    except (_UnsureError, RecursionError):
        return False
