"""The configuration schema: every parameter a user can set, its type and default.

Hydra composes ``sim/conf/`` on top of these dataclasses, so a misspelt key or a string where a
number belongs is refused before anything runs. Ranges and cross-checks (shares summing to one,
known unit slugs, departments owning fields …) are enforced in :mod:`sim.config.build`.

This file is the one source of the defaults and their sources: ``sim/conf/config.yaml`` only
selects the config groups, and a scenario file sets only what it changes, with the reason
(``tests/test_defaults.py`` holds them to that). Defaults that are not published facts are marked
*assumption* here and in the docs (docs/assumptions.md, docs/keys.md). The config groups (calendar, procedures, structure,
calibration, sensitivity) bring their own data, documented in their files.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore


@dataclass
class DistributionConfig:
    """A positive random quantity given by its mean and coefficient of variation.

    kind: ``constant``, ``exponential`` (cv is 1), ``lognormal`` or ``gamma``.
    """

    kind: str = "lognormal"
    mean: float = 1.0
    cv: float = 0.5


@dataclass
class PeriodConfig:
    start: str = "2025-07-01"  # first simulated day (ISO date); 1 July - 30 August: seed 004's reporting window
    end: str = "2025-08-30"  # last simulated day, inclusive


@dataclass
class CalendarConfig:
    """Office hours and days off (``sim/conf/calendar/vietnam.yaml`` documents each key)."""

    sessions: List[str] = default(default_factory=lambda: ["08:00-12:00", "13:30-17:00"])
    saturday_morning: bool = True
    saturday_sessions: List[str] = default(default_factory=lambda: ["08:00-12:00"])
    holidays_source: str = "holidays_package"  # statutory holidays from the `holidays` package, or "none"
    extra_days_off: List[str] = default(default_factory=list)  # closed besides the statutory holidays
    make_up_working_days: List[str] = default(default_factory=list)  # weekend days worked in exchange
    covered_years: Optional[List[int]] = None  # years the lists are complete for; null = any year
    same_day_cutoff: str = "15:00"
    always_open: bool = False


@dataclass
class ProcedureConfig:
    """One procedure group of the catalogue."""

    label: str = ""
    field: str = "other"  # administrative field; the structure maps it to a department
    share_ward: float = 0.0  # share of a ward's records (all channels)
    share_commune: float = 0.0  # share of a commune's records
    share_centre: float = 0.0  # share of the City Centre's records (every branch; conf/centre/)
    in_person: float = 1.0  # channel split, sums to 1
    online: float = 0.0
    post: float = 0.0
    desk_minutes: DistributionConfig = default(default_factory=DistributionConfig)
    effort_minutes: DistributionConfig = default(default_factory=DistributionConfig)
    external_lag_wd: DistributionConfig = default(default_factory=lambda: DistributionConfig("constant", 0.0, 0.0))
    # A financial obligation (fees, land-use levy, tax on a transfer) the citizen pays after the
    # officers' review, on a notice, before the result is issued: the share of the procedure's
    # records that carry one and the working days from review to payment. The deadline stands still
    # meanwhile, as for missing papers; no officer works on the record.
    obligation_share: float = 0.0
    obligation_wd: DistributionConfig = default(default_factory=lambda: DistributionConfig("constant", 0.0, 0.0))
    deadline_wd: int = 0  # statutory deadline in working days; 0 = same day (15:00 rule)
    source: str = "assumption"
    # Share of the procedure's records, any channel, whose result is collected at a counter (not
    # sent online or by post): each brings a collection visit (desks.visits.collection). 0: none.
    # Assumption (no published share).
    collect_share: float = 0.0


@dataclass
class CityConfig:
    table: str = "hanoi_units_2025.csv"  # file in sim/data/ (provenance in its README) or a path
    units: List[str] = default(default_factory=list)  # slugs to simulate, e.g. [ba_dinh,hoan_kiem]; empty = all 126
    # Flagged populations: "median_density" imputes them from the kind's median density; "keep".
    suspect_population: str = "median_density"


@dataclass
class BeforeOpeningConfig:
    """Citizens who come before the day's first session opens and wait at the door (docs/model.md, "How
    waits are made"): a share of each day's walk-in arrivals come instead in the window before
    opening, uniformly over it; their wait counts from their arrival. Off (share 0) by default."""

    share: float = 0.0  # assumption (no count published), wards and communes; e.g. 0.2
    window_minutes: float = 60.0  # assumption: the hour before opening
    # The City Centre's branches: Branch 1 had queues for land numbers from 04:25 before it moved
    # them online (domain.md), 215 minutes before 08:00; the share is an assumption.
    centre_share: float = 0.0
    centre_window_minutes: float = 215.0
    # Where a door arrival's patience (desks.patience_minutes) starts: "opening", at the opening
    # (they came knowing they would wait for it; their wait still counts from their arrival);
    # "arrival", at their arrival. A later visit's patience starts when it joins. Assumption.
    patience_from: str = "opening"


@dataclass
class DemandConfig:
    # 523,292 records / 61 days / 8.33 M residents (seed 004; the City Centre's share is included).
    records_per_1000_residents_per_day: float = 1.03
    growth: float = 1.0
    online_share: Optional[float] = None  # None keeps the catalogue's channel split
    # Relative in-person arrival intensity Monday..Sunday (a day counts only when open).
    # Assumption: Monday peak, quiet Saturday.
    weekday_weights: List[float] = default(default_factory=lambda: [1.2, 1.0, 1.0, 1.0, 1.0, 0.6, 0.0])
    # Relative in-person arrival intensity for each clock hour 0..23 (only open hours matter).
    # Assumption: morning peak, lunch closed, afternoon peak before the 15:00 cut-off.
    hour_weights: List[float] = default(
        default_factory=lambda: [0, 0, 0, 0, 0, 0, 0, 0, 1.3, 1.5, 1.3, 0.9, 0, 0.3, 1.0, 1.2, 1.0, 0.5, 0, 0, 0, 0, 0, 0]
    )
    # Time-of-day profiles per counter group: group (a name of desks.groups.fields, used whether
    # or not the counters are split) -> 24 hour weights replacing hour_weights for the in-person
    # citizens of its procedures; each group keeps its records a week. Empty: every procedure
    # follows hour_weights (today's arrivals). Assumption (no published profile), e.g. land early:
    # '+scenario.demand.group_hour_weights.land_construction=[0,0,0,0,0,0,0,0,2.5,2,1.2,0.6,0,0.2,0.6,0.5,0.3,0.1,0,0,0,0,0,0]'
    group_hour_weights: Dict[str, List[float]] = default(default_factory=dict)
    before_opening: BeforeOpeningConfig = default(default_factory=BeforeOpeningConfig)


@dataclass
class ScenarioConfig:
    name: str = "baseline"
    description: str = ""
    demand: DemandConfig = default(default_factory=DemandConfig)
    effort_scale: float = 1.0  # multiplies every procedure's staff effort (fitted by python -m sim.calibrate)
    # Records (with a deadline of a working day or more) whose papers are incomplete: the clock
    # stops while the citizen supplies them (Decree 118/2025), so the due date moves by the wait.
    supplement_share: float = 0.0  # fitted by python -m sim.calibrate
    # The same at the City Centre's branches: land records (85 % of the Centre's) are the ones most
    # often sent back for papers; one share for both could not hold the Centre's backlog and the
    # units' 3.9 % in process at once. Fitted by python -m sim.calibrate.
    centre_supplement_share: float = 0.0
    # Working days the citizen takes to supply them; assumption (only share x wait is identified).
    supplement_wait_wd: DistributionConfig = default(default_factory=lambda: DistributionConfig("gamma", 20.0, 0.8))
    # The same at the City Centre's branches, fitted by python -m sim.calibrate: with every multi-day
    # Centre record sent back for papers, a 20-day wait still leaves the Centre's share of seed 004's
    # records in process short (its land files are larger, and organisations' more so).
    centre_supplement_wait_wd: DistributionConfig = default(
        default_factory=lambda: DistributionConfig("gamma", 20.0, 0.8))
    external_lag_scale: float = 1.0  # multiplies every procedure's external lag (calibrated)
    back_office: bool = True  # False: a record is done when the desk has received it


@dataclass
class CounterGroupsConfig:
    """Counters by field group (sim.engines.rules.DeskQueue): each in-person citizen queues at the
    group of their procedure's field, queue numbers per group. Counters are specialised by field in
    practice (a land counter, civil-status counters: Đà Nẵng ward, 2025); the groups, the split and
    the rule of what a free counter takes are assumptions."""

    # Off: one pooled first-come line that every desk serves (the model before groups).
    enabled: bool = False
    # group -> the catalogue fields it serves; a group with no fields is general: it takes anyone,
    # and the citizens of a field in no group queue there (the first general group listed).
    fields: Dict[str, List[str]] = default(default_factory=lambda: {
        "civil_status": ["justice"],
        "land_construction": ["land", "construction"],
        "business_social_other": ["business", "social", "other"],
        "general": [],
    })
    # What a free counter may take: "strict", its own group's queue only (a general counter takes
    # anyone); "when_idle", its own queue first and, when that is empty, the citizen first in line
    # who has waited longest in another group's queue. A queue with no counter of its own is served
    # by any free counter under both. Assumption.
    take: str = "when_idle"
    # slug -> group -> counters, replacing the split for that unit (groups not given get none; the
    # unit's desk total is their sum). The split otherwise (sim.model.counters.split_desks): one per
    # group when the total allows, the rest by the groups' expected desk minutes, largest remainder.
    per_unit: Dict[str, Dict[str, int]] = default(default_factory=dict)


@dataclass
class LandIntakeConfig:
    """A daily cap on the land files a unit's desks accept: in a Đà Nẵng ward only about 30 land
    files a day were accepted because 2–3 land specialists were available (2025). A land citizen
    arriving once the day's cap is reached is asked to come back the next open day; the return is a
    visit whose wait counts. The City Centre's branches are not capped."""

    enabled: bool = False
    per_specialist: float = 12.0  # land files a day per land specialist: 30 files / 2.5 specialists (Đà Nẵng ward)
    # Land specialists on duty per unit. Assumption: the 2–3 of the Đà Nẵng ward; one officer of
    # the Land Registration Office was also assigned to each of Hanoi's units (7 Aug 2025).
    specialists: int = 2
    per_unit: Dict[str, int] = default(default_factory=dict)  # slug -> land specialists, overrides specialists
    fields: List[str] = default(default_factory=lambda: ["land"])  # catalogue fields whose files count


