"""Reading a user's text file: size limit, encoding and unreadable characters, located.

Every reader of user files (YAML in :mod:`forecast.inputs.yamlfile`, bundle CSVs in
:mod:`forecast.inputs.tables`, execution CSVs in :mod:`forecast.apps.execution`) gets its text here, so a
missing file, a folder given for a file, a link that points to itself, a file too large, a
GBK file from Excel, or a NUL byte end in the same located message.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError, Problem

__all__ = ["read_text"]

#: C0 control characters other than tab, line feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_text(path: Path | str, what: str, limit: int) -> str:
    """The content of ``path`` (UTF-8, a BOM allowed), or an InputError naming file, line and fix.

    ``what`` names the kind of file in messages ("a scenario file", "a CSV table"); ``limit`` is
    its largest size in bytes.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        size = path.stat().st_size
        if size > limit:
            raise InputError(Problem(path, f"the file is {size / 1e6:,.1f} MB; {what} is at most {limit / 1e6:,.0f} MB", "check that this is the right file"))
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(path, "file not found", "check the path")) from None
    except IsADirectoryError:
        raise InputError(Problem(path, f"is a folder, not {what}", "give the path of the file itself")) from None
    except OSError as exc:
        raise InputError(Problem(path, f"cannot read the file: {exc.strerror or exc}", "check the path (a link that points to itself, or a file you may not read)")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                file=path,
                line=data[: exc.start].count(b"\n") + 1,
                message=f"not valid UTF-8 text (byte {exc.start}); files saved by Excel or WPS as plain 'CSV' or text are often GBK",
                fix="save the file as UTF-8 (Excel: File > Save As > 'CSV UTF-8'; in an editor: encoding UTF-8)",
            )
        ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        raise InputError(Problem(path, f"unreadable character U+{ord(bad.group()):04X} (a NUL byte or another control character)", "save the file as plain UTF-8 text; remove the character", line))
    return text
