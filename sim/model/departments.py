"""What a department is beyond a pool of officers (issue 21): named mechanisms by which the fields
it covers and the officers its head oversees change the work each of its records takes.

Each mechanism is a ``staff.*`` setting whose default turns it off; off, every record's minutes are
exactly what they were without it. Both act on the work content drawn up front
(:mod:`sim.engines.workload`, :mod:`sim.engines.stock`), so every engine sees the same minutes.

* **Rework from breadth** (``staff.rework``): a record is returned for correction with probability
  ``base_share + per_extra_field x (fields - 1)``, again and again (a geometric number of returns),
  each return costing another pass of the officer's effort and another approval. Source for the
  direction: seed 003 ("a department head cannot be qualified enough to manage all sectors",
  domain.md "Organisation"); the shares are an assumption (none is measured).
  Simplification: the returned passes are done straight after the first, by the same hands (a
  work-content model of rework, not a separate loop in time through the queues again).
* **The head's span** (``staff.span``): a head or deputy approves more slowly the more fields and
  officers they oversee: approval minutes x ``(1 + per_extra_field x (fields - 1))`` x
  ``(1 + per_officer_above x max(0, officers per approver - officers_norm))``. Source for the
  direction: seed 003, on a ward's Economic, Infrastructure and Urban department; the slopes are an
  assumption (span of control; none is measured).
* **Borrowing** (``staff.borrow``): officers help another department of the same unit. An officer
  who is free with no record of its own pool waiting takes the waiting record of another
  department that is first in the queue order (oldest, or earliest due under ``staff.order=edf``),
  while the minutes of other departments' work its pool has started that day are below ``share``
  x its officers x the day's session minutes so far (at most that share of their time, give or
  take the last record taken). It acts on the queues, not on the work content: both engines run
  it with one dispatch rule (:class:`sim.engines.rules.BorrowingDispatch`). Source for the practice: departments lend
  staff to the service point and officers hold positions concurrently (OL 7415/BNV-CCVC; Đống Đa
  borrowed staff from departments, domain.md); a share for processing help is an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The highest return probability a department may have: at 0.9 a record goes round ten times on
# average (1 / (1 - 0.9)); a probability of 1 would never let a record out.
MAX_REWORK_SHARE = 0.9


@dataclass(frozen=True)
class Rework:
    """``staff.rework``: how often a record is returned for correction."""

    base_share: float = 0.0  # probability a record of a one-field department is returned
    per_extra_field: float = 0.0  # added for each field beyond the first the department covers

    def share(self, fields: int) -> float:
        """The probability that a record of a department covering ``fields`` fields is returned."""
        return self.base_share + self.per_extra_field * max(0, fields - 1)


@dataclass(frozen=True)
class Span:
    """``staff.span``: how a head's approval time grows with what they oversee."""

    per_extra_field: float = 0.0  # approval time added per field beyond the first (a share)
    per_officer_above: float = 0.0  # added per officer per approver above the norm (a share)
    officers_norm: float = 0.0  # officers per approver a head oversees at no cost

    def factor(self, fields: int, officers: int, approvers: int) -> float:
        """Approval minutes per catalogued minute in a department of ``fields`` fields, ``officers``
        processing officers and ``approvers`` heads and deputies."""
        above = max(0.0, officers / max(approvers, 1) - self.officers_norm)
        return (1.0 + self.per_extra_field * max(0, fields - 1)) * (1.0 + self.per_officer_above * above)


@dataclass(frozen=True)
class Borrow:
    """``staff.borrow``: officers of one department taking another department's waiting records."""

    share: float = 0.0  # the most of a pool's session time its officers may spend on other departments' records (0: off)


@dataclass(frozen=True)
class DepartmentMechanisms:
    """The mechanisms of every department of a run (all off by default)."""

    rework: Rework = Rework()
    span: Span = Span()
    borrow: Borrow = Borrow()


def passes(share: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each record's passes through review and approval: 1 plus a geometric number of returns, each
    return with probability ``share`` (per record), drawn by inverse transform from its uniform
    ``u`` in [0, 1): P(returns >= k) = share ** k, so the mean is 1 / (1 - share)."""
    share = np.asarray(share, dtype=float)
    with np.errstate(divide="ignore"):
        returns = np.floor(np.log1p(-np.asarray(u)) / np.log(share))
    return 1 + np.where(share > 0, returns, 0).astype(np.int64)
