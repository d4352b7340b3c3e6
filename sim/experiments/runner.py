"""Replications, random streams and parallel execution of (unit, replication) tasks.

Every task draws from its own named streams (:mod:`sim.engines.streams`), seeded by the root seed,
the replication index, the unit's row in the full city table and the stream's name. A task's
numbers therefore do not depend on which units are selected, on the order tasks run, or on the
number of worker processes. Two scenarios run with the same seed share their random numbers
replication by replication (common random numbers).
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from sim.analysis.front_desk import front_desk_counts, served_groups, wait_groups
from sim.analysis.unit_counts import UnitResult, summarise_unit
from sim.model.calendar import CalendarSpec, WorkCalendar
from sim.engines.contract import ENGINES
from sim.engines.stock import closing_stock, with_opening_stock
from sim.engines.streams import STOCK_STREAMS, unit_streams
from sim.model.scenario import Scenario
from sim.engines.outcome import UnitOutcome
from sim.engines.workload import Workload, draw_workload
from sim.experiments.workers import init_worker


@lru_cache(maxsize=8)
def calendar_for(spec: CalendarSpec, start, days: int) -> WorkCalendar:
    return WorkCalendar(spec, start, days)


def unit_workload(scenario: Scenario, replication: int, position: int, calendar: WorkCalendar) -> Workload:
    """Every record of one unit in one replication: those of the period, then the opening stock,
    each drawn from its own named streams."""
    plan = scenario.units[position]
    period = draw_workload(scenario, plan, calendar, unit_streams(scenario.seed, replication, plan.unit.index))
    if scenario.stock.source == "none":
        return period
    stock_streams = unit_streams(scenario.seed, replication, plan.unit.index, STOCK_STREAMS)
    return with_opening_stock(period, scenario, plan, calendar, stock_streams, replication)


def simulate_records(scenario: Scenario, replication: int, position: int
                     ) -> tuple[WorkCalendar, Workload, UnitOutcome]:
    """Simulate one unit for one replication: its calendar, its records and what became of them.
    The same arguments give the same records, so one unit of a run can be looked at again."""
    plan = scenario.units[position]
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    workload = unit_workload(scenario, replication, position, calendar)
    outcome = ENGINES.get(scenario.engine)(workload, calendar, plan.desk_plan, plan.organisation,
                                           scenario.desk_policy, scenario.back_office)
    return calendar, workload, outcome


@contextmanager
def cyclic_gc_paused():
    """Python's cyclic garbage collector paused for the block, then as it was (reference counting
    still frees everything at once). An engine's event loop allocates hundreds of thousands of
    small tuples and lists that form no cycles; the collector's passes over them are pure overhead,
    about 4 % of a replication. Whatever cycles the block leaves are collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_unit(scenario: Scenario, replication: int, position: int) -> UnitResult:
    """Simulate one unit for one replication and reduce it to a :class:`UnitResult`."""
    with cyclic_gc_paused():
        calendar, workload, outcome = simulate_records(scenario, replication, position)
        result = summarise_unit(replication, position, scenario, scenario.units[position], calendar, workload, outcome)
    result.wait_groups, result.front_desk = wait_groups(workload, outcome), front_desk_counts(outcome)
    result.served_groups = served_groups(workload, outcome)
    if scenario.stock.save_snapshot:
        result.closing_stock = closing_stock(workload, outcome, calendar)
    return result


def _run_batch(scenario: Scenario, tasks: list[tuple[int, int]]) -> list[UnitResult]:
    return [run_unit(scenario, r, p) for r, p in tasks]


def worker_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def run_tasks(scenario: Scenario, tasks: list[tuple[int, int]], n_workers: int,
              keep: Callable[[list[UnitResult]], None]) -> None:
    """Run the (replication, position) ``tasks`` of ``scenario`` where it says (``backend``):
    here, in local worker processes, or on a Dask cluster (:mod:`sim.experiments.cluster`), in
    small batches; ``keep`` gets each batch's results as they come, in no particular order."""
    if scenario.backend == "local" and n_workers == 1:
        for task in tasks:
            keep(_run_batch(scenario, [task]))
        return
    if scenario.backend == "dask":
        from sim.experiments import cluster

        client = cluster.client_for(scenario.cluster_address, n_workers)
        n_workers = cluster.cluster_threads(client)
    size = max(1, min(8, len(tasks) // (4 * n_workers)))
    batches = [tasks[k : k + size] for k in range(0, len(tasks), size)]
    if scenario.backend == "dask":
        cluster.run_batches(client, _run_batch, scenario, batches, keep)
        return
    # Workers end with this process even when it is killed outright (sim.experiments.workers);
    # on an exception (Ctrl-C included) joblib stops them before it re-raises.
    parallel = Parallel(n_jobs=n_workers, return_as="generator_unordered", initializer=init_worker)
    for batch in parallel(delayed(_run_batch)(scenario, b) for b in batches):
        keep(batch)


def run_scenario(scenario: Scenario, workers: int | None = None, progress: bool = True) -> list[list[UnitResult]]:
    """All replications of all units; returns results[replication][position].

    Tasks are sent to worker processes in small batches, largest units first, to keep the cores
    busy to the end; the result does not depend on how they are spread, nor on where they run.
    """
    n_workers = worker_count(scenario.workers if workers is None else workers)
    order = sorted(range(len(scenario.units)), key=lambda p: -scenario.units[p].records_per_day)
    tasks = [(r, p) for p in order for r in range(scenario.replications)]
    bar = tqdm(total=len(tasks), desc=f"{scenario.name}: unit-replications", unit="task", disable=not progress)
    results: list[list[UnitResult | None]] = [[None] * len(scenario.units) for _ in range(scenario.replications)]

    def keep(batch: list[UnitResult]) -> None:
        for res in batch:
            results[res.replication][res.position] = res
        bar.update(len(batch))

    try:
        run_tasks(scenario, tasks, n_workers, keep)
    finally:
        bar.close()  # also on Ctrl-C: a message after it starts on a line of its own
    return results  # type: ignore[return-value]
