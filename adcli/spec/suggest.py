""""Did you mean" hints: the names closest to an unknown one by edit distance."""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), case-insensitive."""
    a, b = a.lower(), b.lower()
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates within a third of the name's length (at least 1, at most 3
    edits), nearest first; ties keep a stable alphabetical order."""
    limit = max(1, min(3, len(name) // 3))
    scored = sorted((distance(name, c), c) for c in set(candidates) if c and c != name)
    return [c for d, c in scored if d <= limit][:n]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean X?"`` (or ``X or Y``), or "" when nothing is close."""
    close = closest(name, candidates)
    if not close:
        return ""
    return "; did you mean " + " or ".join(close) + "?"
