"""Reading a user's file: only a regular file, within a size limit; text in UTF-8 without control characters.

Every reader of user files (YAML in :mod:`forecast.inputs.yamlfile`, bundle CSVs in
:mod:`forecast.inputs.tables`, execution CSVs in :mod:`forecast.apps.execution`, approved budgets in
:mod:`forecast.apps.approved_readers`, a previous report in :mod:`forecast.apps.reconcile`) gets its bytes from
:func:`read_bytes`, so a missing file, a folder given for a file, a link that points to itself, a FIFO
or a device (``/dev/zero``: it would never end), a file too large, a GBK file from Excel, or a NUL byte
end in the same located message. The file is opened without blocking (a FIFO with no writer would
wait for ever), checked on the open descriptor (what is read is what was checked), and read to at
most its limit.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import InputError, Problem

__all__ = ["read_text", "read_bytes", "regular_file"]

#: what a path that is not a regular file is, for messages
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

#: C0 control characters other than tab, line feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_large(path: Path, size: int, what: str, limit: int) -> InputError:
    return InputError(
        Problem(
            path,
            f"the file is {size / 1e6:,.1f} MB; {what} is at most {limit / 1e6:,.0f} MB (forecast/limits.py)",
            "check that this is the right file",
        )
    )


def _check_status(path: Path, st: os.stat_result, what: str, limit: int) -> None:
    """Refuse anything but a regular file of at most ``limit`` bytes."""
    if stat.S_ISDIR(st.st_mode):
        raise InputError(Problem(path, f"is a folder, not {what}", "give the path of the file itself"))
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise InputError(
            Problem(
                path, f"is {kind}, not {what}: only a regular file is read", "give the path of a file saved on disk"
            )
        )
    if st.st_size > limit:
        raise _too_large(path, st.st_size, what, limit)


def _unreadable(path: Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(Problem(path, "file not found", "check the path"))
    return InputError(
        Problem(
            path,
            f"cannot read the file: {exc.strerror or exc}",
            "check the path (a link that points to itself, or a file you may not read)",
        )
    )


def regular_file(path: Path | str, what: str, limit: int) -> Path:
    """``path`` if it is a regular file of at most ``limit`` bytes (for a library that opens the file
    itself); an InputError naming the file otherwise."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    _check_status(path, st, what, limit)
    return path


def read_bytes(path: Path | str, what: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; an InputError naming the
    file for anything else (missing, a folder, a FIFO, a device, too large, unreadable).

    ``what`` names the kind of file in messages ("a scenario file", "a CSV table").
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if isinstance(exc, IsADirectoryError):
            raise InputError(Problem(path, f"is a folder, not {what}", "give the path of the file itself")) from None
        raise _unreadable(path, exc) from None
    try:
        _check_status(path, os.fstat(fd), what, limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    if size > limit:  # the file grew while it was read
        raise _too_large(path, size, what, limit)
    return b"".join(chunks)


def read_text(path: Path | str, what: str, limit: int) -> str:
    """The content of ``path`` (UTF-8, a BOM allowed), or an InputError naming file, line and fix.

    ``what`` names the kind of file in messages ("a scenario file", "a CSV table"); ``limit`` is
    its largest size in bytes.
    """
    path = Path(path)
    data = read_bytes(path, what, limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                file=path,
                line=data[: exc.start].count(b"\n") + 1,
                message=(
                    f"not valid UTF-8 text (byte {exc.start}); files saved by Excel or WPS as plain 'CSV' or text are "
                    "often GBK"
                ),
                fix="save the file as UTF-8 (Excel: File > Save As > 'CSV UTF-8'; in an editor: encoding UTF-8)",
            )
        ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        raise InputError(
            Problem(
                path,
                f"unreadable character U+{ord(bad.group()):04X} (a NUL byte or another control character)",
                "save the file as plain UTF-8 text; remove the character",
                line,
            )
        )
    return text