@dataclass
class CollectionVisitsConfig:
    """Results collected at a counter (each procedure's ``collect_share``): the citizen comes on the
    open day ``delay_open_days`` open days (drawn, rounded down) after the record's due day, at a
    drawn moment of its open minutes. Assumption: no published timing or service time."""

    delay_open_days: DistributionConfig = default(default_factory=lambda: DistributionConfig("gamma", 2.0, 1.0))
    desk_minutes: DistributionConfig = default(default_factory=lambda: DistributionConfig("lognormal", 5.0, 0.5))


@dataclass
class SupplementVisitsConfig:
    """Missing papers brought to a counter (scenario.supplement_share's records): a visit on the day
    the papers wait ends, at a drawn moment of its open minutes. Assumption."""

    share: float = 0.0  # of the records waiting for missing papers: papers brought in person (0: none)
    desk_minutes: DistributionConfig = default(default_factory=lambda: DistributionConfig("lognormal", 10.0, 0.5))


@dataclass
class GuidanceVisitsConfig:
    """Citizens who come only for guidance: as many per in-person submission expected as
    ``per_submission``, arriving with the in-person profile. Assumption."""

    per_submission: float = 0.0  # 0: none
    # "procedure": the counter group of a procedure drawn from the unit's in-person mix; "general":
    # the first general counter group (with desks.groups on)
    counter: str = "procedure"
    desk_minutes: DistributionConfig = default(default_factory=lambda: DistributionConfig("lognormal", 8.0, 0.6))


