"""A validated scenario as plain data: what the engine and the runner need, nothing from Hydra."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.calendar import MINUTES_PER_DAY, CalendarSpec
from sim.model.catalogue import ChannelMix, Distribution, Procedure
from sim.model.city import CENTRE_KIND, Unit
from sim.model.stock import StockPolicy
from sim.model.structures import Organisation, Structure

if TYPE_CHECKING:
    from sim.model.unit_plan import PlanBuilder


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


# A unit's counters take at most this share of its processing officers' time on the rota
# (staff.desk_rota_share): a plan asking more is refused when built (sim.config.build) and, inside
# a search over counts (sim.experiments.recommendation), simulated at this share. Assumption: the
# heads' urgent records and approvals go on whatever the counters need.
MAX_DESK_ROTA_TIME_SHARE = 0.9


@dataclass(frozen=True)
class UnitPlan:
    """One unit with the resources the scenario gives it."""

    unit: Unit
    desks: int
    organisation: Organisation  # departments, staff, leaders and work pools
    records_per_day: float  # expected records a calendar day, all channels
    desks_by_group: tuple[int, ...] = ()  # desks per counter group (DeskPolicy.groups); () = one pooled group
    intake_per_day: int = 0  # land files the desks accept a calendar day; 0 = no cap
    other_duties_share: float = 0.0  # staff.other_duties_share: officers' time on other duties
    desk_rota_share: float = 0.0  # staff.desk_rota_share: counters' time the departments cover (0 at a branch)

    @property
    def desk_plan(self) -> Desks:
        """The unit's desks for an engine."""
        return Desks(self.desks_by_group or (self.desks,), self.intake_per_day)

    @property
    def staff(self) -> tuple[int, ...]:
        """Processing officers per department."""
        return self.organisation.staff

    @property
    def desk_rota_time_share(self) -> float:
        """The share of the unit's processing officers' time its counters take on the rota:
        ``desk_rota_share`` x counters over officers, at most :data:`MAX_DESK_ROTA_TIME_SHARE`."""
        officers = sum(self.organisation.staff)
        if self.desk_rota_share <= 0 or officers <= 0:
            return 0.0
        return min(MAX_DESK_ROTA_TIME_SHARE, self.desk_rota_share * self.desks / officers)

    @property
    def effort_factor(self) -> tuple[float, ...]:
        """Per department, the officer time one minute of a record's catalogued effort takes: the
        breadth penalty, stretched by the officers' other duties and by the counters' rota (both
        take time the records would otherwise have, the same share in every department)."""
        stretch = 1.0 / ((1.0 - self.other_duties_share) * (1.0 - self.desk_rota_time_share))
        return tuple(f * stretch for f in self.organisation.effort_factor)


@dataclass(frozen=True)
class VisitPolicy:
    """The desk visits that submit nothing (:mod:`sim.engines.visits`): results collected at a
    counter, missing papers brought, guidance asked. Every share 0 (the default): none is made.

    Each procedure's share of records whose result is collected at a counter is its
    ``Procedure.collect_share``; the rest are settings of the whole run.
    """

    collection_delay_days: Distribution = Distribution("constant", 0.0, 0.0)  # open days after the due day (floored)
    collection_minutes: Distribution = Distribution("constant", 0.0, 0.0)  # desk minutes of a collection
    supplement_share: float = 0.0  # of the records waiting for missing papers: papers brought to a counter
    supplement_minutes: Distribution = Distribution("constant", 0.0, 0.0)
    guidance_per_submission: float = 0.0  # guidance-only visits per in-person submission expected
    guidance_counter: str = "procedure"  # "procedure": the group of a procedure drawn from the in-person mix; "general"
    guidance_minutes: Distribution = Distribution("constant", 0.0, 0.0)
    guidance_group: int = 0  # the counter group of guidance_counter="general" (the first general group)

    def any_with(self, procedures: tuple[Procedure, ...]) -> bool:
        """Whether any visit can happen with these procedures (a collect, supplement or guidance share above 0)."""
        return (self.supplement_share > 0 or self.guidance_per_submission > 0
                or any(p.collect_share > 0 for p in procedures))


