"""Every record a unit will see in one replication, drawn up front as arrays.

Drawing all random quantities before the simulation starts keeps the engine free of random-number
bookkeeping. Two blocks of records, in person and remote (online and post), each have their own
named streams (:mod:`sim.engines.streams`), and every attribute of the k-th record of a block
comes from the k-th number of that attribute's stream by inverse transform. Arrival times come
from one unit-rate Poisson process per block mapped through the cumulative intensity (time
change). So when a scenario changes demand, a share or a distribution, each record keeps its
random numbers and its values move smoothly: two scenarios with the same replication index see the
same citizens (common random numbers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from sim.engines import arrivals
from sim.engines.visits import (COLLECTION, COLLECTION_COLUMNS, GUIDANCE, GUIDANCE_COLUMNS, SUPPLEMENT,
                                 SUPPLEMENT_COLUMNS, Visits)
from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.model.departments import passes
from sim.model.scenario import Scenario, UnitPlan
from sim.model.structures import Organisation

IN_PERSON, ONLINE, POST = 0, 1, 2


@dataclass
class Workload:
    """Records of one unit; in-person records first, each block sorted by arrival (minutes)."""

    arrival: np.ndarray
    channel: np.ndarray  # 0 in person, 1 online, 2 post
    procedure: np.ndarray
    department: np.ndarray
    pool: np.ndarray  # the staff pool that processes the record (its department, or a field of it)
    deadline_wd: np.ndarray
    desk_minutes: np.ndarray
    patience_minutes: np.ndarray  # inf when citizens never give up
    returns: np.ndarray  # True: a citizen who gives up comes back the next open day
    return_position: np.ndarray  # where in that day's open minutes, 0..1
    effort_minutes: np.ndarray  # staff working minutes (breadth penalty, other duties, every pass of rework)
    lag_minutes: np.ndarray  # external waiting (verification, posting), in working minutes
    # working days after review with the deadline standing still: the citizen's missing papers,
    # then a financial obligation to pay (0: none of either)
    paused_wd: np.ndarray
    approval_minutes: np.ndarray  # the head's minutes (span of the department's head, every pass of rework)
    n_in_person: int
    # True for records already in process when the period starts (the opening stock); they come
    # after the in-person and remote blocks and are not counted as received in the period
    opening: np.ndarray | None = None
    # Opening-stock records only (nan / False for the others): the due time they came with, and
    # whether the officers' review is done (they then go straight to their remaining wait,
    # ``lag_minutes``, and to approval). Their ``arrival`` is their receipt, at or before 0.
    opening_due: np.ndarray | None = None
    opening_reviewed: np.ndarray | None = None
    # The counter group whose queue an in-person citizen joins (index into DeskPolicy.groups: the
    # group of the record's procedure's field; 0 when the desks are pooled), and whether the record
    # counts against the unit's daily intake cap (a land file). Drawn from nothing: set by procedure.
    desk_group: np.ndarray | None = None
    intake_capped: np.ndarray | None = None
    # Desk-only visits of the period's records and guidance visits (sim.engines.visits); None: none
    visits: Visits | None = None
    # True for an in-person citizen who booked a queue number in advance (desks.booking): they
    # arrive at their slot's start (sim.engines.arrivals).
    booked: np.ndarray | None = None
    # Minutes added to the patience of a citizen's first stay in line: a door arrival's wait
    # before opening when their patience starts at the opening (0 for everybody else).
    patience_extra: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.patience_extra is None:
            self.patience_extra = np.zeros(len(self.arrival))
        if self.booked is None:
            self.booked = np.zeros(len(self.arrival), dtype=bool)
        if self.desk_group is None:
            self.desk_group = np.zeros(len(self.arrival), dtype=np.int64)
        if self.intake_capped is None:
            self.intake_capped = np.zeros(len(self.arrival), dtype=bool)
        if self.opening is None:
            self.opening = np.zeros(len(self.arrival), dtype=bool)
        if self.opening_due is None:
            self.opening_due = np.full(len(self.arrival), np.nan)
        if self.opening_reviewed is None:
            self.opening_reviewed = np.zeros(len(self.arrival), dtype=bool)

    def __len__(self) -> int:
        return len(self.arrival)

    @property
    def n_arriving(self) -> int:
        """Records that arrive in the period (in person, then remote); the opening stock follows them."""
        return len(self.arrival) - int(self.opening.sum())


@lru_cache(maxsize=32)
def _rate_pieces(calendar: WorkCalendar, weekday_weights: tuple[float, ...], hour_weights: tuple[float, ...]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Open time cut at clock hours: (start, length, relative intensity) of each piece, and the open
    weight of its week; once per calendar and weights (every unit of a process shares them: the
    loops run over every open hour of the period)."""
    starts, lengths, weights = [], [], []
    for s, e in calendar.sessions_within(0.0, calendar.horizon):
        e = min(e, calendar.horizon)
        t = s
        while t < e:
            piece_end = min(e, (t // 60 + 1) * 60)
            weekday = calendar.date_of(t).weekday()
            hour = int(t % MINUTES_PER_DAY // 60)
            starts.append(t)
            lengths.append(piece_end - t)
            weights.append(weekday_weights[weekday] * hour_weights[hour])
            t = piece_end
    starts, lengths, weights = np.array(starts), np.array(lengths), np.array(weights)
    if len(starts) == 0:
        return starts, lengths, weights, np.zeros(0)
    days, day_of_piece = np.unique((starts // MINUTES_PER_DAY).astype(np.int64), return_inverse=True)
    week_weight: dict[dt.date, float] = {}
    per_day_weight = np.empty(len(days))  # the open weight of each day's whole week
    for k, d in enumerate(days.tolist()):
        date = calendar.start + dt.timedelta(days=d)
        monday = date - dt.timedelta(days=date.weekday())
        if monday not in week_weight:
            week_weight[monday] = sum(_open_weight(calendar.spec, weekday_weights, hour_weights, monday + dt.timedelta(days=j))
                                      for j in range(7))
        per_day_weight[k] = week_weight[monday]
    for array in (starts, lengths, weights, per_day_weight):
        array.flags.writeable = False  # shared by every caller
    return starts, lengths, weights, per_day_weight[day_of_piece]


def _open_weight(spec, weekday_weights: tuple[float, ...], hour_weights: tuple[float, ...], date: dt.date) -> float:
    """A day's weighted open minutes: each open minute counts its weekday's and hour's weight."""
    total = 0.0
    weekday = weekday_weights[date.weekday()]
    for s, e in spec.sessions_on(date):
        t = s
        while t < e:
            piece_end = min(e, (t // 60 + 1) * 60)
            total += weekday * hour_weights[int(t // 60) % 24] * (piece_end - t)
            t = piece_end
    return total


def in_person_expected(scenario: Scenario, calendar: WorkCalendar, per_day: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of open time (start, length) and the in-person records expected in each, ``per_day``
    records a calendar day on average.

    Each calendar week (Monday to Sunday) brings ``7 × per_day`` records, spread over that week's
    open time in proportion to the weekday and hour weights: a week with a day off brings them on
    its other open days, and a week with no open time brings none. The week's open time is taken
    over the whole week, also where it runs past either end of the period, so the records expected
    on a day do not depend on where the period starts or ends: a run to 23 September sees the
    same 30 August as a run to 30 August.
    """
    starts, lengths, weights, per_week = _rate_pieces(calendar, tuple(scenario.weekday_weights), tuple(scenario.hour_weights))
    if len(starts) == 0:
        return starts, lengths, weights
    expected = np.divide(7 * per_day * weights * lengths, per_week, out=np.zeros(len(starts)), where=per_week > 0)
    return starts, lengths, expected


def poisson_times(rng: np.random.Generator, starts: np.ndarray, lengths: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Arrival times of a Poisson process with ``expected`` arrivals spread evenly over each piece.

    The k-th arrival is where the cumulative intensity reaches the k-th point of a unit-rate
    process, so scaling the intensity moves arrivals smoothly instead of redrawing them.
    """
    cumulative = np.concatenate([[0.0], np.cumsum(expected)])
    total = cumulative[-1]
    if total <= 0:
        return np.zeros(0)
    points = np.cumsum(rng.standard_exponential(int(total + 6 * np.sqrt(total) + 10)))
    while points[-1] < total:
        points = np.concatenate([points, points[-1] + np.cumsum(rng.standard_exponential(int(np.sqrt(total)) + 10))])
    points = points[points < total]
    piece = np.searchsorted(cumulative, points, side="right") - 1
    return starts[piece] + (points - cumulative[piece]) / expected[piece] * lengths[piece]


def _inverse_cdf(probabilities: np.ndarray, u: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(probabilities)
    if cdf[-1] <= 0:  # a channel no procedure uses: no record of it is drawn
        return np.zeros(len(u), dtype=np.int64)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(probabilities) - 1)


def by_procedure(scenario: Scenario, procedure: np.ndarray, attribute: str, u: np.ndarray,
                 scale: float = 1.0) -> np.ndarray:
    """Each record's value of a procedure distribution (``attribute`` of its procedure) drawn from
    its uniform ``u`` by inverse transform, times ``scale``."""
    out = np.zeros(len(procedure))
    for k, p in enumerate(scenario.procedures):
        rows = procedure == k
        out[rows] = getattr(p, attribute).from_uniform(u[rows]) * scale
    return out


def papers_wd(scenario: Scenario, kind: str, deadline_wd: np.ndarray, papers: np.ndarray) -> np.ndarray:
    """Each record's wait for missing papers, working days (0: its papers are complete), from two
    uniforms per record: a multi-day record waits by the node kind's share and wait."""
    incomplete = (papers[:, 0] < scenario.supplement_share_of(kind)) & (deadline_wd > 0)
    wait = np.zeros(len(deadline_wd))
    wait[incomplete] = scenario.supplement_wait_of(kind).from_uniform(papers[incomplete, 1])  # only where drawn: the inverse transform is costly
    return wait


def paused_wd(scenario: Scenario, kind: str, procedure: np.ndarray, deadline_wd: np.ndarray,
              papers: np.ndarray, obligation: np.ndarray) -> np.ndarray:
    """Each record's working days after review with the deadline standing still, from two uniforms
    per record for each cause: missing papers (:func:`papers_wd`), then a financial obligation (by
    its procedure's ``obligation_share`` and time to pay)."""
    owes = obligation[:, 0] < np.array([p.obligation_share for p in scenario.procedures])[procedure]
    paying = np.zeros(len(procedure))
    paying[owes] = by_procedure(scenario, procedure[owes], "obligation_wd", obligation[owes, 1])
    return papers_wd(scenario, kind, deadline_wd, papers) + paying


def _group_of(scenario: Scenario, procedure: np.ndarray) -> np.ndarray:
    """The counter group of each procedure index (0 when the desks are pooled)."""
    if not scenario.procedure_desk_group:
        return np.zeros(len(procedure), dtype=np.int64)
    return np.asarray(scenario.procedure_desk_group, dtype=np.int64)[procedure]


def draw_visits(scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar, streams: dict[str, np.random.Generator],
                procedure: np.ndarray, n_in: int, papers: np.ndarray) -> Visits | None:
    """The desk-only visits of one unit's period records (``procedure`` of each, ``n_in`` of them
    in person, then the remote ones; ``papers``: each one's wait for missing papers) and its
    guidance visits (:mod:`sim.engines.visits`); None if every share is 0."""
    policy, visits = scenario.desk_policy, scenario.desk_policy.visits
    if not scenario.visits_enabled:
        return None
    collect = np.array([p.collect_share for p in scenario.procedures])
    n = len(procedure)
    parts: list[dict[str, np.ndarray]] = []

    def person(u_patience: np.ndarray, u_returns: np.ndarray, u_position: np.ndarray) -> dict[str, np.ndarray]:
        patience = policy.patience_minutes.from_uniform(u_patience) if policy.reneging else np.full(len(u_patience), np.inf)
        return {"patience_minutes": patience, "returns": u_returns < policy.return_probability,
                "return_position": u_position}

    def per_record(name: str, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Named columns of per-record uniforms of one kind: in-person block, then remote block."""
        u = np.concatenate([streams[f"in_person.{name}"].random((n_in, len(columns))),
                            streams[f"remote.{name}"].random((n - n_in, len(columns)))])
        return dict(zip(columns, u.T))

    if collect.any():
        u = per_record("collection", COLLECTION_COLUMNS)
        rows = np.flatnonzero(u["collects"] < collect[procedure])
        parts.append({"kind": np.full(len(rows), COLLECTION), "record": rows, "arrival": np.full(len(rows), np.nan),
                      "days": np.floor(visits.collection_delay_days.from_uniform(u["delay"][rows])),
                      "position": u["position"][rows],
                      "desk_minutes": visits.collection_minutes.from_uniform(u["desk_minutes"][rows]),
                      **person(u["patience"][rows], u["returns"][rows], u["return_position"][rows]),
                      "desk_group": _group_of(scenario, procedure[rows])})
    if visits.supplement_share > 0:
        u = per_record("supplement_visit", SUPPLEMENT_COLUMNS)
        rows = np.flatnonzero((papers > 0) & (u["brings"] < visits.supplement_share))
        parts.append({"kind": np.full(len(rows), SUPPLEMENT), "record": rows, "arrival": np.full(len(rows), np.nan),
                      "days": papers[rows], "position": u["position"][rows],
                      "desk_minutes": visits.supplement_minutes.from_uniform(u["desk_minutes"][rows]),
                      **person(u["patience"][rows], u["returns"][rows], u["return_position"][rows]),
                      "desk_group": _group_of(scenario, procedure[rows])})
    if visits.guidance_per_submission > 0:
        share = scenario.mixes[plan.unit.kind].channel_share()
        starts, lengths, expected = in_person_expected(
            scenario, calendar, plan.records_per_day * share[IN_PERSON] * visits.guidance_per_submission)
        arrival = poisson_times(streams["guidance.arrivals"], starts, lengths, expected)
        m = len(arrival)
        u = dict(zip(GUIDANCE_COLUMNS, streams["guidance.visit"].random((m, len(GUIDANCE_COLUMNS))).T))
        if visits.guidance_counter == "general":
            group = np.full(m, visits.guidance_group, dtype=np.int64)
        else:
            mix = scenario.mixes[plan.unit.kind]
            group = _group_of(scenario, _inverse_cdf(mix.procedure_given_channel(IN_PERSON), u["procedure"]))
        parts.append({"kind": np.full(m, GUIDANCE), "record": np.full(m, -1), "arrival": arrival,
                      "days": np.zeros(m), "position": np.zeros(m),
                      "desk_minutes": visits.guidance_minutes.from_uniform(u["desk_minutes"]),
                      **person(u["patience"], u["returns"], u["return_position"]), "desk_group": group})
    joined = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    return Visits(kind=joined["kind"].astype(np.int8), record=joined["record"].astype(np.int64),
                  arrival=joined["arrival"].astype(float), days=joined["days"].astype(float),
                  position=joined["position"].astype(float), desk_minutes=joined["desk_minutes"].astype(float),
                  patience_minutes=joined["patience_minutes"].astype(float), returns=joined["returns"].astype(bool),
                  return_position=joined["return_position"].astype(float),
                  desk_group=joined["desk_group"].astype(np.int64))


def draw_workload(
    scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar, streams: dict[str, np.random.Generator]
) -> Workload:
    """Draw one replication's records for one unit.

    In-person demand is spread over each week's open hours in proportion to the weekday and hour
    weights (:func:`in_person_expected`: demand on a closed day moves to that week's open days);
    online and postal records arrive uniformly around the clock.
    """
    mix = scenario.mixes[plan.unit.kind]
    share = mix.channel_share()
    expected = plan.records_per_day * scenario.days

    in_person_arrival, in_person_procedure = in_person_times(scenario, plan.unit.kind, calendar,
                                                             plan.records_per_day * share[IN_PERSON], streams)
    remote_expected = np.array([expected * (share[ONLINE] + share[POST])])
    remote_arrival = poisson_times(streams["remote.arrivals"], np.zeros(1), np.array([calendar.horizon]),
                                   remote_expected)

    n_in, n_remote = len(in_person_arrival), len(remote_arrival)
    online_given_remote = share[ONLINE] / (share[ONLINE] + share[POST]) if share[ONLINE] + share[POST] > 0 else 1.0
    remote_channel = np.where(streams["remote.channel"].random(n_remote) < online_given_remote, ONLINE, POST)
    procedure = np.concatenate([
        in_person_procedure,
        np.where(
            remote_channel == ONLINE,
            _inverse_cdf(mix.procedure_given_channel(ONLINE), u := streams["remote.procedure"].random(n_remote)),
            _inverse_cdf(mix.procedure_given_channel(POST), u),
        ),
    ]).astype(np.int64)
    n = n_in + n_remote

    def uniforms(name: str, columns: int = 1) -> np.ndarray:
        """Per-record uniforms of one attribute: in-person block, then remote block."""
        u = [streams[f"{block}.{name}"].random((size, columns)) for block, size in (("in_person", n_in),
                                                                                     ("remote", n_remote))]
        return np.concatenate(u)

    def per_procedure(attribute: str, u: np.ndarray, scale: float = 1.0) -> np.ndarray:
        return by_procedure(scenario, procedure, attribute, u, scale)

    desk = np.zeros(n)  # a remote record is received without a desk
    desk[:n_in] = by_procedure(scenario, procedure[:n_in], "desk_minutes",
                               streams["in_person.desk_minutes"].random((n_in, 1))[:, 0])
    policy = scenario.desk_policy
    patience = policy.patience_minutes.from_uniform(uniforms("patience")[:, 0]) if policy.reneging else np.full(n, np.inf)
    back = uniforms("returns", 2)
    deadline_wd = np.array([p.deadline_wd for p in scenario.procedures], dtype=np.int64)[procedure]

    supplement = uniforms("supplement", 2)
    papers = papers_wd(scenario, plan.unit.kind, deadline_wd, supplement)  # the papers part of paused_wd

    organisation = plan.organisation
    department = organisation.procedure_department[procedure]
    breadth = np.asarray(plan.effort_factor)[department]  # breadth, other duties, counters' rota
    rounds, approval_factor = department_work(organisation, department, lambda: uniforms("rework")[:, 0])

    workload = Workload(
        arrival=np.concatenate([in_person_arrival, remote_arrival]),
        channel=np.concatenate([np.zeros(n_in, dtype=np.int8), remote_channel.astype(np.int8)]),
        procedure=procedure,
        department=department,
        pool=organisation.procedure_pool[procedure],
        deadline_wd=deadline_wd,
        desk_minutes=desk,
        patience_minutes=patience,
        returns=back[:, 0] < policy.return_probability,
        return_position=back[:, 1],
        effort_minutes=per_procedure("effort_minutes", uniforms("effort")[:, 0]) * breadth * rounds,
        lag_minutes=per_procedure("external_lag_wd", uniforms("external_lag")[:, 0], calendar.minutes_per_working_day),
        paused_wd=paused_wd(scenario, plan.unit.kind, procedure, deadline_wd, supplement, uniforms("obligation", 2)),
        approval_minutes=scenario.back_office.approval_minutes.from_uniform(uniforms("approval")[:, 0])
        * approval_factor,
        n_in_person=n_in,
        desk_group=np.asarray(scenario.procedure_desk_group, dtype=np.int64)[procedure]
        if scenario.procedure_desk_group else np.zeros(n, dtype=np.int64),
        intake_capped=np.asarray(scenario.procedure_intake_capped, dtype=bool)[procedure] & (np.arange(n) < n_in)
        if scenario.procedure_intake_capped and plan.intake_per_day > 0 else np.zeros(n, dtype=bool),
        visits=draw_visits(scenario, plan, calendar, streams, procedure, n_in, papers),
    )
    return day_start(workload, scenario, plan.unit.kind, calendar, streams)


def department_work(organisation: Organisation, department: np.ndarray,
                    uniforms: Callable[[], np.ndarray]) -> tuple[np.ndarray | int, np.ndarray | float]:
    """Per record, what its department makes of it (:mod:`sim.model.departments`): its passes
    through review and approval (1 + its returns for correction, from ``uniforms()``, its own
    stream, drawn only when a department returns records) and the factor on its approval minutes
    (its passes x its head's span). Both mechanisms off: 1 and 1.0, every minute as it was.

    Rework is work content: the returned passes add to the officer's effort and the head's
    approval of the one record, done straight after the first pass by the same hands, not a loop
    back through the queues."""
    share = np.asarray(organisation.rework_share)[department]
    rounds = passes(share, uniforms()) if share.any() else 1
    return rounds, rounds * np.asarray(organisation.approval_factor)[department]


def in_person_times(scenario: Scenario, kind: str, calendar: WorkCalendar, per_day: float,
                    streams: dict[str, np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """The in-person block's arrival times over open hours (:func:`in_person_expected`,
    :func:`poisson_times`) and each arrival's procedure, the k-th from the k-th uniform of its stream.

    Without time-of-day profiles per counter group every procedure follows the hour weights and
    the procedure does not depend on the time. With them (``scenario.procedure_hour_weights``)
    each procedure's records a week follow its group's profile, the arrivals are one Poisson
    process of the summed intensity, and the procedure is drawn from P(procedure | time of day)
    (:func:`sim.engines.arrivals.procedures_by_time`)."""
    given_channel = scenario.mixes[kind].procedure_given_channel(IN_PERSON)
    if not scenario.procedure_hour_weights:
        starts, lengths, in_person = in_person_expected(scenario, calendar, per_day)
        times = poisson_times(streams["in_person.arrivals"], starts, lengths, in_person)
        return times, _inverse_cdf(given_channel, streams["in_person.procedure"].random(len(times)))
    total = given_channel.sum()
    by_profile: dict[tuple[float, ...], np.ndarray] = {}
    columns = []
    for k, weights in enumerate(scenario.procedure_hour_weights):
        if weights not in by_profile:
            starts, lengths, by_profile[weights] = in_person_expected(
                dataclasses.replace(scenario, hour_weights=weights), calendar, per_day)
        share = given_channel[k] / total if total > 0 else 0.0
        columns.append(share * by_profile[weights])
    expected = np.stack(columns, axis=1) if len(starts) else np.zeros((0, len(columns)))
    times = poisson_times(streams["in_person.arrivals"], starts, lengths, expected.sum(axis=1))
    u = streams["in_person.procedure"].random(len(times))
    if len(times) == 0:
        return times, np.zeros(0, dtype=np.int64)
    return times, arrivals.procedures_by_time(expected, starts, times, u)


def day_start(workload: Workload, scenario: Scenario, kind: str, calendar: WorkCalendar,
              streams: dict[str, np.random.Generator]) -> Workload:
    """The in-person block with booked queue numbers and citizens at the door before opening
    (:mod:`sim.engines.arrivals`), sorted again by arrival; ``workload`` itself when both are off."""
    booking, door = scenario.booking, scenario.before_opening
    share, window = door.of(kind)
    if not booking.active and share <= 0:
        return workload
    n = workload.n_in_person
    times = workload.arrival[:n]
    booked = np.zeros(n, dtype=bool)
    if booking.active:
        first_day = (booking.start - scenario.start).days
        booked = arrivals.booked_citizens(times, streams["in_person.booking"].random(n), booking.share, first_day)
        times = np.where(booked, arrivals.slot_starts(times, booking.slot_minutes, calendar), times)
    early = np.zeros(n)
    if share > 0:
        times, early = arrivals.before_opening(times, ~booked, streams["in_person.door"].random((n, 2)), share,
                                               window, calendar)
    arrival, flags, extra = workload.arrival.copy(), workload.booked.copy(), workload.patience_extra.copy()
    arrival[:n], flags[:n] = times, booked
    if door.patience_from_opening:
        extra[:n] = early
    moved = dataclasses.replace(workload, arrival=arrival, booked=flags, patience_extra=extra)
    return arrivals.sort_in_person(moved, np.argsort(times, kind="stable"))