@dataclass
class VisitsConfig:
    """Desk visits that submit nothing (sim.engines.visits): they queue and are served like
    submissions and count in every desk KPI, but create no record. Off by default (every share 0)."""

    collection: CollectionVisitsConfig = default(default_factory=CollectionVisitsConfig)
    supplement: SupplementVisitsConfig = default(default_factory=SupplementVisitsConfig)
    guidance: GuidanceVisitsConfig = default(default_factory=GuidanceVisitsConfig)


@dataclass
class BookingConfig:
    """Queue numbers booked in advance through an app: Hanoi's iHanoi offers online queue numbers
    for the same day or the next six days from 1 October 2025 (domain.md; land numbers at Branch 1
    since May 2025). From ``start`` on, a share of in-person citizens book the slot their arrival
    falls in and come at its start (never before opening)."""

    enabled: bool = False
    share: float = 0.2  # assumption: share of in-person citizens who book (when enabled)
    start: str = "2025-10-01"  # first day numbers can be booked (iHanoi, domain.md); ISO date
    slot_minutes: float = 30.0  # assumption: slots from each session's start
    # "priority": a booked citizen is called before the walk-ins of their counter group; "fifo":
    # booked and walk-in citizens share one line in arrival order. Assumption.
    serve: str = "priority"


@dataclass
class DesksConfig:
    rule: str = "by_population"  # ceil(population / residents_per_desk) clipped to [min, max]; or "fixed"
    fixed: int = 3  # desks per unit under rule=fixed
    residents_per_desk: int = 25000  # rule=by_population; assumption: no national desk norm exists (Decree 118/2025)
    min_desks: int = 2  # assumption
    max_desks: int = 12  # assumption
    per_unit: Dict[str, int] = default(default_factory=dict)  # slug -> desks, overrides the rule (+desks.per_unit.X=8)
    # At the day's last closing (sim.engines.rules.CLOSING_RULES): "overtime", those waiting are
    # served; "return_next_day", they come back first thing at the next opening.
    closing: str = "overtime"
    reneging: bool = True
    # Assumption: how long a citizen waits in line before giving up.
    patience_minutes: DistributionConfig = default(default_factory=lambda: DistributionConfig("lognormal", 120.0, 0.6))
    return_probability: float = 0.6  # assumption: share of those who leave that come back the next open day
    # the wait a planner wants citizens under: Ho Chi Minh City's target of no wait over 20 minutes to
    # submit (13 Jun 2025, domain.md); Hanoi has published none, so the neighbour's is borrowed
    wait_target_minutes: float = 20.0
    # Whether desk waits count the minutes in line while the desks do not serve (at the door before
    # opening, over the lunch break). false: the desk_wait_* KPIs are the wait the desks can
    # shorten, and those minutes are reported apart (closed_wait_mean_min); true: every minute in line.
    wait_counts_closed: bool = False
    groups: CounterGroupsConfig = default(default_factory=CounterGroupsConfig)
    land_intake: LandIntakeConfig = default(default_factory=LandIntakeConfig)
    booking: BookingConfig = default(default_factory=BookingConfig)
    # Share of a counter officer's time on the back work of the records received (digitising them,
    # Decree 118/2025; returning results): after each service the desk spends
    # desk_minutes x share / (1 - share) on that record before calling the next citizen, so the
    # desk serves citizens (1 - share) of its time. 0 <= share < 1. Assumption (no measured share).
    other_duties_share: float = 0.0
    visits: VisitsConfig = default(default_factory=VisitsConfig)


@dataclass
class OvertimeConfig:
    """Officers who stay late when their pool's backlog is large (sim.engines.rules.OvertimeDays).

    At the first session of each working day, a pool whose waiting records (joined before that
    instant, not yet started) exceed ``threshold_records_per_officer`` per officer works an extra
    session right after the day's last one. The city chairman said on 3 Oct 2025 that commune
    officials "work until 8-9 pm" (Lao Dong, 1585309.ldo); on-time shares near 100 % are kept
    partly by longer days.
    """

    enabled: bool = False  # off until the calibration fits the threshold and the limit
    # Assumption: about one day's work per officer (450 session minutes / ~45 minutes a record).
    threshold_records_per_officer: float = 10.0
    # 17:00 -> 20:00, the early end of the chairman's "until 8-9 pm"; the Labour Code 2019 (art. 107)
    # allows at most half a normal day (4 hours) of overtime a day.
    hours_per_day: float = 3.0
    saturdays: bool = False  # assumption: no overtime after a Saturday-morning session
    # 0 = no weekly limit (assumption: the chairman's account suggests daily overtime; the Labour
    # Code's 40 hours a month, about 9-10 a week, is what a limit would be).
    max_hours_per_week: float = 0.0
    # What calls for an extra session (sim.engines.rules.OVERTIME_TRIGGERS): "records", more than
    # threshold_records_per_officer records waiting per officer; "work", more waiting work per
    # officer (effort minutes, other duties included) than threshold_days of the day's session
    # minutes: overtime starts when the day's work exceeds the day (issue "Staffing answers that
    # rest on evidence"; the chairman's "until 8-9 pm").
    trigger: str = "records"
    threshold_days: float = 1.0  # "work": the day's work exceeds one day (the definition, not a fit)


@dataclass
class ReworkConfig:
    """``staff.rework``: records returned for correction, more often in a department covering many
    fields (sim.model.departments). Each return costs another pass of the officer's effort and
    another approval, done straight after the first pass by the same hands (work content, not a
    loop in time). The probability, base_share + per_extra_field x (fields - 1), must stay at most
    0.9 in every department. Direction: seed 003 ("a department head cannot be qualified enough
    to manage all sectors"); the shares are an assumption (none is measured). 0 and 0: off."""

    base_share: float = 0.0  # probability a record is returned, whatever the department's breadth
    per_extra_field: float = 0.0  # added for each field beyond the first the department covers


@dataclass
class SpanConfig:
    """``staff.span``: a head or deputy approves more slowly the more fields and officers they
    oversee (sim.model.departments): approval minutes x (1 + per_extra_field x (fields - 1)) x
    (1 + per_officer_above x max(0, processing officers per head or deputy - officers_norm)).
    Direction: seed 003 ("a department head cannot be qualified enough to manage all sectors");
    the slopes are an assumption (span of control; none is measured). 0 and 0: off."""

    per_extra_field: float = 0.0  # share of approval time added per field beyond the first
    per_officer_above: float = 0.0  # share of approval time added per officer per approver above the norm
    officers_norm: float = 0.0  # officers per head or deputy overseen at no extra approval time


