"""The run cache and the queue: jobs run in a bounded pool of worker processes, one job each at a
time, so a burst of requests queues instead of exhausting memory; a request beyond ``max_jobs`` jobs
in flight is refused (503, try again). A job's id is the hash of what it depends on (its kind, the
region, the scenario with the reform, draws, seed and the package version): identical requests share
one job, and a finished job is answered from its folder in the cache (``runs/ID``: ``job.json`` the
request, ``result.json`` and the files), also after a restart with the same ``--cache``.

Workers are started with ``spawn`` (no state copied from the server's threads) and replaced after
``TASKS_PER_WORKER`` jobs, so the model's caches in a worker stay bounded; a worker that dies (out of
memory, killed) fails its job with a message and the pool is started again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..._version import __version__
from ...results.writers import write_files
from . import jobs

__all__ = ["Runner", "Job", "Busy", "job_id", "ID"]

ID = re.compile(r"^[0-9a-f]{16}$")
#: jobs a worker process runs before it is replaced (its caches of bundles, fits and runs freed)
TASKS_PER_WORKER = 200
#: finished jobs remembered in memory (their results stay on disk)
REMEMBERED = 2_000


class Busy(Exception):
    """Too many jobs in flight: the request is refused, to be tried again."""


def job_id(kind: str, request: dict) -> str:
    """The id of a job: a hash of its kind, the request and the package version."""
    text = json.dumps(
        {"kind": kind, "request": request, "version": __version__}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Job:
    id: str
    kind: str
    request: dict
    folder: Path
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    messages: list = field(default_factory=list)
    internal: bool = False
    created: float = field(default_factory=time.time)
    future: object = None

    def result(self) -> dict:
        """The job's result (read from its folder)."""
        return json.loads((self.folder / "result.json").read_text(encoding="utf-8"))

    def status(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.state,
            "progress": {"done": self.done, "total": self.total},
            "messages": list(self.messages),
        }


class Runner:
    """The worker pool, the jobs in flight and the cache of finished ones."""

    def __init__(self, cache: Path, workers: int = 2, max_jobs: int = 64):
        self.folder = Path(cache) / "runs"
        self.workers, self.max_jobs = workers, max_jobs
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.computed = self.answered_from_cache = 0
        self._lock = threading.RLock()
        self._context = multiprocessing.get_context("spawn")
        self._progress = self._context.Queue()
        self._executor = self._start()
        threading.Thread(target=self._drain, name="forecast-serve-progress", daemon=True).start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=self._context,
            initializer=jobs.init_worker,
            initargs=(self._progress,),
            max_tasks_per_child=TASKS_PER_WORKER,
        )
        for _ in range(self.workers):
            executor.submit(jobs.warm)
        return executor

    def _drain(self) -> None:
        while True:
            item = self._progress.get()
            if item is None:
                return
            job = self.jobs.get(item[0])
            if job is not None and job.state in ("queued", "running"):
                job.state, job.done, job.total = "running", item[1], item[2]

    def in_flight(self) -> int:
        return sum(job.state in ("queued", "running") for job in self.jobs.values())

    def get(self, id: str) -> Job | None:
        """A job in memory, or a finished one from the cache folder (None when unknown)."""
        if not ID.match(id or ""):
            return None
        with self._lock:
            job = self.jobs.get(id)
            if job is None:
                folder = self.folder / id
                if not ((folder / "result.json").is_file() and (folder / "job.json").is_file()):
                    return None
                record = json.loads((folder / "job.json").read_text(encoding="utf-8"))
                job = Job(id, record["kind"], record["request"], folder, state="done")
                self._remember(job)
            return job

    def submit(self, kind: str, request: dict, task: dict) -> tuple[Job, bool]:
        """The job for ``request`` (and whether it was answered from the cache), started if new."""
        id = job_id(kind, request)
        with self._lock:
            job = self.get(id)
            if job is not None and not (job.state == "failed" and job.internal):
                self.answered_from_cache += job.state == "done"
                self.jobs.move_to_end(id)
                return job, job.state == "done"
            if self.in_flight() >= self.max_jobs:
                raise Busy()
            folder = self.folder / id
            write_files(
                folder,
                {
                    "job.json": json.dumps(
                        {"kind": kind, "request": request, "version": __version__}, ensure_ascii=False
                    )
                },
                option="serve",
            )
            job = Job(id, kind, request, folder)
            self._remember(job)
            job.future = self._send(kind, task, job)
            job.future.add_done_callback(lambda future, job=job: self._finish(job, future))
            self.computed += 1
            return job, False

    def _send(self, kind, task, job):
        try:
            return self._executor.submit(jobs.execute, kind, task, str(job.folder), job.id)
        except (BrokenProcessPool, RuntimeError):
            self._executor = self._start()
            return self._executor.submit(jobs.execute, kind, task, str(job.folder), job.id)

    def _remember(self, job: Job) -> None:
        self.jobs[job.id] = job
        self.jobs.move_to_end(job.id)
        finished = [k for k, j in self.jobs.items() if j.state in ("done", "failed")]
        for key in finished[: max(len(finished) - REMEMBERED, 0)]:
            del self.jobs[key]

    def _finish(self, job: Job, future) -> None:
        with self._lock:
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = {
                    "ok": False,
                    "internal": True,
                    "messages": [
                        "the worker process running this job ended (out of memory, or stopped); the server started new "
                        "workers. Fix: try again, with fewer draws"
                    ],
                }
                if self._executor._broken:  # noqa: SLF001 - the pool is started again for the next jobs
                    self._executor = self._start()
            except Exception as exc:  # noqa: BLE001 - cancelled at shutdown, or a result that could not be sent back
                outcome = {"ok": False, "internal": True, "messages": [f"the job did not finish: {type(exc).__name__}"]}
            job.state = "done" if outcome.get("ok") else "failed"
            job.messages, job.internal = list(outcome.get("messages", [])), bool(outcome.get("internal"))

    async def wait(self, job: Job, timeout: float) -> bool:
        """Wait (without blocking the server) until ``job`` has finished, at most ``timeout`` seconds."""
        if job.future is None or job.state in ("done", "failed"):
            return True
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job.future)), timeout)
        except Exception:  # noqa: BLE001 - a time-out; the job's own outcome is recorded by _finish
            pass
        for _ in range(100):  # _finish runs in the pool's thread just after the future completes
            if job.state in ("done", "failed"):
                return True
            await asyncio.sleep(0.01)
        return job.state in ("done", "failed")

    def status(self) -> dict:
        """The queue: workers, jobs in flight and their limit, jobs computed and answered from the cache,
        and each worker's peak memory (bytes, from /proc)."""
        with self._lock:
            return self._status()

    def _status(self) -> dict:
        processes = dict(getattr(self._executor, "_processes", None) or {})
        return {
            "workers": self.workers,
            "worker_pids": sorted(processes),
            "in_flight": self.in_flight(),
            "max_jobs": self.max_jobs,
            "computed": self.computed,
            "answered_from_cache": self.answered_from_cache,
            "memory": {
                "worker_peak_bytes": [_peak(pid) for pid in sorted(processes)],
                "server_peak_bytes": _peak("self"),
            },
        }

    def close(self) -> None:
        """Stop the pool: queued jobs are cancelled and a worker still running one is terminated (no
        one will collect its result; left alone it would outlive the server, blocked on its queue)."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
        self._progress.put(None)


def _peak(pid) -> int | None:
    """The peak resident memory of process ``pid`` (VmHWM), bytes; None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
