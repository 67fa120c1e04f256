"""Standard output and error as a careful Unix tool treats them.

* A reader that goes away (``adcli run x | head -1``) ends adcli quietly with exit 141
  (128 + SIGPIPE, what a shell reports for a tool killed by SIGPIPE), never a traceback or a
  failure exit of its own.
* Any other write error (``> /dev/full``) is one short line on stderr and exit 2; a closed
  stdout (``>&-``) is refused before anything runs.
* Characters the stream's encoding lacks (an ASCII or latin-1 locale) are written as
  backslash escapes instead of crashing.
* No raw control character from a spec reaches a terminal: spec text is escaped where it
  is shown (:func:`adcli.view.safe.printable`), and these streams escape any that is left
  (tab and newline excepted) as ``\\x1b``: stderr always, stdout when it is not a terminal
  (on one, rich's own colour codes must pass, and the views' escaping applies).
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

EXIT_BROKEN_PIPE = 141
EXIT_WRITE_ERROR = 2


class OutputError(BaseException):
    """stdout or stderr cannot be written. A BaseException: no ``except Exception`` in a
    command may swallow it (or report it as a failed step)."""

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"{stream}: {error.strerror or error}")
        self.stream = stream
        self.error = error

    @property
    def broken_pipe(self) -> bool:
        return isinstance(self.error, BrokenPipeError)


_KEEP = {9, 10}  # tab, newline
_ESCAPES = bytes(range(256))


def _escape_controls(data: bytes) -> bytes:
    """C0 controls (but tab and newline), DEL and UTF-8-encoded C1 controls as ``\\xNN``."""
    if not any((b < 32 and b not in _KEEP) or b == 127 or b == 0xC2 for b in data):
        return data
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if (b < 32 and b not in _KEEP) or b == 127:
            out += b"\\x%02x" % b
        elif b == 0xC2 and i + 1 < n and 0x80 <= data[i + 1] <= 0x9F:
            out += b"\\x%02x" % data[i + 1]
            i += 1
        else:
            out.append(b)
        i += 1
    return bytes(out)


class _Sink(io.RawIOBase):
    """A file descriptor whose write errors become :class:`OutputError`."""

    def __init__(self, fd: int, name: str, escape: bool) -> None:
        super().__init__()
        self.fd = fd
        self.stream = name
        self.tty = os.isatty(fd)
        self.escape = escape
        self.dead = False

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        return self.fd

    def write(self, data: Any) -> int:
        size = len(data)
        if self.dead:
            return size  # after an error: drop the rest quietly (exit-time flushes too)
        chunk = _escape_controls(bytes(data)) if self.escape else bytes(data)
        try:
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.fd, view):]
        except OSError as exc:
            self.dead = True
            raise OutputError(self.stream, exc) from None
        return size


def _wrap(stream: Any, name: str) -> Any:
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return stream  # not a real file (a test harness): leave it alone
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.flush()
    # stdout on a terminal carries rich's colour codes (spec text in it is escaped by the
    # views); stderr only ever carries messages, so it is always escaped.
    sink = _Sink(fd, name, escape=name == "stderr" or not os.isatty(fd))
    if name == "stderr":
        # Unbuffered, as Python's own stderr: each message is written whole, at once.
        return io.TextIOWrapper(sink, encoding=encoding,  # type: ignore[arg-type]
                                errors="backslashreplace", write_through=True)
    return io.TextIOWrapper(io.BufferedWriter(sink), encoding=encoding,
                            errors="backslashreplace", line_buffering=sink.tty)


def install() -> int | None:
    """Guard stdout and stderr; returns an exit code when adcli cannot run at all."""
    if sys.stdout is None:
        if sys.stderr is not None:
            sys.stderr.write("adcli: standard output is closed; nothing could be shown\n")
        return EXIT_WRITE_ERROR
    sys.stdout = _wrap(sys.stdout, "stdout")
    if sys.stderr is not None:
        sys.stderr = _wrap(sys.stderr, "stderr")
    return None


def finish() -> int | None:
    """Flush stdout now (where errors can still be reported); an exit code on failure."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OutputError as exc:
        return handle(exc)
    return None


def handle(exc: OutputError) -> int:
    """Report a write error (quietly for a broken pipe); the exit code."""
    _silence("stdout")
    if exc.broken_pipe and exc.stream == "stdout":
        return EXIT_BROKEN_PIPE
    if exc.stream == "stdout":
        try:
            sys.stderr.write(f"adcli: cannot write the output: {exc}\n")
            sys.stderr.flush()
        except (OutputError, OSError, ValueError):
            pass
    return EXIT_WRITE_ERROR


def _silence(name: str) -> None:
    """Drop whatever is still buffered for the stream (its descriptor cannot take it)."""
    stream = getattr(sys, name, None)
    raw = getattr(getattr(stream, "buffer", None), "raw", None)
    if isinstance(raw, _Sink):
        raw.dead = True


def write_binary(data: bytes) -> None:
    """Bytes (a PNG) to stdout as they are: no control-character escaping, which would
    corrupt them; write errors still end adcli as for any output."""
    sys.stdout.flush()
    buf = getattr(sys.stdout, "buffer", None)
    raw = getattr(buf, "raw", None)
    if buf is None:  # a text-only harness: the bytes as latin-1 characters
        sys.stdout.write(data.decode("latin-1"))
        return
    escape = getattr(raw, "escape", False)
    if isinstance(raw, _Sink):
        raw.escape = False
    try:
        buf.write(data)
        buf.flush()
    finally:
        if isinstance(raw, _Sink):
            raw.escape = escape