@dataclass(frozen=True)
class DeskPolicy:
    closing: str  # "overtime" or "return_next_day"
    reneging: bool
    patience_minutes: Distribution
    return_probability: float
    wait_target_minutes: float
    # Whether a desk wait counts the minutes in line while the desks do not serve (at the door
    # before opening, over the lunch break): False, the wait is the part the desks can shorten, and
    # those minutes are reported apart (desks.wait_counts_closed)
    wait_counts_closed: bool = False
    # Counter groups (sim.engines.rules.DeskQueue): their names, whether each takes anyone (a
    # general group), and what a free desk of a group may take ("strict": its own queue, from
    # a general desk any; "when_idle": its own first, then the longest waiter of another).
    groups: tuple[str, ...] = ("all",)
    general: tuple[bool, ...] = (True,)
    take: str = "when_idle"
    # Share of a desk officer's time on the back work of each record received (digitising,
    # returning results): after each service the desk spends desk_minutes x share / (1 - share) on it.
    other_duties_share: float = 0.0
    visits: VisitPolicy = VisitPolicy()  # desk visits that submit nothing (off: no such visit)
    # Queue numbers booked in advance (desks.booking.serve): True, a booked citizen is called before
    # the walk-ins of their group ("priority"); False, booked and walk-in citizens share one line ("fifo").
    booked_first: bool = False


@dataclass(frozen=True)
class BeforeOpening:
    """Citizens who come before the first session of the day opens and wait at the door
    (``scenario.demand.before_opening``): the share of a day's walk-in arrivals who do, and the
    window before opening over which they arrive (uniformly), for the units and the City Centre."""

    share: float = 0.0
    window_minutes: float = 60.0
    centre_share: float = 0.0
    centre_window_minutes: float = 60.0
    patience_from_opening: bool = True  # a door arrival's patience starts at the opening, not at their arrival

    def of(self, kind: str) -> tuple[float, float]:
        """(share, window in minutes) of a node kind."""
        return (self.centre_share, self.centre_window_minutes) if kind == CENTRE_KIND else (self.share, self.window_minutes)


@dataclass(frozen=True)
class Booking:
    """Queue numbers booked in advance through an app (``desks.booking``): from ``start`` on, a
    share of in-person citizens book a slot of ``slot_minutes`` and arrive at its start; how they
    are served is :attr:`DeskPolicy.booked_first`."""

    enabled: bool = False
    share: float = 0.0
    start: dt.date = dt.date(2025, 10, 1)
    slot_minutes: float = 30.0

    @property
    def active(self) -> bool:
        return self.enabled and self.share > 0


@dataclass(frozen=True)
class OvertimePolicy:
    """When a department's officers stay late (:class:`sim.engines.rules.OvertimeDays`)."""

    enabled: bool
    threshold_records_per_officer: float  # waiting records per officer at the day's first session
    minutes_per_day: float  # the extra session's length, right after the day's last session
    saturdays: bool  # also after Saturday's sessions
    max_minutes_per_week: float  # per officer, Monday to Sunday; 0 = no weekly limit
    trigger: str = "records"  # "records" or "work" (sim.engines.rules.OVERTIME_TRIGGERS)
    threshold_days: float = 1.0  # "work": waiting work per officer above this many of the day's session minutes


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
    # The day as it starts (sim.engines.arrivals): citizens at the door before opening, queue
    # numbers booked in advance, and per procedure (catalogue order) the hour weights of its
    # counter group's time-of-day profile (empty: every procedure follows hour_weights).
    before_opening: BeforeOpening = BeforeOpening()
    booking: Booking = Booking()
    procedure_hour_weights: tuple[tuple[float, ...], ...] = ()
    # Where the tasks run (sim.experiments.cluster): "local" or "dask", and the Dask scheduler's
    # address (empty: a local cluster of `workers` processes). Never part of the results.
    backend: str = "local"
    cluster_address: str = ""
    # How the run's plans were made (sim.model.unit_plan.PlanBuilder): a recommendation or a budget
    # makes its candidates with it, so they are plans a run of their counts would build. None: not built by sim.config.build.
    plan_builder: "PlanBuilder | None" = None

    @property
    def visits_enabled(self) -> bool:
        """Whether any desk-only visit can happen (a collect, supplement or guidance share above 0)."""
        return self.desk_policy.visits.any_with(self.procedures)

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
