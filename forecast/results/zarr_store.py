"""Results as a Zarr store (a folder, not a file: not through write_files): ``batch.zarr`` when a
batch is large, ``draws.zarr`` with every draw of every variable of a run (``--keep draws``).

Stores are Zarr format 2, whose text labels (pool, item and status names) have a specification that
other Zarr readers follow. A store is written beside its target, in a staging folder of the output
folder, and renamed into place once whole: a run that stops midway leaves no store, nor any part of
one. A previous store of that name is replaced; a folder of that name that is not a Zarr store is
refused, untouched.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import xarray as xr

from ..errors import InputError, Problem

__all__ = ["zarr_target", "write_zarr", "DrawsZarr"]


def zarr_target(folder, name: str, option: str = "--out") -> Path:
    """``folder/name``, refused when a folder that is not a Zarr store sits there."""
    target = Path(folder) / name
    if target.exists() and not any((target / marker).exists() for marker in ("zarr.json", ".zgroup")):
        raise InputError(
            Problem(
                str(target),
                f"a folder or file that is not a Zarr store is where {name} goes; it is left as it is",
                f"move it, or choose another {option}",
            )
        )
    return target


def write_zarr(folder, name: str, ds: xr.Dataset) -> Path:
    """``ds`` as the Zarr store ``folder/name``, written whole beside it and renamed into place."""
    with DrawsZarr(folder, name) as store:
        store.add(ds)
        return store.commit()


class DrawsZarr:
    """A Zarr store ``folder/name`` filled part by part (:meth:`add`: a Dataset of some draws, the
    variables with a ``draw`` dimension appended along it, the others written with the first part),
    renamed into place by :meth:`commit`; leaving the ``with`` block without committing removes it.
    ``folder`` is made if absent."""

    def __init__(self, folder, name: str = "draws.zarr", option: str = "--out"):
        self.target, self.option = zarr_target(folder, name, option), option
        with self._writing():
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
        self.store, self.parts = self.staging / "store", 0

    def add(self, part: xr.Dataset) -> None:
        from .run_files import netcdf_ready

        with self._writing():
            if self.parts:
                part = part[[name for name, var in part.data_vars.items() if "draw" in var.dims]]
                netcdf_ready(part).to_zarr(self.store, append_dim="draw", consolidated=False, zarr_format=2)
            else:
                netcdf_ready(part).to_zarr(self.store, mode="w", consolidated=False, zarr_format=2)
        self.parts += 1

    @contextlib.contextmanager
    def _writing(self):
        """An OSError (no such folder, no permission, a full disk) as the located refusal it is."""
        try:
            yield
        except OSError as exc:
            raise InputError(
                Problem(
                    self.option,
                    f"cannot write {self.target.name} into '{self.target.parent}': {exc.strerror or exc}",
                    "give a folder you can write to, with free space",
                    value=str(self.target.parent),
                )
            ) from None

    def commit(self, ds: xr.Dataset | None = None) -> Path:
        """The store renamed into place (a previous store of that name set aside, then removed), given
        first what ``ds`` (the run's result) adds: the variables of each draw made from the whole run
        (the first deficit and exhaustion years) and the run's attributes (its provenance, seed, drivers)."""
        with self._writing():
            return self._commit(ds)

    def _commit(self, ds: xr.Dataset | None) -> Path:
        import zarr

        from .run_files import netcdf_ready

        if ds is not None:
            stored = set(zarr.open_group(str(self.store), mode="r").array_keys())
            added = [name for name, var in ds.data_vars.items() if "draw" in var.dims and name not in stored]
            if added:
                netcdf_ready(ds[added]).to_zarr(self.store, mode="a", consolidated=False, zarr_format=2)
            zarr.open_group(str(self.store), mode="r+").attrs.update(netcdf_ready(ds[[]]).attrs)
        zarr.consolidate_metadata(str(self.store))  # xr.open_zarr(path) reads it in one go, without a warning
        if self.target.exists():
            self.target.rename(self.staging / "previous")
        self.store.rename(self.target)
        return self.target

    def __enter__(self) -> DrawsZarr:
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