@dataclass
class BorrowConfig:
    """``staff.borrow``: officers help another department of the same unit (sim.model.departments).
    A free officer with no record of its own department waiting takes the first waiting record of
    another department (oldest, or earliest due under staff.order=edf), while the minutes of other
    departments' work its pool has started that day are below share x its officers x the day's
    session minutes so far. Source for the practice: departments lend staff to the service point
    and officers hold positions concurrently (OL 7415/BNV-CCVC, Aug 2025; Đống Đa ward borrowed
    staff from departments, 1 July 2025); a share for processing help is an assumption. Not with
    staff.overtime.enabled."""

    # the most of a department's officer time (a day's session minutes) that may go to other
    # departments' records, give or take the last record taken; 0 <= share <= 1. Assumption; 0: off.
    share: float = 0.0


@dataclass
class StaffConfig:
    # "allocated": the city's positions x procedure_share spread over the 126 units by expected
    # workload (sim.model.staffing); "framework": the national framework headcount x
    # procedure_share, capped; "fixed": the same staff in every department.
    rule: str = "allocated"
    fixed: int = 4  # processing staff per department under rule=fixed
    # rule=allocated. Evidence: 9,622 administrative and public-service positions temporarily
    # assigned to the 126 units for 2025 (Lao Động, Sep 2025, …1572732.ldo; 9,536 officials in June 2025).
    city_positions: int = 9622
    min_per_department: int = 1  # assumption: the floor of processing officers in each department
    # The national framework (domain.md): about 32 civil servants per unit, one more per 2,000
    # residents above 16,000, at most 70 in a ward and 50 in a commune.
    framework_base: int = 32
    framework_base_population: int = 16000
    framework_residents_per_extra: int = 2000
    framework_cap_ward: int = 70
    framework_cap_commune: int = 50
    # rule=allocated: the share of the positions spread over the units like the national framework's
    # headcount (framework_* below, capped at 70 a ward and 50 a commune) rather than by expected
    # workload: 0 (the default) follows workload alone, 1 the framework alone. The 9,622 positions
    # came from the former communes and districts (3,280 + 6,342), not from a workload count, and
    # the caps leave large wards fewer staff per record. Assumption, calibrated in the ensemble by
    # where overtime falls (sim/conf/patterns/).
    framework_weight: float = 0.0
    # Assumption: the share of the positions (rule=allocated) or of a unit's civil servants
    # (rule=framework) who process records; the positions span more than record processing.
    procedure_share: float = 0.3
    # How a unit's officers are split over its departments: "workload", in proportion to the
    # expected effort of the fields each owns (at least min_per_department each); "weights", by
    # the structure's staff_weight.
    department_split: str = "workload"
    # slug -> department -> staff, overrides the rule and the table (+staff.per_unit.X={economic:8})
    per_unit: Dict[str, Dict[str, int]] = default(default_factory=dict)
    table: str = ""  # CSV slug,department,staff (a path from the current folder): overrides the rule
    order: str = "fifo"  # sim.engines.rules.QUEUE_ORDERS: "fifo", or "edf" (earliest deadline first)
    pooling: bool = True  # officers of a department take any record of its fields; False: only one field's
    # Each department has one head; the deputies of the three Decree 150 departments are shared
    # among a structure's departments. Head and deputies approve records.
    deputies_per_department: int = 2  # Resolution 332/NQ-CP: 2 deputy heads per department on average
    # How new departments' heads are found (sim.model.structures.STAFFING_POLICIES):
    # "same_headcount", from the department's officers; "extra_head", an added post.
    policy: str = "same_headcount"
    # Assumption: the minutes a head or deputy spends approving one record.
    approval_minutes: DistributionConfig = default(default_factory=lambda: DistributionConfig("lognormal", 3.0, 0.5))
    approvals_per_day: int = 0  # assumption: no limit (0) on the records one head or deputy approves a day
    # Assumption: extra effort per record for each field beyond the first a department spans.
    breadth_penalty: float = 0.0
    # Share of a processing officer's working time spent on other duties: commune officials hold
    # several job positions at once (OL 7415/BNV-CCVC, Aug 2025: one service-point position and 28
    # professional positions by sector), so records compete with their other work. Each record's
    # effort is stretched by 1 / (1 - share): the officers' time for records is (1 - share) of their
    # sessions. 0 <= share < 1; 0: officers do records only. Assumption (no measured share),
    # calibrated as part of the ensemble (sim/conf/ensemble/).
    other_duties_share: float = 0.0
    # Share of the counters' staffed time that the departments' processing officers cover on a
    # rota: the service point is staffed "on duty or concurrently" according to workload (OL
    # 7415/BNV-CCVC; Đống Đa ward had 5 staff at its point on 1 July 2025 and borrowed more from
    # departments). A ward's or commune's departments lose share x counters officers' worth of
    # time, spread over them by their officers (sim.model.scenario.UnitPlan.effort_factor); the
    # City Centre's branches have their own reception staff. 0: the service point's own staff
    # cover every counter. Assumption, calibrated as part of the ensemble.
    desk_rota_share: float = 0.0
    overtime: OvertimeConfig = default(default_factory=OvertimeConfig)  # officers staying late under backlog
    rework: ReworkConfig = default(default_factory=ReworkConfig)  # records returned for correction (off)
    span: SpanConfig = default(default_factory=SpanConfig)  # the head's span slows approval (off)
    borrow: BorrowConfig = default(default_factory=BorrowConfig)  # officers help other departments (off)


@dataclass
class DepartmentConfig:
    label: str = ""
    fields: List[str] = default(default_factory=list)
    staff_weight: float = 1.0  # share of the unit's processing staff with staff.department_split=weights


@dataclass
class ApplicabilityConfig:
    """Which units get a structure; the others keep ``otherwise``."""

    kinds: List[str] = default(default_factory=lambda: ["ward", "commune"])
    min_population: int = 0


