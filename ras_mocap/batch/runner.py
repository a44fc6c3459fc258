"""The batch on Dask's distributed scheduler: a local cluster sized to the machine, or a running
one (`scheduler`). Hashes the videos on the workers, skips what an earlier run finished, runs one
task per video, writes each one's outputs as it arrives, then the combined table and the plot."""
from __future__ import annotations

import logging
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterator

from ..core.errors import InputError
from ..core.interrupts import HeldInterrupt
from .inputs import BatchInput
from .job import BatchSettings, VideoOutcome, hash_or_error, run_video, usable_cores, worker_ready
from .outputs import finished_record, write_outcome
from .plot import plot_summary
from .table import table_rows, write_table

__all__ = ["BatchResult", "run_batch", "LOG_NAME", "PLOT_NAME"]

LOG_NAME = "batch.log"
PLOT_NAME = "summary.png"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
CONNECT_TIMEOUT_S = 5
_POLL_S = 0.1


@dataclass
class BatchResult:
    records: list[dict] = field(default_factory=list)
    """Every video finished or failed, in input order (not those cancelled by Ctrl-C)."""
    ran: int = 0
    skipped: int = 0
    interrupted: bool = False
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [record for record in self.records if record.get("error")]


def _logger(out_dir: Path) -> logging.Logger:
    """DIR/batch.log, appended to by every run."""
    logger = logging.getLogger(f"ras_mocap.batch.{uuid.uuid4().hex[:8]}")
    logger.propagate = False
    out_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out_dir / LOG_NAME, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator:
    """A Dask client: of the running cluster at `scheduler` (this package shipped to its workers,
    so they run this very code), else of a local cluster of `workers` single-threaded processes
    (default: one a core)."""
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import UploadDirectory

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            if not client.scheduler_info(n_workers=-1)["workers"]:
                raise InputError(f"the Dask scheduler at {scheduler} has no workers: start some with "
                                 f"`dask worker {scheduler}`")
            client.register_plugin(UploadDirectory(str(_PACKAGE_DIR), update_path=True, restart_workers=True, mode="all"))
            yield client
        return
    n_workers = workers or len(usable_cores())
    # a scratch folder of its own: Dask's shared one is on its workers' import path and may hold the
    # package a `--scheduler` run once uploaded, an older version that would shadow this one. Its
    # logs are silenced below CRITICAL: a failed video is in batch.log and a dead worker fails its
    # future, while a worker whose heartbeat meets the closing scheduler logs a traceback at ERROR
    with tempfile.TemporaryDirectory(prefix="ras_mocap_dask_") as scratch, \
            LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
                         local_directory=scratch) as cluster, Client(cluster) as client:
        yield client


def _check_workers(client, bake: bool) -> None:
    """Every worker imports this package and what a video needs: else one clear error now. A
    worker that cannot unpickle a task dies on it, and Dask restarts it and hands it the task
    again, without end."""
    checks = client.run(exec, f"import {run_video.__module__}", on_error="return")  # a builtin: any worker unpickles it
    if not any(isinstance(check, BaseException) for check in checks.values()):
        checks = client.run(worker_ready, bake, on_error="return")
    failed = {address: check for address, check in checks.items() if isinstance(check, BaseException)}
    if failed:
        address, error = sorted(failed.items())[0]
        raise InputError(f"{len(failed)} of {len(checks)} Dask workers cannot run RAS Mocap ({address}: "
                         f"{type(error).__name__}: {error}): install its requirements on every worker "
                         f"(README, 'On a cluster')")


