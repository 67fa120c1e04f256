"""Text from a spec made safe to show: no control character reaches a terminal raw.

A spec's names, printed strings and messages could otherwise clear the screen or retitle
the window (ESC sequences). Control characters are shown as Python escapes (``\\x1b``);
tab and newline stay. Lone surrogates (bytes of a file name that is not UTF-8) are shown
as the bytes they stand for (``\\xff``).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    if 0xDC80 <= c <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{c - 0xDC00:02x}"
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped."""
    return _CONTROL.sub(_escape, text)


def markup_safe(text: str) -> str:
    """:func:`printable` and escaped for rich markup (``[red]`` in a spec stays text)."""
    from rich.markup import escape

    return escape(printable(text))


_JSON_ESCAPES = re.compile(r"(\\\\)|(\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2})"
                           r"|\\u(d[89a-f][0-9a-f]{2})")


def _json_lone(m: re.Match[str]) -> str:
    if m.group(3) is None:
        return m.group(0)  # an escaped backslash, or a valid surrogate pair
    c = int(m.group(3), 16)
    # Escaped twice: the JSON string then holds the text \xff, as printable() shows it.
    return f"\\\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\\\u{c:04x}"


def json_dumps(doc: object, **kwargs: object) -> str:
    """``json.dumps`` (ASCII output) with no lone surrogate: strict parsers reject them."""
    import json

    text = json.dumps(doc, ensure_ascii=True, **kwargs)  # type: ignore[arg-type]
    return _JSON_ESCAPES.sub(_json_lone, text) if "\\ud" in text else text