@dataclass
class CriterionConfig:
    """Points for a measured criterion (sim.model.unit_class.Criterion): base_points at base or
    less, step_points more per step above, pro rata, at most max_points."""

    base: float = 20000.0
    step: float = 1000.0
    base_points: float = 15.0
    step_points: float = 0.5
    max_points: float = 25.0


@dataclass
class KindClassConfig:
    population: CriterionConfig = default(default_factory=CriterionConfig)
    area: CriterionConfig = default(default_factory=lambda: CriterionConfig(base=50.0, step=10.0))
    # socio-economic conditions (at most 40) and special factors (at most 10) together: no data;
    # assumption (docs/recommend.md, "The city plan under Decree 370")
    other_points: float = 28.0


@dataclass
class ClassesConfig:
    """Unit classes by Decree 307/2025 (sim.model.unit_class; sources and assumptions there and in
    docs/recommend.md, "The city plan under Decree 370")."""

    # communes: the draft decree of Sept 2025 (final Art. 6 cl. 1-2 not seen: assumption that it kept them)
    commune: KindClassConfig = default(default_factory=KindClassConfig)
    # wards: not found; proxy (assumption): the communes' shape, base at Resolution 112/2025's ward
    # standard (21,000 people, 5.5 km2), step the same share of the base as for communes
    ward: KindClassConfig = default(default_factory=lambda: KindClassConfig(
        population=CriterionConfig(base=21000.0, step=1050.0), area=CriterionConfig(base=5.5, step=1.1),
        other_points=36.0))
    special_points: float = 90.0  # Decree 307/2025 (wards only)
    class_i_points: float = 75.0  # Decree 307/2025
    class_ii_points: float = 60.0  # Decree 307/2025 (below: class III)


@dataclass
class StructureConfig:
    name: str = "three_departments"
    description: str = ""  # in words, as the leaders' answer names it (English)
    description_vi: str = ""  # the same in Vietnamese (the English one where empty)
    departments: Dict[str, DepartmentConfig] = default(default_factory=dict)
    applies_to: ApplicabilityConfig = default(default_factory=ApplicabilityConfig)
    otherwise: str = ""  # structure (conf/structure/NAME.yaml, or a user config folder) of the units it does not apply to
    max_average_units: float = 4.7  # Decree 370/2025: departments + service point per unit, Hanoi
    # Positions (officers, heads, deputies) the city plans may add over today, city-wide, and that the
    # configured structure may add over Decree 150's departments in a run's units (a run above it is
    # refused); null: not limited. The 2026-2031 payroll rules (OL 10989) let total staff not grow and cut Hanoi's by 5 %:
    # 0 holds the plans to no growth (assumption: the cut is taken elsewhere, not from the units).
    max_added_positions: Optional[int] = None
    classes: ClassesConfig = default(default_factory=ClassesConfig)  # Decree 307/2025 classes (the city plans)


@dataclass
class BranchConfig:
    """One branch of the City Public Administration Service Centre (``sim/conf/centre/``)."""

    name: str = ""
    reception_points: int = 1  # where the branch receives citizens; its desks serve all of them
    desks: int = 1  # reception counters over all its points
    # department -> processing officers (every department); read when centre.staff_rule is "fixed"
    staff: Dict[str, int] = default(default_factory=dict)
    demand_weight: float = 1.0  # the branch's share of the Centre's records is weight / sum of weights
    source: str = "assumption"


@dataclass
class CentreConfig:
    """The City Public Administration Service Centre: its branches are simulated beside the units,
    each as a node of kind ``centre`` (scope "centre" of every output). The group
    ``sim/conf/centre/`` brings its departments and branches."""

    enabled: bool = True  # false leaves the Centre out of the run
    # Records a calendar day over all branches and channels (x scenario.demand.growth). Inference,
    # calibrated: seed 004's 523,292 (Centre and units, 1 Jul - 30 Aug) less the units' share of the
    # October report (531,269 x 44/59 working days = 396,200) leaves about 127,100 records in 61 days.
    records_per_day: float = 2083.0
    # How the branches get their processing officers (no staffing figure of a branch is published):
    # "design_load" gives each branch department the fewest officers whose expected offered load
    # (its expected staff minutes a day from the branch's demand, the Centre's mix and the
    # scenario's effort, over an officer's session minutes a day) is at most design_load, so the
    # Centre keeps pace with the demand and effort a scenario or a fit sets; "fixed" takes
    # centre.branches.*.staff as given.
    staff_rule: str = "design_load"
    design_load: float = 0.8  # assumption: a planned load that leaves room for Monday and morning peaks
    # The Centre's own departments (DepartmentConfig; staff_weight spreads the deputies); the units'
    # structures do not apply to it.
    departments: Dict[str, DepartmentConfig] = default(default_factory=dict)
    branches: Dict[str, BranchConfig] = default(default_factory=dict)  # slug -> branch, in a fixed order


@dataclass
class FreeParameterConfig:
    """A parameter no source publishes: the config key it sets and the range it may take."""

    key: str = ""
    low: float = 0.0
    high: float = 1.0
    relative: bool = False  # sensitivity only: low and high multiply the scenario's value
    description: str = ""
    # Calibration only: a prior belief about the value (mean and standard deviation, with where it
    # comes from). The fit adds (value - prior_mean) / prior_sd to the targets' errors, so what the
    # targets cannot pin down stays near the prior instead of drifting to absorb noise. null = none.
    prior_mean: Optional[float] = None
    prior_sd: Optional[float] = None
    prior_source: str = ""


@dataclass
class EnsembleCalibrationConfig:
    """``calibration.method=ensemble`` (sim.experiments.ensemble): every parameter set within
    tolerance of every target and pattern, found by history matching in waves."""

    candidates: int = 40  # candidates simulated in each wave
    waves: int = 2  # wave 1 a Latin hypercube over the ranges, later waves around what is not ruled out
    replications: int = 1  # replications 0..n-1 of every candidate (common random numbers)
    members: int = 20  # the most members the ensemble file keeps (0: every candidate not ruled out)
    seed: int = 20251207  # the candidates' draws (not the simulation's, which is the run's seed)
    # FreeParameterConfig entries: what each member sets and the range it is drawn from
    parameters: Dict[str, Any] = default(default_factory=dict)
    patterns: List[str] = default(default_factory=list)  # names of the patterns group held beside the targets
    output: str = ""  # ensemble file; "" = RUN_FOLDER/ensemble.yaml; relative = to the current folder


