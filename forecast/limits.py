"""The limits on what the tool will read or compute, in one place (README "Limits").

Each limit is far above what a real input needs and far below what would exhaust the machine;
an input beyond one ends in a located message and exit code 2, never a hang or a crash.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar

try:
    import resource
except ImportError:  # not on this platform (Windows): no address-space limit to read
    resource = None

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "MAX_YAML_ALIASES",
    "MAX_EXTENDS",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_DRAWS",
    "MAX_MONEY",
    "MAX_PERSONS",
    "MAX_WORKBOOK_BYTES",
    "MAX_WORKBOOK_PART_BYTES",
    "MAX_WORKBOOK_UNPACKED_BYTES",
    "MAX_WORKBOOK_PARTS",
    "MAX_SHEET_ROWS",
    "MAX_SHEET_COLUMNS",
    "MAX_REPORT_BYTES",
    "MAX_RESULTS_BYTES",
    "draws_memory",
    "largest_draws",
    "available_memory",
    "usable_cores",
    "task_cores",
    "MEMORY_SHARE",
    "MAX_WORKERS_PER_CORE",
    "BATCH_BYTES_PER_REGION_YEAR",
]

#: a scenario file or region.yaml (the largest shipped one is 20 KB)
MAX_YAML_BYTES = 1_000_000
#: nesting of mappings and lists in a YAML file (the schema is at most 7 deep)
MAX_YAML_DEPTH = 32
#: values in a YAML file once aliases are expanded (baseline.yaml has about 300)
MAX_YAML_NODES = 100_000
#: aliases (*name) in a YAML file
MAX_YAML_ALIASES = 1_000
#: files in an ``extends`` chain
MAX_EXTENDS = 32
#: a bundle CSV or an execution CSV (data/china's largest table, mortality.csv, is 88 KB)
MAX_CSV_BYTES = 50_000_000
#: data rows in one CSV
MAX_CSV_ROWS = 1_000_000
#: stochastic draws in one run
MAX_DRAWS = 100_000
#: largest amount of money a bundle or execution figure may hold, in yuan (10^15 = 1,000 万亿,
#: ten times China's GDP): larger figures are typing slips and overflow the arithmetic
MAX_MONEY = 1e15

#: largest count of persons a figure may hold (10^10: seven times China's population)
MAX_PERSONS = 1e10
#: an approved-budget workbook as stored (budget.xlsx is about 10 KB)
MAX_WORKBOOK_BYTES = 20_000_000
#: one part of a workbook once unpacked (budget.xlsx's largest, a sheet, is about 25 KB): checked from the
#: zip's directory before anything is unpacked, so a zip bomb is refused unopened (Python's zip reader
#: never unpacks more than a part's stated size)
MAX_WORKBOOK_PART_BYTES = 5_000_000
#: all parts of a workbook once unpacked
MAX_WORKBOOK_UNPACKED_BYTES = 20_000_000
#: parts (files) in a workbook (budget.xlsx has 15)
MAX_WORKBOOK_PARTS = 1_000
#: rows and columns of a budget sheet that are read (a pool's sheet has about 30 rows and 8 columns;
#: a sheet declaring A1:XFD1048576 is read to these bounds, not to its dimension)
MAX_SHEET_ROWS = 1_000
MAX_SHEET_COLUMNS = 100
#: a previous report.html (``report --previous``; the baseline's is about 1 MB, its charts embedded)
MAX_REPORT_BYTES = 50_000_000
#: a previous results.nc (``report --previous``; 10,000 draws to 2060 write about 1 GB)
MAX_RESULTS_BYTES = 8 * 2**30

#: what a stochastic run holds at its peak, fitted to the peak resident memory measured by
#: benchmarks/memory.py (``forecast run baseline --draws N``, 61 years; within 12% at 100 to 100,000
#: draws): the program with its imports and a deterministic run; the draws in flight: the fund
#: stages' group of up to _FUND_DRAWS draws (their labelled arrays, the larger part), and beyond it
#: the population's groups of _POPULATION_DRAWS projected ahead on the population threads, _AHEAD of
#: them, each enrolled a year at a time as it is projected (forecast/engine/enrolled.py: its births,
#: insured sums and drivers, not its population by age); and, per draw and projected year, the fund
#: results, plus the population by sex and age if it is kept (within 15% at 1,000 and 5,000 draws
#: with --keep population). A run of more than _STREAM_DRAWS draws streams them
#: (forecast/engine/store.py): per draw only the contract's numbers (about 26 a projected year, in
#: arrays made once) and the draws' percentiles at the end.
_FIXED_BYTES = 110 * 2**20
_FUND_BYTES_PER_DRAW_YEAR = 1_400
_AHEAD_BYTES_PER_DRAW_YEAR = 330
_BYTES_PER_DRAW_YEAR = 210
_STREAM_BYTES_PER_DRAW_YEAR = 270
_POPULATION_BYTES_PER_DRAW_YEAR = 900
#: runs of more draws than this stream them (forecast.engine.store.STREAM_DRAWS)
_STREAM_DRAWS = 2_000
#: draws the fund stages take at once (forecast.engine.run.FUND_DRAWS)
_FUND_DRAWS = 6_000
#: draws the population projects at once (forecast.engine.run.POPULATION_DRAWS)
_POPULATION_DRAWS = 2_000
#: population groups made ahead (forecast.engine.run.AHEAD)
_AHEAD = 2
#: the share of the available memory a run may plan to use
MEMORY_SHARE = 0.8
#: dask workers per core that ``forecast batch --workers`` may start (more only queue for the cores)
MAX_WORKERS_PER_CORE = 2
#: what ``forecast batch`` gathers per region, scenario and projected year (measured: 2.6 KB with draws'
#: percentiles), and its copy as it is written
BATCH_BYTES_PER_REGION_YEAR = 8_000


def draws_memory(draws: int, years: int, keep_population: bool = False) -> int:
    """Bytes a run of ``draws`` draws over ``years`` projected years needs at its peak (estimate)."""
    years = max(years, 1)
    streamed = draws > _STREAM_DRAWS
    per = (_STREAM_BYTES_PER_DRAW_YEAR if streamed else _BYTES_PER_DRAW_YEAR) + (
        _POPULATION_BYTES_PER_DRAW_YEAR if keep_population else 0
    )
    ahead = min(max(draws - _FUND_DRAWS, 0), _AHEAD * _POPULATION_DRAWS)
    in_flight = min(draws, _FUND_DRAWS) * _FUND_BYTES_PER_DRAW_YEAR + ahead * _AHEAD_BYTES_PER_DRAW_YEAR
    return _FIXED_BYTES + years * in_flight + draws * years * per


def largest_draws(years: int, keep_population: bool = False, memory: int | None = None) -> int:
    """The most draws over ``years`` that fit in ``memory`` bytes (default: MEMORY_SHARE of the
    available memory) and MAX_DRAWS; 0 when not even one does."""
    budget = MEMORY_SHARE * available_memory() if memory is None else memory
    low, high = 0, MAX_DRAWS
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if draws_memory(mid, years, keep_population) <= budget else (low, mid - 1)
    return low


#: the cores a task was given (:func:`task_cores`); None: the process's own
_TASK_CORES: ContextVar[int | None] = ContextVar("forecast_task_cores", default=None)


def usable_cores() -> int:
    """Cores this process may run on, or the task's, if fewer (:func:`task_cores`)."""
    try:
        have = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        have = os.cpu_count() or 1
    given = _TASK_CORES.get()
    return have if given is None else max(1, min(given, have))


