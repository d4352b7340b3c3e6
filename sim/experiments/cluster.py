"""(unit, replication) tasks on a Dask cluster (``backend=dask``).

A task's random numbers depend only on its key (seed, replication, unit; see
:mod:`sim.experiments.runner`) and its result is placed by (replication, position), so a run on a
cluster gives the results of a local run bit for bit, whatever the number of workers and wherever
each task runs.

``cluster_address`` empty: a local cluster of ``workers`` processes (one thread each, on
127.0.0.1, no dashboard) is started at the first run of the command and stopped when it ends;
its workers leave Ctrl-C to the command and end with it even when it is killed outright
(:func:`sim.experiments.workers.init_worker`, run on each worker, restarted ones included). An
address: the command connects to that scheduler, whose workers are the cluster's own. One
client serves every run of the command (a calibration's candidates, a recommendation's rounds).

A task whose worker is lost (killed, out of memory) is run again on another worker (the
scheduler does that; ``RETRIES`` more tries for a task that raises); a task that still fails
stops the run with :class:`sim.errors.TaskError`, one line naming the task and the cause.
"""

from __future__ import annotations

import atexit
import logging
from typing import Callable, Sequence

from distributed import Client, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from sim.errors import TaskError

# No dashboard; the scheduler's HTTP routes (health, metrics) on a free port of the loopback
# interface, not on 8787, where another cluster of the machine may already listen.
QUIET_SCHEDULER = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}
CLUSTER_LOG_LEVEL = logging.CRITICAL  # the cluster's log messages below this are not printed
RETRIES = 2  # tries beyond the first for a task that raises (a lost worker's tasks are rescheduled anyway)
_session: dict = {}  # the command's one client: {"key": (address, workers), "client": ..., "cluster": ...}


class _WorkerSetup(WorkerPlugin):
    """A Dask worker plugin: :func:`init_worker` in each worker of a cluster this command started."""

    name = "sim-init-worker"

    def setup(self, worker) -> None:  # noqa: ARG002 (Dask's signature)
        from sim.experiments.workers import init_worker

        init_worker()


def client_for(address: str, workers: int):
    """The command's Dask client: connected to ``address``, or to a local cluster of ``workers``
    processes started for the command. Made once, closed when the command ends."""
    key = (address, workers if not address else 0)
    if _session.get("key") == key:
        return _session["client"]
    close()
    # The cluster's own logging stays quiet: Hydra's would print its every step, and its errors (a
    # scatter cut short by Ctrl-C, a worker lost) print tracebacks. What matters reaches the command
    # as a task's status (run_batches), which says it in one line.
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(CLUSTER_LOG_LEVEL)
    if address:
        client, cluster = Client(address, set_as_default=False), None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=CLUSTER_LOG_LEVEL, scheduler_kwargs=QUIET_SCHEDULER)
        client = Client(cluster, set_as_default=False)
        client.register_plugin(_WorkerSetup())
    _session.update(key=key, client=client, cluster=cluster)
    return client


def close() -> None:
    """Close the command's client, and stop the local cluster it started."""
    client, cluster = _session.pop("client", None), _session.pop("cluster", None)
    _session.clear()
    for part in (client, cluster):
        if part is not None:
            try:
                part.close()
            except Exception:  # noqa: BLE001 (a cluster already gone has nothing left to stop)
                pass


atexit.register(close)


def cluster_threads(client) -> int:
    """How many tasks the cluster runs at once (for the size of batches)."""
    return max(1, sum(client.nthreads().values()))


def run_batches(client, function: Callable, scenario, batches: Sequence[list[tuple[int, int]]],
                keep: Callable[[list], None]) -> None:
    """``function(scenario, batch)`` for every batch on the cluster; ``keep`` gets each batch's
    results as they come. The scenario is sent to each worker once. A failed batch stops the
    others and raises :class:`TaskError`."""
    shared = client.scatter(scenario, broadcast=True, hash=False)
    futures = [client.submit(function, shared, batch, pure=False, retries=RETRIES) for batch in batches]
    where = {future.key: batch for future, batch in zip(futures, batches)}
    try:
        for future in as_completed(futures, loop=client.loop):
            if future.status != "finished":
                raise TaskError(_failure(scenario, where[future.key], future))
            keep(future.result())
    finally:
        client.cancel(futures + [shared])


def _failure(scenario, batch: list[tuple[int, int]], future) -> str:
    """One line: the first task of the failed batch, how many others it held, and the cause."""
    replication, position = batch[0]
    unit = scenario.units[position].unit.slug
    others = f" (and {len(batch) - 1} other task{'s' if len(batch) > 2 else ''} of its batch)" if len(batch) > 1 else ""
    try:
        cause = future.exception()
        text = f"{type(cause).__name__}: {cause}"
    except Exception as exc:  # noqa: BLE001 (cancelled, or the cluster lost it)
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return f"backend: the task of unit {unit}, replication {replication}{others} failed on the cluster: {text}"