@dataclass
class CalibrationConfig:
    # "point": one parameter set, least squares (the calibrated scenario); "ensemble": every set that
    # fits the targets and the patterns (sim.experiments.ensemble; an ensemble file); "central": no
    # simulation, the central member of ensemble.path written into the scenario file calibration.output
    method: str = "point"
    ensemble: EnsembleCalibrationConfig = default(default_factory=EnsembleCalibrationConfig)
    replications: int = 3  # common random numbers: every candidate runs replications 0..n-1
    max_evaluations: int = 40  # candidates simulated, finite-difference steps included (identifiability adds one per parameter)
    diff_step: float = 0.03  # relative finite-difference step of the least-squares fit
    stop_cost: float = 0.01  # stop once the sum of squared errors (in tolerances) is below this
    # After the fit, move each parameter once by diff_step of its range (one more candidate each) to
    # measure which targets move which parameters and which parameters the data leave open.
    identifiability: bool = True
    # Settings the calibrated scenario file records as they were during the fit, besides the
    # scenario section and the fitted keys: the mechanisms the fitted values belong to.
    settings_kept: List[str] = default(default_factory=list)
    output: str = ""  # calibrated scenario file; "" = RUN_FOLDER/scenario/calibrated.yaml; relative = to the current folder
    # FreeParameterConfig entries, checked by sim.experiments.calibration; untyped so that
    # +calibration.parameters.NAME={key: ..., low: ..., high: ...} can add one.
    parameters: Dict[str, Any] = default(default_factory=dict)
    targets: List[str] = default(default_factory=list)  # names of observations (the observations group) fitted
    checks: List[str] = default(default_factory=list)  # names of observations reported, not fitted


@dataclass
class ChoiceConfig:
    """A setting that is not a number (a rule, a switch) moved to two of its values in a sensitivity
    analysis: ``low`` and ``high`` are the values, named so the tornado draws them like a range."""

    key: str = ""
    low: Any = None
    high: Any = None
    description: str = ""


@dataclass
class SensitivityConfig:
    replications: int = 2
    parameters: Dict[str, Any] = default(default_factory=dict)  # FreeParameterConfig entries, as above
    choices: Dict[str, Any] = default(default_factory=dict)  # ChoiceConfig entries: two values of a setting
    outputs: List[str] = default(default_factory=lambda: ["on_time_pct", "desk_wait_mean_min", "in_process"])


@dataclass
class CompareConfig:
    """Structures compared side by side (``python -m sim.compare``); ``policies`` are staffing policies."""

    structures: List[str] = default(
        default_factory=lambda: ["three_departments", "four_departments_land", "five_departments_urban"]
    )
    baseline: str = "three_departments"
    policies: List[str] = default(default_factory=lambda: ["same_headcount", "extra_head"])
    common_random_numbers: bool = True  # False gives every variant its own seed (to see what CRN buys)
    top_units: int = 10  # units that gain and lose most


@dataclass
class BreakEvenConfig:
    """``python -m sim.breakeven``: per unit, the value of an uncertain parameter above which an
    alternative structure improves the on-time share (sim.experiments.break_even; docs/structures.md,
    "Break-even: where a fourth department pays")."""

    parameter: str = "staff.breadth_penalty"  # a dotted key of a number: the uncertain parameter
    # Assumption: the plausible range of the parameter. For the breadth penalty, 0 (a broad
    # department costs nothing more per record) to 0.10 (each extra field adds a tenth of the
    # effort: +90 % in a ward's ten-field economic department); no measurement narrows it.
    low: float = 0.0
    high: float = 0.10
    structure: str = "four_departments_land"  # the alternative to the configured structure
    policy: Optional[str] = None  # staffing policy of new departments; null: the first of compare.policies
    units: List[str] = default(default_factory=list)  # slugs; empty: every unit whose departments differ
    tolerance: float = 0.005  # bisection stops when the bracket is this narrow (in the parameter's unit)
    # What a gain is: "on_time" (the on-time share of records received rises, in points) or
    # "overtime" (overtime hours per officer and week fall, in hours saved)
    kpi: str = "on_time"
    # The smallest gain (points of on-time share, or hours of overtime saved) that counts; 0: any
    # gain the 95 % interval can tell from 0.
    min_gain: float = 0.0


@dataclass
class BudgetConfig:
    """``python -m sim.recommend recommend.budget.enabled=true``: a fixed number of processing
    officers moved between units and departments to raise the city's on-time share and lift the
    worst units (sim.experiments.budget; docs/recommend.md, "A fixed budget")."""

    enabled: bool = False  # True: sim.recommend runs the fixed budget instead of the staffing search
    # The officers to share out; null: today's total over the units simulated (the run's staff
    # allocation). More than today's are placed first where the expected load is highest, fewer
    # are taken first where it is lowest (before any checked move).
    officers: Optional[int] = None
    max_moves: int = 40  # the most officers moved (kept moves); assumption (cost against gain)
    batch: int = 10  # moves tried together in one round of simulation (each touches its own units)
    max_rounds: int = 12  # rounds of simulation at most; assumption
    replications: int = 8  # replications 0..R-1, shared by every allocation (common random numbers)
    # Assumption (an organisational rule): officers move only between units of the same level
    # (communes and wards among themselves, the Centre's branches among themselves).
    across_levels: bool = False
    # Assumption: a department whose simulated offered load is below this does not receive officers
    # (its officers are idle much of the time, so its late records are late for another reason:
    # external lags, deadlines shorter than the work); 0 offers every department with late records.
    min_receiver_load: float = 0.5
    worst_units: int = 10  # the worst units (lowest on-time share today) reported before and after


