"""A unit's opening stock drawn as workload records, appended after the records of the period.

The stock (:mod:`sim.model.stock`) is the records already in process when the period starts. They
skip the desk: each is received at or before time 0, has its own due time, and enters its staff
pool at time 0 (or, when the officers' review is already done, its remaining wait and then the
approvers). Every random quantity they need comes from the ``stock.*`` streams
(:data:`sim.engines.streams.STOCK_STREAMS`), the k-th record taking the k-th number of each, so
adding a stock leaves every record of the period and its random numbers unchanged.
"""

from __future__ import annotations

import numpy as np

from sim.engines.outcome import BACK_OFFICE, UnitOutcome
from sim.engines.workload import Workload, by_procedure, department_work, paused_wd
from sim.model.city import CENTRE_KIND
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.model.scenario import Scenario, UnitPlan
from sim.model.stock import CALENDAR_DAYS_PER_WORKING_DAY, GivenStock, HandoverRule


def _categorical(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise inverse transform: the category of each uniform ``u[k]`` under the weights ``weights[k]``."""
    cdf = np.cumsum(weights, axis=1)
    total = cdf[:, -1:]
    cdf = np.divide(cdf, total, out=np.ones_like(cdf), where=total > 0)
    return np.minimum((u[:, None] >= cdf).sum(axis=1), weights.shape[1] - 1).astype(np.int64)


def handover_records(rule: HandoverRule, scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar,
                     streams: dict[str, np.random.Generator]) -> GivenStock:
    """The records the rule hands over to one unit (see :class:`~sim.model.stock.HandoverRule`)."""
    days = rule.centre_days_of_stock if plan.unit.kind == CENTRE_KIND else rule.days_of_stock
    n = round(plan.records_per_day * days)
    mix = scenario.mixes[plan.unit.kind]
    deadline = np.array([p.deadline_wd for p in scenario.procedures], dtype=float)
    weight = mix.procedure_share * (np.maximum(deadline, 1.0) if rule.mix == "deadline_weighted" else 1.0)
    procedure = _categorical(np.broadcast_to(weight, (n, len(weight))), streams["stock.procedure"].random(n))
    channel = _categorical(mix.channel_given_procedure[procedure], streams["stock.channel"].random(n))
    own = deadline[procedure]
    span = np.minimum(own, rule.max_age_wd) if rule.age == "within_deadline" else np.full(n, rule.max_age_wd)
    age_wd = streams["stock.age"].random(n) * span
    return GivenStock(
        procedure=procedure,
        department=plan.organisation.procedure_department[procedure],
        channel=channel.astype(np.int8),
        received=-age_wd * CALENDAR_DAYS_PER_WORKING_DAY * MINUTES_PER_DAY,
        due=due_after(calendar, own - age_wd),
        effort_minutes=np.full(n, np.nan),
        wait_wd=np.full(n, np.nan),
        paused_wd=np.full(n, np.nan),
        reviewed=np.zeros(n, dtype=bool),
    )


def due_after(calendar: WorkCalendar, remaining_wd: np.ndarray) -> np.ndarray:
    """Due times ``remaining_wd`` working days from the start: close of business of working day
    ``floor(remaining_wd)`` of the period (0: its first), or, for a negative value, close of business
    that many working days before the start (five working days in seven calendar days)."""
    remaining_wd = np.asarray(remaining_wd, dtype=float)
    ahead = calendar.due_times(np.zeros(len(remaining_wd)), np.floor(np.maximum(remaining_wd, 0)).astype(np.int64))
    behind = calendar.business_close - np.ceil(-remaining_wd * CALENDAR_DAYS_PER_WORKING_DAY) * MINUTES_PER_DAY
    return np.where(remaining_wd >= 0, ahead, behind)


def stock_workload(given: GivenStock, scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar,
                   streams: dict[str, np.random.Generator], remaining_effort_share: float) -> Workload:
    """The unit's stock as workload records, sorted by receipt (the order they queue in at time 0).

    What a record does not give is drawn from its stock stream: the procedure within a given
    department, the remaining effort (the full effort, every pass of rework, x
    ``remaining_effort_share``; an effort given is taken as it is), the external
    wait, missing papers and financial obligations (as for the period's records; they move the due
    date at review, except for records already overdue or due beyond the calendar's tail, whose due
    date the calendar cannot move) and the approval time (every pass of rework, the head's span), as
    for the period's records (:func:`sim.engines.workload.department_work`).
    """
    n = len(given)
    organisation = plan.organisation
    procedure = given.procedure.astype(np.int64).copy()
    u_procedure = streams["stock.procedure"].random(n)
    mix = scenario.mixes[plan.unit.kind]
    for d in np.unique(given.department[procedure < 0]):
        rows = np.flatnonzero((procedure < 0) & (given.department == d))
        weight = np.where(organisation.procedure_department == d, mix.procedure_share, 0.0)
        procedure[rows] = _categorical(np.broadcast_to(weight, (len(rows), len(weight))), u_procedure[rows])

    def per_procedure(attribute: str, u: np.ndarray, scale: float = 1.0) -> np.ndarray:
        return by_procedure(scenario, procedure, attribute, u, scale)

    department = organisation.procedure_department[procedure]
    breadth = np.asarray(plan.effort_factor)[department]  # breadth, other duties, counters' rota
    rounds, approval_factor = department_work(organisation, department, lambda: streams["stock.rework"].random(n))
    drawn_effort = (per_procedure("effort_minutes", streams["stock.effort"].random(n)) * breadth * rounds
                    * remaining_effort_share)
    effort = np.where(np.isnan(given.effort_minutes), drawn_effort, given.effort_minutes)
    minutes_per_wd = calendar.minutes_per_working_day
    drawn_lag = per_procedure("external_lag_wd", streams["stock.external_lag"].random(n), minutes_per_wd)
    lag = np.where(np.isnan(given.wait_wd), drawn_lag, given.wait_wd * minutes_per_wd)
    deadline_wd = np.array([p.deadline_wd for p in scenario.procedures], dtype=np.int64)[procedure]
    drawn_paused = paused_wd(scenario, plan.unit.kind, procedure, deadline_wd,
                             streams["stock.supplement"].random((n, 2)), streams["stock.obligation"].random((n, 2)))
    paused = np.where(np.isnan(given.paused_wd), drawn_paused, given.paused_wd)
    beyond_calendar = given.due >= calendar.total_days * MINUTES_PER_DAY  # never due in the period anyway
    paused[given.reviewed | (given.due < 0) | beyond_calendar] = 0.0
    approval = scenario.back_office.approval_minutes.from_uniform(streams["stock.approval"].random(n)) * approval_factor

    order = np.argsort(given.received, kind="stable")
    return Workload(
        arrival=given.received[order],
        channel=given.channel[order].astype(np.int8),
        procedure=procedure[order],
        department=department[order],
        pool=organisation.procedure_pool[procedure][order],
        deadline_wd=deadline_wd[order],
        desk_minutes=np.zeros(n),
        patience_minutes=np.full(n, np.inf),
        returns=np.zeros(n, dtype=bool),
        return_position=np.zeros(n),
        effort_minutes=effort[order],
        lag_minutes=lag[order],
        paused_wd=paused[order],
        approval_minutes=approval[order],
        n_in_person=0,
        opening=np.ones(n, dtype=bool),
        opening_due=given.due[order].astype(float),
        opening_reviewed=given.reviewed[order].astype(bool),
    )


def draw_opening_stock(scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar,
                       streams: dict[str, np.random.Generator], replication: int) -> GivenStock | None:
    """The unit's stock records under ``scenario.stock`` (None: the unit starts empty)."""
    policy = scenario.stock
    if policy.source == "handover":
        return handover_records(policy.handover, scenario, plan, calendar, streams)
    if policy.source in ("table", "snapshot"):
        return policy.given_for(plan.unit.slug, replication)
    return None


def with_opening_stock(period: Workload, scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar,
                       streams: dict[str, np.random.Generator], replication: int) -> Workload:
    """The period's records followed by the unit's opening stock (``period`` itself if there is none)."""
    given = draw_opening_stock(scenario, plan, calendar, streams, replication)
    if given is None or len(given) == 0:
        return period
    stock = stock_workload(given, scenario, plan, calendar, streams, scenario.stock.remaining_effort_share)
    joined = {name: np.concatenate([getattr(period, name), getattr(stock, name)])
              for name in ("arrival", "channel", "procedure", "department", "pool", "deadline_wd", "desk_minutes",
                           "patience_minutes", "returns", "return_position", "effort_minutes", "lag_minutes",
                           "paused_wd", "approval_minutes", "opening", "opening_due", "opening_reviewed",
                           "desk_group", "intake_capped", "booked",
                           "patience_extra")}
    return Workload(**joined, n_in_person=period.n_in_person, visits=period.visits)


def closing_stock(w: Workload, o: UnitOutcome, calendar: WorkCalendar) -> dict[str, np.ndarray]:
    """The records in the back office at the horizon, as a later run takes them for its opening
    stock: procedure, channel, stage (index into :data:`~sim.model.stock.STOCK_STAGES`), receipt and
    due times (minutes of this run), the staff effort still to do (work in hand at the horizon is
    carried whole: the part already done is not deducted), the wait after review still to come
    (working days) and the papers still to be found missing at review (working days).

    Citizens still at the desk are not carried: they are not received, and the next period's
    demand brings them back.
    """
    rows = np.flatnonzero(o.stage == BACK_OFFICE)
    horizon, minutes_per_wd = calendar.horizon, calendar.minutes_per_working_day
    reviewed_at = o.reviewed[rows] if o.reviewed is not None else np.full(len(rows), np.nan)
    reviewed = ~np.isnan(reviewed_at)
    wait = w.lag_minutes[rows] + w.paused_wd[rows] * minutes_per_wd
    start = np.nan_to_num(reviewed_at, nan=horizon)
    wait_end = np.where(wait > 0, calendar.wait_ends(start, wait), start)
    left_wd = np.maximum(calendar.working_day_minutes(wait_end) - calendar.working_day_minutes(np.array([horizon])),
                         0.0) / minutes_per_wd
    stage = np.where(reviewed, np.where(wait_end > horizon, 1, 2), 0)
    return {
        "procedure": w.procedure[rows],
        "channel": w.channel[rows],
        "stage": stage,
        "received": o.receipt[rows],
        "due": o.due[rows],
        "remaining_effort_minutes": np.where(reviewed, 0.0, w.effort_minutes[rows]),
        "remaining_wait_wd": np.where(reviewed, np.where(stage == 1, left_wd, 0.0), w.lag_minutes[rows] / minutes_per_wd),
        "pending_papers_wd": np.where(reviewed, 0.0, w.paused_wd[rows]),
    }