@contextmanager
def task_cores(cores: int):
    """Within the block, the run uses at most ``cores`` cores (:func:`usable_cores`): a batch task on
    its dask worker's one thread makes its population there rather than on threads of its own, the
    cluster's workers being the parallelism (two workers on two cores: ``benchmarks/batch.py``)."""
    token = _TASK_CORES.set(cores)
    try:
        yield
    finally:
        _TASK_CORES.reset(token)


def _meminfo(path: str, key: str) -> int | None:
    """A ``key: N kB`` line of a /proc file, in bytes (None if absent)."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space_left() -> int | None:
    """Bytes this process may still make resident under its address-space limit (``ulimit -v``,
    RLIMIT_AS), counting what is resident now (the estimates include it); None without a limit."""
    if resource is None:
        return None
    try:
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (OSError, ValueError):
        return None
    if limit == resource.RLIM_INFINITY:
        return None
    size, resident = _meminfo("/proc/self/status", "VmSize"), _meminfo("/proc/self/status", "VmRSS")
    return max(limit - (size or 0) + (resident or 0), 0)


def available_memory() -> int:
    """Bytes of memory available to this process now: MemAvailable on Linux (else physical memory),
    and no more than its address-space limit leaves."""
    have = _meminfo("/proc/meminfo", "MemAvailable")
    if have is None:
        try:
            have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            have = 8 * 2**30
    left = _address_space_left()
    return have if left is None else min(have, left)
