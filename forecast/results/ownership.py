"""Which files in a folder forecast wrote: the manifest, the --force backups, stale temporary files.

The rule (README "Safety"): a command may replace a file it (the package) wrote before into that
folder and that is still as written — re-running ``forecast run --out DIR`` into the same folder is
the normal workflow — or one that already holds exactly what it writes (nothing is lost), and refuses
to replace any other existing file (the user's own ``insured.csv``,
a budget.xlsx the user edited after forecast wrote it) unless ``--force``; ``--force`` keeps a copy
of what it replaces (``name.bak``, or ``name.bak.2``, ... if that exists).

A folder's manifest, ``.forecast-manifest.json``, maps each file name forecast wrote to the SHA-256
of the contents it wrote (the last few, so a concurrent or interrupted run still recognises its
own files). It is updated under a lock on the folder, before the files are renamed into place (with
the new contents' hashes added to the earlier ones), so a run killed at any point leaves every file
either as it was or as forecast wrote it, and recognised.

Temporary files carry the writing process's id; a later write into the folder removes those of a
process that no longer runs (a run killed with SIGKILL or by a power cut cannot clean up itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on this platform (Windows): the manifest is written without a lock
    fcntl = None

from ..errors import InputError, Problem

__all__ = [
    "MANIFEST",
    "check_replaceable",
    "back_up",
    "record",
    "remove_stale_temporaries",
    "temporary_token",
    "digest",
]

MANIFEST = ".forecast-manifest.json"
#: hashes kept per name (a few runs' worth: concurrent and interrupted runs)
KEPT_HASHES = 8
#: a temporary file of a process that is gone is removed once it is this old (seconds)
STALE_AFTER = 60
_TEMPORARY = re.compile(r"^\..*\.(\d+)-[0-9a-f]{12}\.")


def temporary_token() -> str:
    """What every temporary file of one write carries: the process id and a random part."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def digest(path: Path) -> str:
    """SHA-256 of a file's contents."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def _locked(folder: Path):
    """An exclusive lock on ``folder`` (flock on its descriptor) while the manifest is read and written."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _read(folder: Path) -> dict[str, list[str]]:
    """The manifest's {name: [hashes]}; an unreadable or foreign one counts as empty (nothing is ours)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): [str(h) for h in v] for k, v in files.items() if isinstance(v, list)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write(folder: Path, files: dict[str, list[str]], token: str) -> None:
    text = json.dumps(
        {
            "written_by": "forecast (README 'Safety': files here that forecast may replace)",
            "files": dict(sorted(files.items())),
        },
        ensure_ascii=False,
        indent=1,
    )
    fd, temp = tempfile.mkstemp(prefix=f".forecast-manifest.{token}.", suffix=".json", dir=folder)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(temp, folder / MANIFEST)


def check_replaceable(folder: Path, names, force: bool, option: str, new: dict | None = None) -> list[str]:
    """The names among ``names`` that exist in ``folder`` and were not written by forecast as they
    are now (nor hold exactly the contents about to be written, ``new``: name -> hash); refused (an
    InputError naming them) unless ``force``, which returns them for :func:`back_up`."""
    known = _read(folder)
    foreign = []
    for name in names:
        target = folder / name
        if not (target.exists() or target.is_symlink()):
            continue
        accepted = {*known.get(name, ()), *([new[name]] if new and name in new else [])}
        if target.is_file() and not target.is_symlink() and digest(target) in accepted:
            continue
        foreign.append(name)
    if foreign and not force:
        shown = ", ".join(foreign)
        raise InputError(
            Problem(
                option,
                f"'{folder}' already holds {shown}, which forecast did not write there (or which changed since it "
                f"did): left as {'it is' if len(foreign) == 1 else 'they are'}",
                "give another folder, or add --force to replace them (a copy of each is kept as NAME.bak)",
                value=str(folder),
            )
        )
    return foreign


def back_up(folder: Path, name: str) -> Path:
    """A copy of ``folder/name`` beside it, ``name.bak`` (or ``name.bak.2``, ...: never over another file)."""
    source = folder / name
    n = 1
    while True:
        target = folder / (f"{name}.bak" if n == 1 else f"{name}.bak.{n}")
        if not (target.exists() or target.is_symlink()):
            break
        n += 1
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
    return target


def record(folder: Path, hashes: dict[str, str], token: str) -> None:
    """Add ``hashes`` (name -> the contents forecast is about to rename into place) to the manifest,
    keeping the last KEPT_HASHES of each name: a run interrupted before its renames, or two runs
    writing into one folder at once, leave every file recognised."""
    with _locked(folder):
        files = _read(folder)
        for name, value in hashes.items():
            files[name] = ([h for h in files.get(name, []) if h != value] + [value])[-KEPT_HASHES:]
        _write(folder, files, token)


def remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files a killed forecast process left in ``folder`` (its process is gone
    and the file is older than STALE_AFTER seconds)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if not found or not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError):
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER and not _running(int(found.group(1))):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True
