"""Desk visits that submit nothing: a result collected at a counter, missing papers brought, or
guidance asked. Each is one citizen at the desks, queueing and served like a submission, who
creates no record and never reaches the back office.

Every random quantity of a visit is drawn up front from its own named streams, the k-th record of
a block taking the k-th row of its block's stream (``in_person.collection``, ...), so switching
visits on changes no other random number; with every share 0 no visit exists and no stream is read.

* **Collection** (``Procedure.collect_share``, any channel): the citizen comes on the open day
  ``collection_delay_days`` (drawn, rounded down) open days after the record's due day, at a drawn
  position of that day's open minutes. The due day is the one on the receipt, moved by the record's
  paused days (missing papers, a financial obligation) as the back office will move it: both are
  known when the record is received, so both engines schedule the visit then. A citizen comes on
  the appointed day whether or not the result is ready (a late result is not collected twice).
* **Supplement** (``VisitPolicy.supplement_share`` of the records waiting for missing papers): the
  citizen brings the papers on the day the papers wait ends, at a drawn position of its open
  minutes. The wait is counted from the receipt, not from the officers' review where the back office
  starts it: the desks are simulated before the back office in the fast engine, and the review is
  short beside the wait (on the calibrated default a mean 0.3 working days after receipt at a unit,
  1.0 at a Centre branch, against means of 20 and 36). An approximation: the papers come that much early.
* **Guidance**: ``guidance_per_submission`` visits per in-person submission expected, a Poisson
  process with the in-person arrival profile, at the counter group of a procedure drawn from the
  unit's in-person mix (or the general group).

A visit whose time falls at or after the horizon is not made; one that would fall before the
record's receipt (a same-day result collected on its due day) is made the next open day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.calendar import MINUTES_PER_DAY, WorkCalendar

COLLECTION, SUPPLEMENT, GUIDANCE = 1, 2, 3
VISIT_KINDS = {COLLECTION: "collection", SUPPLEMENT: "supplement", GUIDANCE: "guidance"}
# the columns drawn per record or visit from each kind's streams
COLLECTION_COLUMNS = ("collects", "delay", "position", "desk_minutes", "patience", "returns", "return_position")
SUPPLEMENT_COLUMNS = ("brings", "position", "desk_minutes", "patience", "returns", "return_position")
GUIDANCE_COLUMNS = ("procedure", "desk_minutes", "patience", "returns", "return_position")


@dataclass
class Visits:
    """A unit's desk-only visits of one replication: collections and supplements (in record order),
    then guidance visits (in time order)."""

    kind: np.ndarray  # COLLECTION, SUPPLEMENT or GUIDANCE
    record: np.ndarray  # the record a collection or supplement belongs to; -1 for guidance
    arrival: np.ndarray  # guidance: when it comes; nan for the others (scheduled at the record's receipt)
    days: np.ndarray  # collection: whole open days after the due day; supplement: the papers wait, working days
    position: np.ndarray  # where in the visit day's open minutes, 0..1 (collection, supplement)
    desk_minutes: np.ndarray
    patience_minutes: np.ndarray  # inf when citizens never give up
    returns: np.ndarray  # True: comes back the next open day after giving up (once)
    return_position: np.ndarray
    desk_group: np.ndarray  # counter group (0 when the desks are pooled)

    def __len__(self) -> int:
        return len(self.kind)


def visit_time(calendar: WorkCalendar, kind: int, receipt: float, due: float, days: float, position: float) -> float:
    """When a collection or supplement visit of a record received at ``receipt`` (due at ``due``,
    paused days included) is made; inf if beyond the calendar."""
    if kind == COLLECTION:
        t = calendar.open_day_at(due, int(days), position)
    else:
        t = calendar.open_day_at(calendar.wait_end(receipt, days * calendar.minutes_per_working_day), 0, position)
    return not_before_receipt(calendar, t, receipt, position)


def not_before_receipt(calendar: WorkCalendar, t: float, receipt: float, position: float) -> float:
    """A visit's time ``t``, or the next open day after the receipt's if ``t`` is not after the receipt."""
    return calendar.return_time(receipt, position) if t <= receipt else t


def visit_times(calendar: WorkCalendar, kind: np.ndarray, receipt: np.ndarray, due: np.ndarray, days: np.ndarray,
                position: np.ndarray) -> np.ndarray:
    """:func:`visit_time` for arrays (vectorised, the same times to the last bit)."""
    collection = kind == COLLECTION
    t = np.empty(len(kind))
    t[collection] = calendar.open_days_at(due[collection], days[collection].astype(np.int64), position[collection])
    papers = ~collection
    papers_in = calendar.wait_ends(receipt[papers], days[papers] * calendar.minutes_per_working_day)
    t[papers] = calendar.open_days_at(papers_in, 0, position[papers])
    early = t <= receipt
    t[early] = calendar.open_days_at((receipt[early] // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY, 0, position[early])
    return t
