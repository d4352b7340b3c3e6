"""What an engine is: the contract every engine meets, and the registry of engines by name.

The runner simulates each (unit, replication) with ``ENGINES.get(scenario.engine)``, and the
validation of the ``engine`` key offers ``ENGINES.names()``. A new engine is a module with a
function meeting :class:`Engine`, registered at the end of this module; ``tests/test_engines.py``
then checks it against the reference engine record by record.
"""

from __future__ import annotations

from typing import Protocol

from sim.engines import fast, reference
from sim.engines.outcome import UnitOutcome
from sim.engines.workload import Workload
from sim.model.calendar import WorkCalendar
from sim.model.scenario import BackOfficePolicy, DeskPolicy, Desks
from sim.model.structures import Organisation
from sim.registry import Registry


class Engine(Protocol):
    """Simulate one unit in one replication, from time 0 to ``calendar.horizon``.

    Inputs
        ``workload``: every record the unit sees, with every random quantity already drawn
        (:class:`~sim.engines.workload.Workload`); ``calendar``: sessions, working-time arithmetic,
        deadlines and the horizon; ``desks``: reception desks, a count (one line, first come first
        served) or a :class:`~sim.model.scenario.Desks` (desks per counter group, each group its
        own line, and the daily land intake cap); ``organisation``: officers per staff pool and
        approvers (head and deputies) per department; ``desk_policy``: closing rule, reneging, the
        counter groups and what a free counter takes, and desk officers' share of back work;
        ``back_office``: whether records go through staff and approvers, their queue order, the
        approvers' daily limit and when officers work overtime (:class:`~sim.engines.rules.OvertimeDays`).

    Output
        A :class:`~sim.engines.outcome.UnitOutcome`: per record (in the workload's order) its stage
        at the horizon and the times of what happened to it; one entry per stay in the desk line;
        session minutes worked per staff pool and per department's approvers (extra sessions
        included); officer-minutes of overtime per staff pool; per record, the times asked to come
        back (intake cap) and the return visits made so; per desk-only visit (``workload.visits``,
        :mod:`sim.engines.visits`), its kind, when it was made and what happened to it at the desk.

    Invariants
        * Deterministic: the outcome depends on the arguments only. An engine draws no random
          numbers, reads no files and keeps no state between calls.
        * Only what happens before the horizon counts: times at or after it are nan (``done``,
          ``desk_end``), and the stage says where such a record is (``IN_PROCESS_STAGES``).
        * The rules of :mod:`sim.engines.rules` (the desk line, giving up and coming back, closing
          rules, queue orders, closing the books) are applied as written there.
        * A desk-only visit queues like a citizen who submits, but is never received: it changes no
          record's receipt except through the desks' time it takes. A record's collection and
          supplement visits are scheduled at its receipt (:func:`~sim.engines.visits.visit_time`).
        * The opening stock (``workload.opening``, after the period's records, sorted by receipt)
          skips the desk: received at its ``arrival`` (at or before 0) with its ``opening_due``,
          it joins its staff pool at time 0, or, with ``opening_reviewed``, starts its remaining
          wait (``lag_minutes``) at time 0 and then goes to the approvers; ``reviewed`` in the
          outcome is when the officers' review ended (0 for stock reviewed before the period).
        * Every engine gives the reference engine's outcome record by record (equal stages, times
          equal to rounding), under every policy: ``tests/test_engines.py``.
    """

    def __call__(self, workload: Workload, calendar: WorkCalendar, desks: int | Desks, organisation: Organisation,
                 desk_policy: DeskPolicy, back_office: BackOfficePolicy) -> UnitOutcome: ...


ENGINES: Registry[Engine] = Registry("engine")
ENGINES.register("fast")(fast.simulate_unit)  # stage by stage: the default
ENGINES.register("simpy")(reference.simulate_unit)  # SimPy processes: the reference, the form to extend