def _core_shares(client) -> dict[str, tuple[int, ...]]:
    """Each worker's share of its host's cores: the workers of a host split them evenly."""
    cores = client.run(usable_cores)
    hosts: dict[str, list[str]] = {}
    for address, info in client.scheduler_info(n_workers=-1)["workers"].items():
        hosts.setdefault(info["host"], []).append(address)
    shares = {}
    for addresses in hosts.values():
        addresses.sort()
        available = cores[addresses[0]]
        share = max(1, len(available) // len(addresses))
        for i, address in enumerate(addresses):
            start = (i * share) % len(available)
            shares[address] = tuple(available[start:start + share])
    return shares


def run_batch(
    inputs: list[BatchInput],
    out_dir: Path,
    settings: BatchSettings,
    model: bytes,
    scheduler: str | None = None,
    workers: int | None = None,
    say: Callable[[str], None] = print,
    progress: Callable[[int], Callable[[], None]] | None = None,
) -> BatchResult:
    """Run every input not finished before; `say` gets the dashboard link and what is skipped,
    `progress(total)` returns a callback called once a video. Ctrl-C cancels what is pending
    and keeps what is done (`interrupted`); the table and the plot cover all finished videos."""
    log = _logger(out_dir)
    key, described = settings.key(), settings.describe()
    result = BatchResult()
    records: dict[str, dict] = {}
    log.info("batch of %d videos into %s, settings %s %s", len(inputs), out_dir, key, described)
    try:
        with _client(scheduler, workers) as client:
            if "dashboard" in client.scheduler_info(n_workers=0).get("services", {}):  # served (bokeh installed)
                say(f"dask dashboard: {client.dashboard_link}")
            log.info("scheduler %s, %d workers", client.scheduler.address, len(client.scheduler_info(n_workers=-1)["workers"]))
            _check_workers(client, settings.bake)
            hashes = client.gather(client.map(hash_or_error, [item.source for item in inputs], pure=False))
            to_run, skipped = [], []
            for item, (content_hash, error) in zip(inputs, hashes):
                record = finished_record(out_dir, item, content_hash, key) if content_hash else None
                if error:
                    records[item.name] = write_outcome(out_dir, VideoOutcome(item, "", error=error), described, key)
                    log.error("%s (%s): %s", item.name, item.source, error)
                elif record is None:
                    to_run.append((item, content_hash))
                else:
                    records[item.name] = record
                    skipped.append(item.name)
            result.skipped = len(skipped)
            if skipped:
                say(f"{len(skipped)} of {len(inputs)} videos finished before with these settings: skipped")
                log.info("skipped (finished before): %s", ", ".join(skipped))
            tick = progress(len(to_run)) if progress and to_run else (lambda: None)
            _run_all(client, to_run, settings, model, out_dir, described, key, records, log, tick, result)
    finally:
        result.records = [records[item.name] for item in inputs if item.name in records]
        if result.records:
            result.paths = write_table(table_rows(result.records), out_dir)
            result.paths["plot"] = plot_summary(result.records, out_dir / PLOT_NAME)
        log.info("ran %d, skipped %d, failed %d%s", result.ran, result.skipped, len(result.failed),
                 ", interrupted" if result.interrupted else "")
        for handler in log.handlers:
            handler.close()
    return result


def _run_all(client, to_run: list[tuple[BatchInput, str]], settings: BatchSettings, model: bytes, out_dir: Path,
             described: dict, key: str, records: dict, log: logging.Logger, tick: Callable[[], None],
             result: BatchResult) -> None:
    """Submit a task per video and write each outcome as it arrives; Ctrl-C (held until the
    next poll, see core.interrupts) cancels the rest."""
    if not to_run:
        return
    shipped = client.scatter(model, broadcast=True)
    shares = _core_shares(client)
    futures = {}
    for item, content_hash in to_run:
        future = client.submit(run_video, item, content_hash, settings, shipped, shares, pure=False,
                               key=f"ras_mocap-{item.name}-{uuid.uuid4().hex[:8]}")
        futures[future] = (item, content_hash)
    pending = set(futures)
    try:
        with HeldInterrupt() as held:
            while pending:
                finished = [future for future in pending if future.done()]
                if not finished:
                    held.check()
                    time.sleep(_POLL_S)
                for future in finished:
                    pending.discard(future)
                    _keep(future, *futures[future], out_dir, described, key, records, log, result)
                    tick()
    except KeyboardInterrupt:
        result.interrupted = True
        client.cancel(list(pending))
        log.warning("interrupted: %d videos cancelled", len(pending))


def _keep(future, item: BatchInput, content_hash: str, out_dir: Path, described: dict, key: str, records: dict,
          log: logging.Logger, result: BatchResult) -> None:
    """Write a finished task's outcome and log it."""
    try:
        outcome = future.result()
    except Exception as exc:  # the worker died on it (Dask retried it elsewhere first)
        outcome = VideoOutcome(item, content_hash, error=f"the worker running it failed: {exc}")
    records[item.name] = write_outcome(out_dir, outcome, described, key)
    result.ran += 1
    if outcome.error:
        log.error("%s (%s): %s%s", item.name, item.source, outcome.error,
                  f"\n{outcome.details}" if outcome.details else "")
    else:
        log.info("%s (%s): done on %s in %.1f s", item.name, item.source, outcome.worker, outcome.elapsed_s)
