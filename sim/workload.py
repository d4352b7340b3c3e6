"""Every record a unit will see in one replication, drawn up front as arrays.

Drawing all random quantities before the simulation starts, each from its own stream, keeps the
engine free of random-number bookkeeping and lets two scenarios with the same replication index
see the same citizens (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.scenario import Scenario, UnitPlan

STREAMS = (
    "in_person_arrivals",
    "remote_arrivals",
    "procedures",
    "desk_minutes",
    "patience",
    "returns",
    "effort",
    "external_lag",
    "approval",
)

IN_PERSON, ONLINE, POST = 0, 1, 2


@dataclass
class Workload:
    """Records of one unit; in-person records first, each block sorted by arrival (minutes)."""

    arrival: np.ndarray
    channel: np.ndarray  # 0 in person, 1 online, 2 post
    procedure: np.ndarray
    department: np.ndarray
    deadline_wd: np.ndarray
    desk_minutes: np.ndarray
    patience_minutes: np.ndarray  # inf when citizens never give up
    returns: np.ndarray  # True: a citizen who gives up comes back the next open day
    return_position: np.ndarray  # where in that day's open minutes, 0..1
    effort_minutes: np.ndarray  # staff working minutes
    lag_minutes: np.ndarray  # external waiting (verification, posting), in working minutes
    approval_minutes: np.ndarray
    n_in_person: int

    def __len__(self) -> int:
        return len(self.arrival)


def in_person_rate_pieces(scenario: Scenario, calendar: WorkCalendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open time cut at clock hours: (start, length, relative intensity) of each piece."""
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
            weights.append(scenario.weekday_weights[weekday] * scenario.hour_weights[hour])
            t = piece_end
    return np.array(starts), np.array(lengths), np.array(weights)


def draw_workload(
    scenario: Scenario, plan: UnitPlan, calendar: WorkCalendar, streams: dict[str, np.random.Generator]
) -> Workload:
    """Draw one replication's records for one unit.

    In-person demand over the period is spread over the open hours in proportion to the weekday
    and hour weights (demand on a closed day moves to open days); online and postal records arrive
    uniformly around the clock.
    """
    mix = scenario.mixes[plan.unit.kind]
    channel_share = mix.channel_share()
    expected = plan.records_per_day * scenario.days

    starts, lengths, weights = in_person_rate_pieces(scenario, calendar)
    intensity = weights * lengths
    expected_per_piece = expected * channel_share[IN_PERSON] * intensity / intensity.sum() if intensity.sum() > 0 else intensity
    rng = streams["in_person_arrivals"]
    counts = rng.poisson(expected_per_piece)
    in_person_arrival = np.sort(np.repeat(starts, counts) + rng.random(counts.sum()) * np.repeat(lengths, counts))

    rng = streams["remote_arrivals"]
    remote_share = channel_share[ONLINE] + channel_share[POST]
    n_remote = rng.poisson(expected * remote_share)
    remote_arrival = np.sort(rng.random(n_remote) * calendar.horizon)
    online_given_remote = channel_share[ONLINE] / remote_share if remote_share > 0 else 1.0
    remote_channel = np.where(rng.random(n_remote) < online_given_remote, ONLINE, POST)

    n_in = len(in_person_arrival)
    arrival = np.concatenate([in_person_arrival, remote_arrival])
    channel = np.concatenate([np.zeros(n_in, dtype=np.int8), remote_channel.astype(np.int8)])
    n = len(arrival)

    rng = streams["procedures"]
    procedure = np.empty(n, dtype=np.int64)
    for c in (IN_PERSON, ONLINE, POST):
        rows = np.flatnonzero(channel == c)
        if len(rows):
            procedure[rows] = rng.choice(len(scenario.procedures), size=len(rows), p=mix.procedure_given_channel(c))

    per_procedure = [np.flatnonzero(procedure == k) for k in range(len(scenario.procedures))]

    def draw(stream: str, attribute: str, scale: float = 1.0) -> np.ndarray:
        out = np.zeros(n)
        for k, rows in enumerate(per_procedure):
            out[rows] = getattr(scenario.procedures[k], attribute).sample(streams[stream], len(rows)) * scale
        return out

    desk = draw("desk_minutes", "desk_minutes")
    desk[n_in:] = 0.0
    policy = scenario.desk_policy
    if policy.reneging:
        patience = policy.patience_minutes.sample(streams["patience"], n)
    else:
        patience = np.full(n, np.inf)
    rng = streams["returns"]
    returns = rng.random(n) < policy.return_probability
    return_position = rng.random(n)

    return Workload(
        arrival=arrival,
        channel=channel,
        procedure=procedure,
        department=scenario.procedure_department[procedure],
        deadline_wd=np.array([p.deadline_wd for p in scenario.procedures], dtype=np.int64)[procedure],
        desk_minutes=desk,
        patience_minutes=patience,
        returns=returns,
        return_position=return_position,
        effort_minutes=draw("effort", "effort_minutes"),
        lag_minutes=draw("external_lag", "external_lag_wd", calendar.minutes_per_working_day),
        approval_minutes=scenario.back_office.approval_minutes.sample(streams["approval"], n),
        n_in_person=n_in,
    )
