"""Writing results into a user's folder: file by file, atomically, deleting nothing else.

:func:`write_files` is the only way the commands write results. For each file it writes a
hidden temporary file in the same folder (``.NAME.PID-XXXX.SUFFIX``), flushes it to disk, and
renames it over the target (``os.replace``, atomic on one file system). All temporary files are
written before the first rename, so a failure while producing any of them replaces nothing.
An interrupted or concurrent run therefore leaves each file either as it was or as the new
run wrote it, never partial, and removes its temporary files on the way out (those of a run killed
outright are removed by the next write into the folder). Files in the folder that the command does
not write are never touched, and an existing file forecast did not write there (or that changed since
it did) is replaced only with ``--force``, which keeps a copy (:mod:`forecast.results.ownership`).
What a fund run's files hold (results.nc, the CSV tables) is :mod:`forecast.results.run_files`.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError, Problem
from . import ownership

__all__ = ["write_files", "check_out", "replacing"]

#: whether this command may replace files forecast did not write (``--force``): set by the CLI's guard
_force = {"on": False}


@contextmanager
def replacing(flag: bool):
    """Within the block, :func:`write_files` replaces existing files forecast did not write (keeping a
    ``.bak`` copy of each) instead of refusing them: the command's ``--force``."""
    before, _force["on"] = _force["on"], bool(flag)
    try:
        yield
    finally:
        _force["on"] = before


#: a file's content: text (written as UTF-8), bytes, or a function that writes the file at the path it is given
Content = str | bytes | Callable[[Path], object]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_out(folder: Path | str, option: str = "--out") -> Path:
    """Refuse, before any work, an ``--out`` that cannot be a results folder: an empty name, an
    existing file, a link to nothing, or a path under a file or a folder that cannot be written."""
    if not str(folder).strip():
        raise InputError(
            Problem(
                option, "an empty folder name", "give the folder for the results, e.g. --out results", value=str(folder)
            )
        )
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            Problem(
                option,
                f"'{folder}' is an existing file, not a folder",
                "give a folder for the results (it is created if absent); the file was left as it is",
                value=str(folder),
            )
        )
    if folder.is_symlink() and not folder.exists():
        raise InputError(
            Problem(
                option,
                f"'{folder}' is a link to a folder that does not exist",
                "create the folder it points to, or give another folder",
                value=str(folder),
            )
        )
    parent = folder if folder.exists() else next((p for p in folder.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        where = parent if parent is not None else folder
        reason = "it is a file, not a folder" if parent is not None and not parent.is_dir() else "permission denied"
        raise InputError(
            Problem(
                option,
                f"cannot write the results to '{folder}': {where} cannot hold it ({reason})",
                "give a folder path you can write to (it is created if absent)",
                value=str(folder),
            )
        )
    return folder


def _check_targets(folder: Path, names, inputs, option: str) -> None:
    """No result may replace one of the command's own inputs, or a folder of the same name."""
    protected = {}
    for path in inputs:
        try:
            protected[Path(path).resolve()] = path
        except (OSError, RuntimeError):
            continue
    for name in names:
        target = folder / name
        if target.is_dir():
            raise InputError(
                Problem(
                    option,
                    f"'{target}' is a folder, and this command writes a file of that name",
                    "give another folder for the results, or move that folder",
                    value=str(folder),
                )
            )
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved in protected:
            raise InputError(
                Problem(
                    option,
                    f"'{target}' is one of this command's inputs ({protected[resolved]}): writing the results there "
                    "would replace it",
                    "give another folder for the results",
                    value=str(folder),
                )
            )


def _out_folder(folder: Path, option: str) -> Path:
    """``folder`` ready to write into (created if absent)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            Problem(
                option,
                f"cannot write the results to '{folder}': {exc.strerror or exc}",
                "give a folder path you can write to (it is created if absent)",
                value=str(folder),
            )
        ) from None
    return folder


@contextmanager
def _signals_deferred():
    """Hold back Ctrl-C and SIGTERM for a moment, so a temporary file is never created without
    being recorded for clean-up (the signal is delivered right after)."""
    block = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, block)
    except (AttributeError, OSError, ValueError):  # not available on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write(fd: int, temp: Path, content: Content) -> None:
    """Write ``content`` into the temporary file ``temp`` (open as ``fd``), flushed to disk."""
    if callable(content):
        os.close(fd)
        fd = -1
        content(temp)
        fd = os.open(temp, os.O_RDONLY)
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; results follow the user's umask


def write_files(
    folder: Path | str, files: dict[str, Content], option: str = "--out", inputs=(), force: bool | None = None
) -> list[Path]:
    """Write ``files`` (name -> content) into ``folder``, each atomically; return their paths.

    ``folder`` is created if absent (and removed again if nothing could be written into it); an
    existing file there (``folder`` itself a file), a result that would replace one of ``inputs``
    (the command's own input files), a folder where a result goes, or an existing file forecast did
    not write (unless ``force``, default: the command's ``--force``; a copy is kept) is refused with
    an :class:`~forecast.errors.InputError` naming ``option``. Only the named files are replaced.
    """
    check_out(folder, option)
    existed = Path(folder).exists()
    _check_targets(Path(folder), files, inputs, option)
    folder = _out_folder(Path(folder), option)
    ownership.remove_stale_temporaries(folder)
    staged: dict[str, Path] = {}
    written: list[Path] = []
    token = ownership.temporary_token()  # in every temporary name of this call: what to clean up, whenever Ctrl-C lands
    try:
        for name, content in files.items():
            target = Path(name)
            with _signals_deferred():
                fd, temp = tempfile.mkstemp(prefix=f".{target.stem}.{token}.", suffix=target.suffix, dir=folder)
                staged[name] = Path(temp)
            _write(fd, staged[name], content)
        hashes = {name: ownership.digest(temp) for name, temp in staged.items()}
        foreign = ownership.check_replaceable(folder, files, _force["on"] if force is None else force, option, hashes)
        ownership.record(folder, hashes, token)
        for name in foreign:
            ownership.back_up(folder, name)
        for name in list(staged):
            with _signals_deferred():
                os.replace(staged[name], folder / name)
                del staged[name]
            written.append(folder / name)
    except OSError as exc:
        raise InputError(
            Problem(
                option,
                f"cannot write the results to '{folder}': {exc.strerror or exc}",
                "give a folder you can write to, with free space",
                value=str(folder),
            )
        ) from None
    finally:
        # A Ctrl-C whose handler runs between mkstemp and the line recording its file (Python runs
        # handlers between bytecodes, so blocking the signal cannot close that gap) leaves a file
        # not in ``staged``: every temporary file of this call carries ``token``.
        for temp in [*staged.values(), *folder.glob(f".*.{token}.*")]:
            temp.unlink(missing_ok=True)
        if not written and not existed:
            try:
                folder.rmdir()  # created by this command and still empty
            except OSError:
                pass
    return written