@dataclass
class RecommendConfig:
    """``python -m sim.recommend``: the fewest counters and officers per unit that meet the targets
    (docs/recommend.md, "Recommending desks and officers"). The targets come from the config group
    ``sim/conf/recommend/``; untyped so that a target can be added or left out (null)."""

    # KPI -> target (sim.experiments.recommendation.TARGETS): desk_wait_p90_min (at most, minutes),
    # on_time_of_received_pct (at least, %), backlog_growth ("none": every department keeps up,
    # its simulated offered load at most 1), overtime_hours_per_officer_week (at most, hours).
    targets: Dict[str, Any] = default(default_factory=dict)
    # Assumption: the probability that one period's KPI meets its target, for each target and unit.
    confidence: float = 0.9
    # Assumption: the confidence with which the test says a candidate reaches (or misses) that
    # probability (a one-sided normal tolerance bound over the replications).
    decision_confidence: float = 0.9
    # Assumption: screening staffs a department to at most this expected offered load.
    screen_load: float = 0.85
    replications: int = 5  # first replications of each candidate; more are added while undecided
    max_replications: int = 20  # a candidate still undecided here counts as missing its targets
    max_rounds: int = 20  # rounds of simulation (each round runs every open candidate of every unit); assumption (the full city settled by round 16)
    max_desks: int = 40  # the most counters a unit may be given (per group with desks.groups)
    max_staff: int = 400  # the most officers a department may be given
    # A step up adds one counter or officer, or this share of the count if that is more (a
    # department of 100 officers moves by 5); steps down are always one. Assumption.
    step_share: float = 0.05
    # After two steps up that left a target missed, the unit is also run with this many times every
    # count (at most the ceilings), on the same replications: a target that even this misses is out
    # of reach by staffing (at the City Centre's branches, late records from waits outside the
    # office), and the unit's search ends there. Assumption.
    reach_factor: float = 3.0
    # Over an ensemble (ensemble.path): each member's search starts at the previous member's answer
    # (members are close) instead of at the screen; false: every member starts cold. The rules of
    # the search are the same either way (docs/recommend.md, "How long it takes").
    warm_start: bool = True
    # Structures (conf/structure/) each unit is also run under, today's counts, on the same
    # replications: which units gain from a fourth or fifth department, and a city plan within
    # structure.max_average_units (sim.experiments.structure_plan). Empty: not run.
    structures: List[str] = default(default_factory=list)
    # With structures: three city plans within structure.max_average_units compared (by gain, by
    # Decree 307 class, by population); wards of this population or more qualify for the last
    # (largest first). Assumption: the 100,000 of structure five_departments_urban.
    plan_min_population: float = 100000.0
    budget: BudgetConfig = default(default_factory=BudgetConfig)  # a fixed budget of officers


@dataclass
class StockConfig:
    """Records already in process when the period starts (docs/configuration.md, "Starting from a state")."""

    # "none": every unit starts empty; "handover": the rule below; "table": the CSV file at path;
    # "snapshot": the records in process at the end of an earlier run (its snapshot.csv.gz at path)
    source: str = "none"
    path: str = ""  # source=table or snapshot; relative paths are to the current folder
    # source=handover: the records in process at the former 526 communes and 30 districts, handed
    # over to the new units on 1 July 2025 (domain.md, "Two reports, two scopes"); sizes and ages
    # are not published, every value below is an assumption (calibrated later)
    days_of_stock: float = 5.0  # assumption: each unit's stock is this many days of its demand
    # assumption: the same for each branch of the City Centre, which took over the former districts'
    # city-level files (most of seed 004's 110,256 in process, domain.md)
    centre_days_of_stock: float = 5.0
    max_age_wd: float = 20.0  # assumption: the oldest records were received this many working days before
    age: str = "within_deadline"  # assumption: ages uniform within each record's deadline (or "uniform" up to max_age_wd)
    # assumption: a procedure's share of the stock is its share of demand x its deadline (Little's
    # law, "deadline_weighted"), or its share of demand ("demand")
    mix: str = "deadline_weighted"
    remaining_effort_share: float = 1.0  # assumption: records in process have not been worked on yet (any source)
    save_snapshot: bool = False  # write RUN_FOLDER/snapshot.csv.gz: every record in process at the end


REPORT_LANGUAGES = ("en", "vi")  # report.language: English, Vietnamese (texts: sim.outputs.language)


@dataclass
class ReportConfig:
    """Targets the reports mark on their plots."""

    on_time_target_pct: float = 95.0  # assumption: records on time, % of received (outcome known)
    # Dates (ISO, inside the period) at whose close the report counts are kept besides the period's
    # last day: the figures a report closing that day publishes (python -m sim.validate sets them).
    checkpoints: List[str] = default(default_factory=list)
    # Whether the report figures (received, processed, in process … as the city reports them) count
    # the opening stock: handed-over records as received on the period's first day. Both reports
    # satisfy processed + in process = received (523,292 = 413,036 + 110,256), so they count one
    # cohort, and seed 004's 110,256 in process (21 %, against 3.9 % a month later) includes the
    # records handed over on 1 July 2025 (domain.md, "Two reports, two scopes"); that the handed-over
    # records are in the received count is an assumption (false: the period's own records only).
    figures_count_stock: bool = True
    # The unit (slug) whose desk queue by hour queue_by_hour.png shows beside the city's; empty: the
    # unit with the longest mean desk wait in the run.
    queue_unit: str = ""
    # The language of report.html's labels and verdict sentences and of the map's labels: "en"
    # (English) or "vi" (Vietnamese); unit names keep their Vietnamese spelling in both.
    language: str = "en"


@dataclass
class ObservationPeriodConfig:
    start: str = ""  # first day the observed figure covers (ISO date)
    end: str = ""  # report date: the figure as it stood at the close of this day


@dataclass
class ObservationConfig:
    """A published figure the model is checked against (``python -m sim.validate``)."""

    figure: str = ""  # sim.analysis.report_figures.FIGURES
    scope: str = "units"  # sim.analysis.scopes.SCOPES: units, centre or all
    period: ObservationPeriodConfig = default(default_factory=ObservationPeriodConfig)
    observed: float = 0.0
    tolerance: float = 0.01  # relative (0.01 = 1 %) or, with relative=false, in the figure's unit
    relative: bool = True
    source: str = ""


