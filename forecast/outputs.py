"""Writing results: atomically, so a failed run never leaves a half-written folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["write_atomically", "netcdf_ready"]


def write_atomically(folder: Path | str, files: dict) -> Path:
    """Write ``files`` into ``folder``: all of them, or none.

    Each value is text, or a function that writes the file at the path it is given.

    The files are written to a temporary folder beside ``folder`` and swapped in with renames.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700; a results folder follows the umask
    try:
        for name, content in files.items():
            if callable(content):
                content(staging / name)
            else:
                (staging / name).write_text(content, encoding="utf-8")
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def netcdf_ready(ds):
    """A copy of ``ds`` whose attrs NetCDF can store (dicts and lists of text become JSON text)."""
    import json

    def clean(attrs):
        out = {}
        for key, value in attrs.items():
            if isinstance(value, (dict, list, tuple)):
                out[key] = json.dumps(value, ensure_ascii=False, default=str)
            elif isinstance(value, bool):
                out[key] = int(value)
            else:
                out[key] = value
        return out

    ds = ds.copy()
    ds.attrs = clean(ds.attrs)
    for name in ds.variables:
        ds[name].attrs = clean(ds[name].attrs)
    return ds
