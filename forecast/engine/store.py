"""The draws of a run as its chunks arrive (:class:`DrawStore`), in memory that does not grow with
the draws beyond what users read of every draw.

Up to :data:`STREAM_DRAWS` draws (a few hundred, the thousand of a budget's interval) every variable
keeps every draw, the chunks joined at the end. Beyond it the run streams: the variables of
:data:`PER_DRAW` — the public contract (insured, income, expenditure, balance, reserve, months
covered, the verdict; small: year × pool × draw), the warning, and what the draws' percentiles and
probabilities, the solver's probability targets, batch and the accessor read — are written chunk by
chunk into arrays made once for all the draws; every other variable (the items by line, insured by
status, benefit use, cost indices, the individual accounts, the required standard) is kept as its
mean over the draws, summed chunk by chunk, as the population already is. Its description says so.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..labelled import concat_exact

__all__ = ["DrawStore", "STREAM_DRAWS", "PER_DRAW", "streams"]

#: runs with more draws than this keep only PER_DRAW per draw (the others: their mean)
STREAM_DRAWS = 2_000
#: the variables a streamed run keeps for every draw
PER_DRAW = ("insured", "income", "expenditure", "balance", "reserve", "months_covered", "verdict", "warning")


def streams(draws: int | None) -> bool:
    """Whether a run of ``draws`` draws keeps only :data:`PER_DRAW` per draw."""
    return bool(draws) and draws > STREAM_DRAWS


class DrawStore:
    """The chunks of a run's draws (each a Dataset with a ``draw`` dimension), joined as they come:
    all of them (:meth:`add` keeps the chunks) or, when ``stream``, :data:`PER_DRAW` in place and
    the rest summed; ``sink``: also given every chunk whole, as it comes (a
    :class:`~forecast.results.zarr_store.DrawsZarr`: every draw of every variable, on disk)."""

    def __init__(self, draws: int, stream: bool, sink=None):
        self.draws, self.stream, self.sink = draws, stream, sink
        self.parts: list[xr.Dataset] = []
        self.template: xr.Dataset | None = None
        self.kept: dict[str, tuple[tuple, np.ndarray, dict]] = {}
        self.sums: dict[str, xr.DataArray] = {}
        self.labels: list[np.ndarray] = []
        self.filled = 0

    def add(self, part: xr.Dataset) -> None:
        if self.sink is not None:
            self.sink.add(part)
        if not self.stream:
            self.parts.append(part)
            return
        if self.template is None:
            self._allocate(part)
        n = part.sizes["draw"]
        for name, (dims, values, _attrs) in self.kept.items():
            values[self.filled : self.filled + n] = part[name].transpose(*dims).values
        for name, total in self.sums.items():
            self.sums[name] = total + part[name].sum("draw", skipna=False)
        self.labels.append(part["draw"].values)
        self.filled += n

    def _allocate(self, first: xr.Dataset) -> None:
        """The arrays of every draw, shaped on the first chunk's (draw first); the sums start at 0."""
        self.template = first.drop_dims("draw")
        for name, var in first.data_vars.items():
            if "draw" not in var.dims:
                continue
            if name in PER_DRAW:
                dims = ("draw", *(d for d in var.dims if d != "draw"))
                shape = (self.draws, *(first.sizes[d] for d in dims[1:]))
                self.kept[name] = (dims, np.empty(shape, dtype=var.dtype), dict(var.attrs))
            else:
                self.sums[name] = xr.zeros_like(var.isel(draw=0, drop=True), dtype=float)

    def result(self) -> xr.Dataset:
        """The run's Dataset over all the draws added."""
        if not self.stream:
            parts = self.parts
            return concat_exact(parts, "draw", data_vars="minimal") if len(parts) > 1 else parts[0]
        if self.filled != self.draws:
            raise RuntimeError(f"{self.filled} draws were projected, {self.draws} expected")
        draw = np.concatenate(self.labels)
        out = {name: xr.DataArray(values, dims=dims, attrs=attrs) for name, (dims, values, attrs) in self.kept.items()}
        for name, total in self.sums.items():
            mean = total / self.filled
            text = mean.attrs.get("description", name)
            out[name] = mean.assign_attrs(
                over_draws="mean",
                description=f"{text}; the mean over {self.filled} draws (a run of more than {STREAM_DRAWS} draws "
                f"keeps each draw only of {', '.join(PER_DRAW)})",
            )
        return self.template.assign(out).assign_coords(draw=draw)