@dataclass
class PatternUnitsConfig:
    """The nodes a pattern is measured over: every node of ``kinds`` (or those ``slugs`` name), or
    only the ``largest`` or ``smallest`` N of them by expected records a day."""

    kinds: List[str] = default(default_factory=lambda: ["ward", "commune"])  # ward, commune, centre
    slugs: List[str] = default(default_factory=list)  # named nodes instead of kinds
    largest: int = 0  # the N with the most records a day (0: all of them)
    smallest: int = 0  # the N with the fewest (0: all); at most one of largest and smallest


@dataclass
class PatternConfig:
    """A pattern target (``python -m sim.calibrate calibration.method=ensemble``): what the
    staff-side evidence says of a statistic over a group of units, as a range (sim.analysis.patterns)."""

    statistic: str = ""  # sim.analysis.patterns.STATISTICS
    units: PatternUnitsConfig = default(default_factory=PatternUnitsConfig)
    low: float = 0.0  # the range the evidence gives, inclusive, in the statistic's unit
    high: float = 0.0
    tolerance: float = 1.0  # a value this far outside [low, high] is one tolerance off (the statistic's unit)
    source: str = ""


@dataclass
class ValidateConfig:
    """``python -m sim.validate``: the horizon run and the checks of the report."""

    # A second run of the same scenario to this date (empty: none) lists every unit whose backlog
    # grows without bound. Assumption: 30 April 2026, ten months from the start, far enough past the
    # Little's law window for the records that arrive in it to have left.
    horizon_end: str = "2026-04-30"
    # Assumption: a unit is stable where the 95 % interval of every department's offered load
    # (the mean, with one replication) lies below this.
    stable_load: float = 1.0
    little_tolerance: float = 0.05  # Little's law holds within this relative gap (the target)
    # Little's law is measured on the horizon run over these days (first, last; inclusive), away from
    # its start (the opening stock still draining) and its end (records that arrived in the window
    # and have not left yet). Assumption: 28 weeks from Monday 15 September 2025 (two weeks after the
    # National Day closure, whose week's demand crowds into four days) to Sunday 29 March 2026: over
    # a window of two months the records in the system at its two ends (about three days of work)
    # move the ratio by several per cent either way, and a few long paper waits still open at the
    # horizon bias W down.
    little_window: List[str] = default(default_factory=lambda: ["2025-09-15", "2026-03-29"])
    # Assumption: above this share of the window's arrivals still in the system at the horizon,
    # their time in system (counted to the horizon) is said to bias W down.
    little_censored_share: float = 0.01


@dataclass
class EnsembleConfig:
    """Every answer over an ensemble of plausible parameter sets (sim.config.ensemble): the run,
    recommend and compare evaluate each member, with common random numbers within a member."""

    path: str = ""  # an ensemble file, or the name of a shipped one (hanoi_2025); "": the scenario as configured
    members: int = 0  # use the first N members only (0: all of them)


@dataclass
class SimConfig:
    seed: int = 20250701  # root of every random stream (sim.engines.streams)
    replications: int = 5
    workers: int = 0  # worker processes; 0 = one per core (in a sweep: cores / jobs at once)
    # Where the (unit, replication) tasks run (sim.experiments.cluster): "local" (worker processes of
    # this machine, joblib) or "dask" (a Dask cluster; pip install -e '.[cluster-dask]'). Results
    # are the same bit for bit on either, whatever the number of workers.
    backend: str = "local"
    # backend=dask: the scheduler to connect to (tcp://host:8786); empty = start a local cluster of
    # `workers` processes for the command and stop it at its end.
    cluster_address: str = ""
    # sim.engines.contract.ENGINES: "fast" (stage by stage) or "simpy" (the event-driven reference model)
    engine: str = "fast"
    progress: bool = True  # progress bar (in a sweep: jobs done, one bar for the whole sweep)
    top_units: int = 10  # rows in the printed worst-units tables
    # Sweeps (multirun): results/sweeps/<sweep_name>/; empty = named after the overridden keys.
    sweep_name: str = ""
    redo: bool = False  # sweeps: recompute jobs whose folder already holds their finished results
    period: PeriodConfig = default(default_factory=PeriodConfig)
    calendar: CalendarConfig = default(default_factory=CalendarConfig)
    procedures: Dict[str, ProcedureConfig] = default(default_factory=dict)
    city: CityConfig = default(default_factory=CityConfig)
    centre: CentreConfig = default(default_factory=CentreConfig)
    scenario: ScenarioConfig = default(default_factory=ScenarioConfig)
    desks: DesksConfig = default(default_factory=DesksConfig)
    staff: StaffConfig = default(default_factory=StaffConfig)
    structure: StructureConfig = default(default_factory=StructureConfig)
    calibration: CalibrationConfig = default(default_factory=CalibrationConfig)
    sensitivity: SensitivityConfig = default(default_factory=SensitivityConfig)
    compare: CompareConfig = default(default_factory=CompareConfig)
    break_even: BreakEvenConfig = default(default_factory=BreakEvenConfig)
    recommend: RecommendConfig = default(default_factory=RecommendConfig)
    report: ReportConfig = default(default_factory=ReportConfig)
    stock: StockConfig = default(default_factory=StockConfig)
    # ObservationConfig entries by name, checked by sim.experiments.validation; untyped so that
    # +observations.NAME={figure: received, ...} can add one.
    observations: Dict[str, Any] = default(default_factory=dict)
    # PatternConfig entries by name (the patterns group): the staff-side evidence as ranges, fitted
    # by the ensemble calibration beside the observations; +patterns.NAME={statistic: ...} adds one.
    patterns: Dict[str, Any] = default(default_factory=dict)
    validate: ValidateConfig = default(default_factory=ValidateConfig)
    ensemble: EnsembleConfig = default(default_factory=EnsembleConfig)


def register() -> None:
    """Make the schema available to Hydra as the config named ``schema``."""
    ConfigStore.instance().store(name="schema", node=SimConfig)
