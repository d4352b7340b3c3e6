"""The opening stock as plain data: records already in process when the simulated period starts.

A unit does not start empty: records received before the period are still with its departments.
They come from one of three sources (``stock.source``): a documented rule (the records handed over
by the former districts and communes on 1 July 2025, :class:`HandoverRule`), a table of records,
or the end of an earlier run (a snapshot). Tables and snapshots are read when the configuration is
validated (:mod:`sim.config.build`) into :class:`GivenStock` per unit; the rule is applied when a
unit's records are drawn (:mod:`sim.engines.stock`).

Times are minutes from 00:00 on the period's first day, as everywhere in the simulator: a stock
record was received at a time at or before 0, and its due time may be at or before 0 (overdue
from the start).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STOCK_SOURCES = ("none", "handover", "table", "snapshot")
AGE_RULES = ("within_deadline", "uniform")
STOCK_MIXES = ("deadline_weighted", "demand")
# Stages a stock record can be in: with the department's officers (waiting or in hand), waiting for
# papers or an external step after the officers' review, or with the approvers.
STOCK_STAGES = ("staff", "waiting", "approval")
# Before the period the calendar is not laid out: ages and overdue times are converted with five
# working days in seven calendar days (assumption; the exact days off before the start do not matter
# once the record's due time is fixed).
CALENDAR_DAYS_PER_WORKING_DAY = 7 / 5


@dataclass(frozen=True)
class HandoverRule:
    """The records in process at the former 526 communes and 30 districts, handed over on 1 July 2025.

    Per unit, ``round(records_per_day x days_of_stock)`` records (``centre_days_of_stock`` for a
    branch of the City Centre, which took over the former districts' city-level files) with the unit's procedure mix
    (weighted by each procedure's deadline with ``mix=deadline_weighted``: by Little's law the
    records in process are the arrivals times the time they stay), received up to ``max_age_wd``
    working days before the start (``age=uniform``) or within their own deadline
    (``age=within_deadline``, capped by ``max_age_wd``), due at receipt + deadline (missing papers
    move it as for any record), with :attr:`StockPolicy.remaining_effort_share` of their staff
    effort still to do. Every value is an assumption.
    """

    days_of_stock: float
    max_age_wd: float
    age: str
    mix: str
    centre_days_of_stock: float = 0.0


@dataclass(frozen=True, eq=False)
class GivenStock:
    """The stock records of one unit, read from a table or a snapshot (one entry per record)."""

    procedure: np.ndarray  # index into Scenario.procedures; -1: drawn among the department's procedures
    department: np.ndarray  # index into the unit's departments (used where the procedure is -1)
    channel: np.ndarray  # how the record was filed (0 in person, 1 online, 2 post)
    received: np.ndarray  # minutes, at or before 0
    due: np.ndarray  # minutes; at or before 0 means overdue at the start
    effort_minutes: np.ndarray  # staff effort still to do; nan: the full effort x remaining_effort_share, drawn
    wait_wd: np.ndarray  # after review: wait for papers or external steps still to come, working days; nan: drawn
    paused_wd: np.ndarray  # missing papers and obligations still to come after review (moves the due date)
    reviewed: np.ndarray  # True: the officers' review is done (stage waiting or approval)

    def __len__(self) -> int:
        return len(self.received)


@dataclass(frozen=True, eq=False)
class StockPolicy:
    """Where the opening stock comes from and what is kept of the state at the end of a run."""

    source: str = "none"
    handover: HandoverRule | None = None  # source=handover
    # source=table or snapshot: slug -> the unit's records, one entry per replication of the
    # snapshot (a table has one); replication r of the run starts from entry r modulo their number
    given: dict[str, tuple[GivenStock, ...]] = field(default_factory=dict)
    remaining_effort_share: float = 1.0  # of the full effort, for records whose remaining effort is not given
    save_snapshot: bool = False  # write the records in process at the horizon (snapshot.csv.gz)

    def given_for(self, slug: str, replication: int) -> GivenStock | None:
        stocks = self.given.get(slug)
        return stocks[replication % len(stocks)] if stocks else None
