"""The grad_fn tree view of a :class:`~adcli.graph.snapshot.GraphSnapshot`.

Public API:

- ``tree_text_lines(snapshot, *, depth=None, saved=False, highlight=(), indent="",
  ascii=False) -> list[str]``: fixed-width plain text, no colour (golden tests, NO_COLOR).
- ``render_tree_text(snapshot, ...) -> str``: the same lines joined.
- ``render_tree_rich(snapshot, ...) -> TreeRenderable``: the same lines, styled (``.text``
  is the ``rich.text.Text``; it never wraps).

Layout: the root on top, each node's inputs below it in ``next_functions`` order; ``None``
for an input that needs no grad; a node reached again (a shared subgraph) shows once and
then as ``[shared, shown above]``; ``--depth N`` keeps nodes at most N edges below the root.
Every mark is a word, so the plain text reads the same as the coloured one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from adcli.graph.snapshot import GraphSnapshot, SnapNode

Segment = tuple[str, str]  # (text, rich style)

_UNICODE = {"tee": "├─ ", "last": "└─ ", "pipe": "│  ", "blank": "   ", "more": "…"}
_ASCII = {"tee": "|- ", "last": "`- ", "pipe": "|  ", "blank": "   ", "more": "..."}

DEFAULT_NOTE = "highlighted"
DEFAULT_DEPTH = 100  # tree levels shown unless a depth is given (adcli graph --depth)


def _fmt_shape(shape: list[int] | None) -> str:
    return "[?]" if shape is None else "[" + ", ".join(str(d) for d in shape) + "]"


def _fmt_num(x: float) -> str:
    return f"{x:.4g}"


def _highlights(snap: GraphSnapshot, highlight: Iterable[Any] | Mapping[Any, str]
                ) -> dict[str, str]:
    """Node id -> note, from snapshot ids, engine nodes, ``id(node)``s or grad_fn names."""
    out: dict[str, str] = {}
    if isinstance(highlight, Mapping):
        for key, note in highlight.items():
            for nid in snap.resolve([key]):
                out[nid] = str(note) if note else DEFAULT_NOTE
    else:
        for nid in snap.resolve(list(highlight)):
            out[nid] = DEFAULT_NOTE
    return out


def _label(n: SnapNode, root_dtype: str | None, shared: bool, note: str | None,
           is_root: bool = False) -> list[Segment]:
    segs: list[Segment] = []
    if note is not None:
        segs.append(("!! ", "bold red"))
    segs.append((n.id + " ", "dim"))
    segs.append((n.name, "bold red" if note is not None else
                 ("green" if n.is_leaf else "bold")))
    if n.is_leaf:
        segs.append((f" (leaf {n.tensor})" if n.tensor else " (leaf)", "green"))
    elif n.tensor:
        segs.append((f" ({n.tensor})", "cyan"))
    segs.append((" " + _fmt_shape(n.shape), "dim"))
    if n.dtype is not None and (is_root or n.dtype != root_dtype):
        segs.append((" " + n.dtype, "magenta"))
    if shared:
        segs.append((" [shared, shown above]", "dim italic"))
        if note is not None:
            segs.append((f" <<< {note}", "bold red"))
        return segs
    if n.grad_norm is not None:
        segs.append((f" grad norm {_fmt_num(n.grad_norm)}", "yellow"))
    if n.modified:
        segs.append((" [saved tensor modified in place]", "bold red"))
    if note is not None:
        segs.append((f" <<< {note}", "bold red"))
    return segs


def saved_text_lines(n: SnapNode) -> list[str]:
    """The ``--saved`` lines of a node as plain text (what the tree shows under it)."""
    return ["".join(text for text, _ in segs) for segs in _saved_lines(n)]


def _saved_lines(n: SnapNode) -> list[list[Segment]]:
    if n.freed and not any(s.shape is not None for s in n.saved):
        return [[("saved tensors freed (backward ran without retain_graph=True)", "yellow")]]
    lines: list[list[Segment]] = []
    for s in n.saved:
        text = f"saved {s.name} {_fmt_shape(s.shape)}"
        if s.dtype:
            text += f" {s.dtype}"
        text += f" version {s.version}"
        if s.modified:
            lines.append([(text, "dim"),
                          (f", now {s.current_version} (modified in place)", "bold red")])
        elif s.freed:
            lines.append([(text, "dim"), (" (freed)", "yellow")])
        else:
            lines.append([(text, "dim")])
    if n.freed and not all(s.freed for s in n.saved):
        lines.append([("saved tensors freed", "yellow")])
    return lines


def tree_segments(snap: GraphSnapshot, *, depth: int | None = None, saved: bool = False,
                  highlight: Iterable[Any] | Mapping[Any, str] = (), indent: str = "",
                  ascii: bool = False) -> list[list[Segment]]:
    """The tree as lines of ``(text, style)`` segments (what both renderers print).

    ``depth`` None shows every level; the commands pass :data:`DEFAULT_DEPTH` (indentation
    grows with depth, so an unbounded chain prints output quadratic in its length).
    """
    g = _ASCII if ascii else _UNICODE
    notes = _highlights(snap, highlight)
    root_dtype = snap.dtype
    lines: list[list[Segment]] = []
    if snap.root is None or snap.root not in snap.nodes:
        what = snap.of or "the tensor"
        if snap.requires_grad:
            why = f"{what} is a leaf that requires grad; its gradient goes to {what}.grad"
        else:
            why = f"{what} does not require grad: grad_fn is None"
        return [[(indent, ""), ("None", "dim"), (f" ({why})", "dim")]]
    if root_dtype is None:
        root_dtype = snap.nodes[snap.root].dtype
    shown: set[str] = set()
    # Each frame: (node id or None, prefix, connector, depth). Pushed in reverse so that the
    # stack pops children in next_functions order; no recursion, any depth.
    stack: list[tuple[str | None, str, str, int]] = [(snap.root, "", "", 0)]
    first = True
    while stack:
        nid, prefix, conn, d = stack.pop()
        head: list[Segment] = [(indent + prefix + conn, "dim")]
        child_prefix = prefix + ("" if first else (g["blank"] if conn == g["last"] else g["pipe"]))
        first = False
        if nid is None:
            lines.append([*head, ("None", "dim")])
            continue
        n = snap.nodes.get(nid)
        if n is None:  # past max_nodes when snapshotted
            lines.append([*head, (nid + " (not snapshotted: node limit)", "dim")])
            continue
        shared = nid in shown
        lines.append(head + _label(n, root_dtype, shared, notes.get(nid), nid == snap.root))
        if shared:
            continue
        shown.add(nid)
        children = n.next
        cut = depth is not None and d >= depth and len(children) > 0
        if saved:
            bar = g["pipe"] if children else g["blank"]
            for sl in _saved_lines(n):
                lines.append([(indent + child_prefix + bar, "dim"), *sl])
        if cut:
            k = len(children)
            lines.append([(indent + child_prefix + g["last"], "dim"),
                          (f"{g['more']} {k} input{'s' if k != 1 else ''} below "
                           "(depth limit)", "dim italic")])
            continue
        for i in range(len(children) - 1, -1, -1):
            last = i == len(children) - 1
            stack.append((children[i], child_prefix, g["last"] if last else g["tee"], d + 1))
    if snap.truncated:
        k = snap.omitted
        lines.append([(indent, ""), (f"{g['more']} {k:,} more node{'s' if k != 1 else ''} "
                                     "(node limit)", "dim italic")])
    return lines


def tree_text_lines(snap: GraphSnapshot, *, depth: int | None = None, saved: bool = False,
                    highlight: Iterable[Any] | Mapping[Any, str] = (), indent: str = "",
                    ascii: bool = False) -> list[str]:
    """The tree as plain text lines (fixed width, no colour), each prefixed by ``indent``.

    ``highlight``: node ids (``"n3"``), engine nodes, ``id(node)``s or grad_fn names, or a
    mapping of those to a note (e.g. ``{culprit_node: "gradcheck culprit"}``).
    """
    return ["".join(t for t, _ in line).rstrip()
            for line in tree_segments(snap, depth=depth, saved=saved, highlight=highlight,
                                      indent=indent, ascii=ascii)]


def render_tree_text(snap: GraphSnapshot, *, depth: int | None = None, saved: bool = False,
                     highlight: Iterable[Any] | Mapping[Any, str] = (), indent: str = "",
                     ascii: bool = False) -> str:
    """The tree as one plain-text string (lines joined with newlines, no trailing newline)."""
    return "\n".join(tree_text_lines(snap, depth=depth, saved=saved, highlight=highlight,
                                     indent=indent, ascii=ascii))


def render_tree_rich(snap: GraphSnapshot, *, depth: int | None = None, saved: bool = False,
                     highlight: Iterable[Any] | Mapping[Any, str] = (), indent: str = "",
                     ascii: bool = False) -> TreeRenderable:
    """The tree as a rich renderable (same characters as the plain text, with styles).

    It never wraps, whatever the console width: a wrapped tree line would break the layout.
    """
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    lines = tree_segments(snap, depth=depth, saved=saved, highlight=highlight, indent=indent,
                          ascii=ascii)
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
        for t, style in line:
            text.append(t, style=style or None)
    return TreeRenderable(text)



class TreeRenderable:
    """A rich renderable around a ``rich.text.Text`` (``.text``) that never wraps.

    Not a ``Text`` itself: ``Console.print`` merges Text objects into a new one and would
    drop the no-wrap setting.
    """

    def __init__(self, text: Any) -> None:
        self.text = text

    @property
    def plain(self) -> str:
        return str(self.text.plain)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        return self.text.__rich_console__(console,
                                          options.update(no_wrap=True, overflow="ignore"))

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        return self.text.__rich_measure__(console, options)
