"""A cache on disk of what a run computes from its input files' bytes alone: the checked bundle, the
history fits, the intervals' record, the past age index, the documents of YAML files. A second run
on the same bundle reads them instead of computing them again (a deterministic run: about half a
second of its time).

Where: ``$FORECAST_CACHE_DIR``, else ``$XDG_CACHE_HOME/forecast``, else ``~/.cache/forecast``
(created private to the user, mode 0700). ``FORECAST_CACHE=off`` turns it off: nothing is read
or written. An entry is named by the SHA-256 of what it depends on — the bytes of every bundle
file read (a bundle's ``content_hash``; a YAML file's text), the other inputs' values — and of the
package's own source files and the versions of Python, numpy, pandas and xarray, so an edited
bundle or a changed program never reads a stale entry. Entries are pickled data written atomically (a
temporary file, then ``os.replace``: two processes may write the same entry); an entry that
cannot be read back, whatever the reason, is ignored and made again, never an error. The folder
is kept under :data:`MAX_CACHE_BYTES` (the least recently used entries go first), and is only
read while it belongs to the user and no one else may write to it (docs/reference/safety.md).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .files import read_bytes

__all__ = ["cache_dir", "cached", "of_bundle", "digest", "MAX_CACHE_BYTES", "MAX_ENTRY_BYTES"]

#: the largest entry written (a bundle of a prefecture is a few MB pickled)
MAX_ENTRY_BYTES = 64 * 2**20
#: the cache folder's bound: beyond it the least recently used entries are removed
MAX_CACHE_BYTES = 256 * 2**20
SUFFIX = ".pickle"
_OFF = ("off", "0", "no", "false")


def cache_dir() -> Path | None:
    """The cache folder, or None when ``FORECAST_CACHE=off`` (or there is no home folder)."""
    if os.environ.get("FORECAST_CACHE", "").strip().lower() in _OFF:
        return None
    if os.environ.get("FORECAST_CACHE_DIR"):
        return Path(os.environ["FORECAST_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "forecast"
    try:
        return Path.home() / ".cache" / "forecast"
    except RuntimeError:  # no home folder to be found
        return None


@functools.cache
def code_hash() -> str:
    """SHA-256 of the package's source files (path and bytes) and of Python's version: any change
    of the program makes new entries."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def _libraries() -> str:
    """The versions of the libraries whose objects an entry may hold (those loaded: an entry of a
    process without them holds none of their objects; importing them only to ask would cost 0.6 s)."""
    return "|".join(f"{name} {getattr(sys.modules.get(name), '__version__', '-')}" for name in _LIBRARIES)


_LIBRARIES = ("numpy", "pandas", "xarray")


def digest(*parts) -> str:
    """SHA-256 of ``parts``: bytes as they are, arrays by dtype, shape and bytes, others by ``repr``."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            h.update(part)
        elif hasattr(part, "dtype") and hasattr(part, "tobytes"):
            h.update(f"{part.dtype}{part.shape}".encode())
            h.update(part.tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


_MISSING = object()


def cached(kind: str, key: str, make: Callable[[], object], valid: Callable[[object], bool] | None = None):
    """The entry ``kind`` of ``key`` (a string that names everything the value depends on), read
    from the cache, or made with ``make()`` and stored. ``valid(value)`` may refuse an entry read
    back (it is then made again)."""
    folder = cache_dir()
    if folder is None:
        return make()
    name = digest(kind, key, code_hash(), _libraries())
    path = folder / f"{kind}-{name[:40]}{SUFFIX}"
    value = _load(folder, path, name)
    if value is not _MISSING and _accepted(valid, value):
        return value
    value = make()
    _store(folder, path, name, value)
    return value


def of_bundle(region, kind: str, key: tuple, make: Callable[[], object]):
    """:func:`cached` for a value derived from ``region`` and ``key``: named by the bundle's
    ``content_hash``, so only a bundle read from its files is cached (a Region made in memory has none)."""
    if not region.content_hash:
        return make()
    return cached(kind, repr((region.content_hash, *key)), make)


def _accepted(valid, value) -> bool:
    try:
        return valid is None or bool(valid(value))
    except Exception:  # noqa: BLE001 - e.g. a bundle file gone since: the value is made again (and says why)
        return False


def _private(folder: Path) -> bool:
    """Whether ``folder`` is a real folder of this user that no one else may write to."""
    try:
        st = folder.lstat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return stat.S_ISDIR(st.st_mode) and mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _load(folder: Path, path: Path, name: str):
    """The value stored in ``path`` under ``name``; _MISSING when absent or unreadable in any way."""
    if not path.exists() or not _private(folder):
        return _MISSING
    try:
        stored_name, value = pickle.loads(read_bytes(path, "a cache entry", MAX_ENTRY_BYTES))
        if stored_name != name:
            return _MISSING
        os.utime(path)  # recently used: evicted last
        return value
    except Exception:  # noqa: BLE001 - a damaged entry of any kind is made again, never an error
        return _MISSING


def _store(folder: Path, path: Path, name: str, value) -> None:
    """Write ``value`` to ``path`` atomically; a cache that cannot be written is no error."""
    temp = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        data = pickle.dumps((name, value), protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > MAX_ENTRY_BYTES:
            return
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
        temp = None
        _evict(folder, MAX_CACHE_BYTES)
    except Exception:  # noqa: BLE001 - a read-only or full disk, an unpicklable value: no cache
        pass
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _evict(folder: Path, limit: int) -> None:
    """Remove the least recently used entries until the folder's entries take at most ``limit`` bytes."""
    entries = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime_ns, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
