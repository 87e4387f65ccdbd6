"""Reading what users give: YAML and CSV files, the region bundle's schema, :class:`Region`.

Nothing here knows about the model or the reports: a bundle is read, checked table by table
(:mod:`.tables` against :mod:`.schema`) and across tables (:mod:`.plausibility`), and becomes a
:class:`~forecast.inputs.region.Region` of labelled arrays with units.
"""

from ..labelled import defer_dask

defer_dask()  # before the first DataArray: a run that makes no dask array never imports dask

from .region import Region, load_region  # noqa: E402

__all__ = ["Region", "load_region"]
