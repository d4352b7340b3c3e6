"""A validated scenario as plain data: what the engine and the runner need, nothing from Hydra."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim.model.calendar import MINUTES_PER_DAY, CalendarSpec
from sim.model.catalogue import ChannelMix, Distribution, Procedure
from sim.model.city import CENTRE_KIND, Unit
from sim.model.stock import StockPolicy
from sim.model.structures import Organisation, Structure


@dataclass(frozen=True)
class Desks:
    """A unit's reception desks as the engines see them: how many serve each counter group (in
    the order of :attr:`DeskPolicy.groups`; one pooled group when groups are off) and how many
    intake-capped records (land files) the desks accept a calendar day (0: no cap)."""

    counts: tuple[int, ...]
    intake_per_day: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class UnitPlan:
    """One unit with the resources the scenario gives it."""

    unit: Unit
    desks: int
    organisation: Organisation  # departments, staff, leaders and work pools
    records_per_day: float  # expected records a calendar day, all channels
    desks_by_group: tuple[int, ...] = ()  # desks per counter group (DeskPolicy.groups); () = one pooled group
    intake_per_day: int = 0  # land files the desks accept a calendar day; 0 = no cap

    @property
    def desk_plan(self) -> Desks:
        """The unit's desks for an engine."""
        return Desks(self.desks_by_group or (self.desks,), self.intake_per_day)

    @property
    def staff(self) -> tuple[int, ...]:
        """Processing officers per department."""
        return self.organisation.staff


@dataclass(frozen=True)
class DeskPolicy:
    closing: str  # "overtime" or "return_next_day"
    reneging: bool
    patience_minutes: Distribution
    return_probability: float
    wait_target_minutes: float
    # Counter groups (sim.engines.rules.DeskQueue): their names, whether each takes anyone (a
    # general group), and what a free desk of a group may take ("strict": its own queue, from
    # a general desk any; "when_idle": its own first, then the longest waiter of another).
    groups: tuple[str, ...] = ("all",)
    general: tuple[bool, ...] = (True,)
    take: str = "when_idle"
    # Share of a desk officer's time on the back work of each record received (digitising,
    # returning results): after each service the desk spends desk_minutes x share / (1 - share) on it.
    other_duties_share: float = 0.0


@dataclass(frozen=True)
class OvertimePolicy:
    """When a department's officers stay late (:class:`sim.engines.rules.OvertimeDays`)."""

    enabled: bool
    threshold_records_per_officer: float  # waiting records per officer at the day's first session
    minutes_per_day: float  # the extra session's length, right after the day's last session
    saturdays: bool  # also after Saturday's sessions
    max_minutes_per_week: float  # per officer, Monday to Sunday; 0 = no weekly limit


@dataclass(frozen=True)
class BackOfficePolicy:
    enabled: bool
    order: str  # "fifo" or "edf"
    approval_minutes: Distribution
    approvals_per_day: int  # per head or deputy; 0 = no limit
    overtime: OvertimePolicy  # officers' extra sessions (staff pools only)


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    replications: int
    workers: int
    engine: str  # "fast" or "simpy": which engine simulates each unit
    start: dt.date
    end: dt.date
    calendar: CalendarSpec
    procedures: tuple[Procedure, ...]
    mixes: dict[str, ChannelMix]  # node kind (ward, commune, centre) -> procedure and channel mix
    structure: Structure  # as configured; each unit's own is in its organisation
    units: tuple[UnitPlan, ...]  # the selected units (table order), then the City Centre's branches
    units_per_unit: float  # departments + service point per unit, averaged over the whole city
    desk_policy: DeskPolicy
    back_office: BackOfficePolicy
    supplement_share: float  # share of multi-day records waiting for missing papers
    centre_supplement_share: float  # the same at the City Centre's branches

    supplement_wait_wd: Distribution  # how long the citizen takes, working days
    centre_supplement_wait_wd: Distribution  # the same at the City Centre's branches

    def supplement_share_of(self, kind: str) -> float:
        """The share of a node's multi-day records that wait for missing papers."""
        return self.centre_supplement_share if kind == CENTRE_KIND else self.supplement_share

    def supplement_wait_of(self, kind: str) -> Distribution:
        """How long a node's citizens take to supply missing papers, working days."""
        return self.centre_supplement_wait_wd if kind == CENTRE_KIND else self.supplement_wait_wd
    weekday_weights: tuple[float, ...]  # Monday..Sunday
    hour_weights: tuple[float, ...]  # clock hours 0..23
    stock: StockPolicy = StockPolicy()  # records in process when the period starts (none by default)
    checkpoints: tuple[dt.date, ...] = ()  # report dates inside the period (report.checkpoints)
    figures_count_stock: bool = True  # the report figures count the opening stock (report.figures_count_stock)
    queue_unit: str = ""  # the unit queue_by_hour.png shows beside the city (report.queue_unit); empty: longest mean wait
    on_time_target_pct: float = 95.0  # the on-time share the verdict and the maps hold units to (report.on_time_target_pct)
    report_language: str = "en"  # labels and sentences of report.html and the maps (report.language)
    # first and last day (inclusive, inside the period) over which Little's law's counts are kept
    # (sim.analysis.unit_counts.little_counts); None: not kept. python -m sim.validate sets it.
    little_window: tuple[dt.date, dt.date] | None = None
    # Per procedure (catalogue order): the counter group its in-person citizens queue at (empty:
    # one pooled group), and whether it counts against a unit's daily land intake cap.
    procedure_desk_group: tuple[int, ...] = ()
    procedure_intake_capped: tuple[bool, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def report_dates(self) -> tuple[dt.date, ...]:
        """The dates report counts are kept for: the checkpoints and the period's last day, in order."""
        return tuple(sorted(set(self.checkpoints) | {self.end}))

    @property
    def report_days(self) -> tuple[int, ...]:
        """:attr:`report_dates` as day indices from the period's start."""
        return tuple((d - self.start).days for d in self.report_dates)

    @property
    def little_window_minutes(self) -> tuple[float, float] | None:
        """:attr:`little_window` as [start, end) in minutes from the period's start."""
        if self.little_window is None:
            return None
        first, last = self.little_window
        return float((first - self.start).days * MINUTES_PER_DAY), float(((last - self.start).days + 1) * MINUTES_PER_DAY)
