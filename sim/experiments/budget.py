"""A fixed budget: the same number of processing officers, moved between units and departments so
that more of the city's records are finished on time and the worst units are lifted.

Marginal allocation, checked by simulation. Every allocation is simulated on the same replications
0..R-1 (``recommend.budget.replications``); a unit's records depend only on its own plan and its
own random streams (:mod:`sim.engines.streams`, keyed by the unit's row in the city table), so two
allocations that differ in a few units differ only there, replication by replication (common
random numbers). Each round:

1. **Rank** (no simulation). A department gains most from one more officer where its simulated
   records finished late or overdue, per officer and weighted by its simulated offered load (at
   most 1: late records in a department of idle officers are late for another reason; none below
   ``recommend.budget.min_receiver_load``), are most
   (ties: the highest expected offered load,
   :func:`sim.analysis.offered_load.unit_loads`); it loses least where it has the fewest late
   records and the lowest expected load after the loss (never above 1: no backlog is made).
2. **Propose** up to ``recommend.budget.batch`` moves of one officer each, from the cheapest donor to
   the largest gain, each move touching units no other move of the round touches.
3. **Check** each move on the replications: the paired difference of the city's on-time share
   (on_time_of_received_pct over every unit simulated) with and without the move. It is kept when
   the 95 % interval of that difference lies above zero and the donor unit does not end below where
   the receiving unit started (moves flow from the better off to the worse off); otherwise it is
   reverted and that pair is not tried again from the same counts (nor that receiver, from any
   donor, when its gain was not shown: a heuristic that saves rounds, since the donors offered
   lose little).

It stops when a round keeps nothing and nothing is left to try, when ``recommend.budget.max_moves``
officers have moved, or after ``recommend.budget.max_rounds`` rounds. The total never changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.analysis.intervals import mean_ci95
from sim.analysis.kpis import department_kpis, unit_kpis
from sim.analysis.offered_load import session_minutes_per_day, unit_loads
from sim.analysis.unit_counts import DEPARTMENT_COUNTS
from sim.config.build import build_scenario
from sim.errors import ConfigError
from sim.experiments.recommendation import Planner, _number, _simulate, recommend_spec
from sim.model.city import CENTRE_KIND
from sim.model.scenario import Scenario

KEEPS_UP = 1.0  # a donor's expected offered load after the loss stays at most this


@dataclass(frozen=True)
class BudgetSpec:
    officers: int | None  # None: today's total
    max_moves: int
    batch: int
    max_rounds: int
    replications: int
    across_levels: bool
    worst_units: int
    min_receiver_load: float = 0.5


def budget_spec(cfg: DictConfig) -> BudgetSpec:
    """The validated settings of ``cfg.recommend.budget``; ConfigError names the key of a bad one."""
    b = OmegaConf.to_container(cfg.recommend.budget, resolve=True)
    if b["officers"] is not None:
        _number(b["officers"], "recommend.budget.officers", 1, 10_000_000, whole=True)
    for key, low, high in (("max_moves", 0, 1_000_000), ("batch", 1, 10_000), ("max_rounds", 1, 1000),
                           ("replications", 2, 1000), ("worst_units", 1, 1000)):
        _number(b[key], f"recommend.budget.{key}", low, high, whole=True)
    _number(b["min_receiver_load"], "recommend.budget.min_receiver_load", 0, 1000)
    for key in ("enabled", "across_levels"):
        if not isinstance(b[key], bool):
            raise ConfigError(f"recommend.budget.{key}", f"must be true or false, got {b[key]!r}")
    return BudgetSpec(None if b["officers"] is None else int(b["officers"]), int(b["max_moves"]), int(b["batch"]),
                      int(b["max_rounds"]), int(b["replications"]), bool(b["across_levels"]), int(b["worst_units"]),
                      float(b["min_receiver_load"]))


# --- one unit-replication, reduced ---------------------------------------------------------------
def budget_values(result) -> dict[str, Any]:
    """What the budget needs of one unit-replication: the on-time share's numerator and
    denominator (so units add up to the city's) and each department's late records."""
    k = unit_kpis(result)
    known = k["received"] + k["opening_stock"] - k["in_process_not_yet_due"]
    processed, on_time = DEPARTMENT_COUNTS.index("processed"), DEPARTMENT_COUNTS.index("processed_on_time")
    overdue = DEPARTMENT_COUNTS.index("in_process_overdue")
    return {"on_time": float(k["processed_on_time"]), "known": float(known),
            "on_time_pct": float(k["on_time_of_received_pct"]),
            "late": [float(row[processed] - row[on_time] + row[overdue]) for row in result.departments],
            "load": [float(np.nan_to_num(department_kpis(row)["offered_load"])) for row in result.departments]}


def _share(on_time: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known > 0, 100 * on_time / np.maximum(known, 1e-12), 100.0)


@dataclass(frozen=True)
class Move:
    donor: tuple[int, int]  # (position, department)
    receiver: tuple[int, int]
    gain_pp: dict  # paired difference of the city's on-time share (mean, 95 % interval), points
    kept: bool
    reason: str  # why it was reverted ("" when kept)
    round: int


@dataclass
class BudgetResult:
    scenario: Scenario
    spec: BudgetSpec
    today: list[tuple[int, ...]]  # officers per department of each unit, today
    start: list[tuple[int, ...]]  # after placing or taking the difference to recommend.budget.officers
    final: list[tuple[int, ...]]
    reps: dict[tuple[int, tuple[int, ...]], list[dict]]  # (position, officers) -> per-replication values
    moves: list[Move]
    timing: dict[str, float]
    simulated: int
    rounds: int
    stop: str  # why the search ended
    round_log: list[dict] = field(default_factory=list)

    @property
    def officers(self) -> int:
        return sum(map(sum, self.final))

    def unit_series(self, allocation: list[tuple[int, ...]], key: str) -> np.ndarray:
        """replications x units of one value at an allocation (every unit of it simulated)."""
        return np.array([[r[key] for r in self.reps[(p, v)]] for p, v in enumerate(allocation)]).T

    def city_share(self, allocation: list[tuple[int, ...]]) -> np.ndarray:
        """The city's on-time share (%) per replication at an allocation."""
        return _share(self.unit_series(allocation, "on_time").sum(axis=1),
                      self.unit_series(allocation, "known").sum(axis=1))

    def department_name(self, position: int, department: int) -> str:
        return self.scenario.units[position].organisation.structure.department_names[department]


def _level(scenario: Scenario, position: int) -> str:
    return "centre" if scenario.units[position].unit.kind == CENTRE_KIND else "commune"


def _place_difference(loads: list[list[float]], staff: list[list[int]], difference: int, floor: int,
                      ceiling: int) -> None:
    """Place (difference > 0) or take (< 0) officers one at a time where the expected load is
    highest after the gain (lowest after the loss), within the floor and ceiling; in place."""
    for _ in range(abs(difference)):
        cells = [(p, d) for p, row in enumerate(staff) for d, n in enumerate(row)
                 if (n < ceiling if difference > 0 else n > floor)]
        if not cells:
            key = "recommend.budget.officers"
            raise ConfigError(key, "cannot be met within staff.min_per_department and recommend.max_staff")
        if difference > 0:
            p, d = max(cells, key=lambda c: (loads[c[0]][c[1]] / (staff[c[0]][c[1]] + 1), -c[0], -c[1]))
            staff[p][d] += 1
        else:
            p, d = min(cells, key=lambda c: (loads[c[0]][c[1]] / (staff[c[0]][c[1]] - 1), c[0], c[1]))
            staff[p][d] -= 1


def needs_back_office(scenario: Scenario) -> None:
    """Without the back office there are no processing officers to move."""
    if not scenario.back_office.enabled:
        raise ConfigError("recommend.budget.enabled", "needs the back office (scenario.back_office=true): "
                                                      "there are no processing officers to move")


def budget_in_reach(cfg: DictConfig, scenario: Scenario) -> None:
    """Refuse a ``recommend.budget.officers`` no allocation can have: below ``staff.min_per_department``
    or above ``recommend.max_staff`` in every department. Checked with the command line, before a
    run folder is made, and again by :func:`fixed_budget`."""
    officers = budget_spec(cfg).officers
    if officers is None:
        return
    floor, ceiling = Planner.of(cfg, scenario, recommend_spec(cfg)).min_staff, recommend_spec(cfg).max_staff
    departments = sum(len(plan.staff) for plan in scenario.units)
    if officers < departments * floor:
        raise ConfigError("recommend.budget.officers", f"{officers} is below the {departments * floor} officers that "
                                                       f"staff.min_per_department={floor} needs in every department")
    if officers > departments * ceiling:
        raise ConfigError("recommend.budget.officers", f"{officers} is above the {departments * ceiling} officers "
                                                       f"that recommend.max_staff={ceiling} allows in every department")


def fixed_budget(cfg: DictConfig, workers: int | None = None, progress=None) -> BudgetResult:
    """Move officers between the units and departments of ``cfg`` (see the module's docstring).
    ``progress`` (a :class:`sim.experiments.progress.RoundsBar`) is told when the first simulation
    and each round of moves start, as their unit-replications finish, and the officers moved so far.

    Why one function: the rounds share one state (officers per department, the replications run,
    the moves tried and kept, the bar), and the loop reads in the order the module's docstring
    tells the method; the steps that do not need that state are functions of their own
    (:func:`_propose`, :func:`budget_spec`, :func:`budget_in_reach`)."""
    spec = budget_spec(cfg)
    rspec = recommend_spec(cfg)
    scenario = build_scenario(cfg)
    needs_back_office(scenario)
    budget_in_reach(cfg, scenario)
    t0 = time.perf_counter()
    planner = Planner.of(cfg, scenario, rspec)
    floor, ceiling = planner.min_staff, rspec.max_staff
    minutes = session_minutes_per_day(scenario)
    work = [[load.work_minutes_per_day / minutes for load in unit_loads(scenario, plan, minutes)]
            for plan in scenario.units]  # officers' worth of expected work a day, per department
    today = [tuple(int(n) for n in plan.staff) for plan in scenario.units]
    total_today = sum(map(sum, today))
    budget = total_today if spec.officers is None else spec.officers
    lowest = sum(len(row) * floor for row in today)
    if budget < lowest:
        raise ConfigError("recommend.budget.officers", f"{budget} is below the {lowest} officers that "
                                                       f"staff.min_per_department={floor} needs in every department")
    staff = [list(row) for row in today]
    _place_difference(work, staff, budget - total_today, floor, ceiling)
    start = [tuple(row) for row in staff]
    assert sum(map(sum, start)) == budget
    desks = [planner.current(plan)[:len(planner.current(plan)) - len(plan.staff)] for plan in scenario.units]

    reps: dict[tuple[int, tuple[int, ...]], list[dict]] = {}
    simulated = 0

    def simulate(cells: list[tuple[int, tuple[int, ...]]], label: str) -> None:
        nonlocal simulated
        cells = [c for c in dict.fromkeys(cells) if c not in reps]
        tasks, keys = [], []
        for position, officers in cells:
            plan = planner.apply(scenario.units[position], desks[position] + officers)
            for rep in range(spec.replications):
                tasks.append((plan, rep))
                keys.append((position, officers))
        if not tasks:
            return
        if progress is not None:
            progress.start(label, len(tasks))
        done = progress.advance if progress is not None else None
        for res in sorted(_simulate(scenario, tasks, workers, done), key=lambda res: res.position):
            reps.setdefault(keys[res.position], []).append(budget_values(res))
        simulated += len(tasks)

    simulate([(p, v) for p, v in enumerate(today)] + [(p, v) for p, v in enumerate(start)], "today and the start")
    t1 = time.perf_counter()
    moves: list[Move] = []
    tried: set[tuple] = set()
    kept, rounds, round_log, stop = 0, 0, [], ""
    while True:
        if kept >= spec.max_moves:
            stop = f"recommend.budget.max_moves ({spec.max_moves}) officers moved"
            break
        if rounds >= spec.max_rounds:
            stop = f"recommend.budget.max_rounds ({spec.max_rounds}) rounds run"
            break
        proposed = _propose(scenario, spec, staff, work, reps, tried, floor, ceiling,
                            min(spec.batch, spec.max_moves - kept))
        if not proposed:
            stop = "no move left to try gains"
            break
        trial = []
        for donor, receiver in proposed:
            changed = {donor[0]: list(staff[donor[0]]), receiver[0]: list(staff[receiver[0]])}
            changed[donor[0]][donor[1]] -= 1
            changed[receiver[0]][receiver[1]] += 1
            trial.append({p: tuple(v) for p, v in changed.items()})
        started = time.perf_counter()
        simulate([cell for t in trial for cell in t.items()], f"round {rounds + 1}")
        rounds += 1
        base_on = sum(np.array([r["on_time"] for r in reps[(p, tuple(v))]]) for p, v in enumerate(staff))
        base_known = sum(np.array([r["known"] for r in reps[(p, tuple(v))]]) for p, v in enumerate(staff))
        base_share = _share(base_on, base_known)
        kept_now = 0
        for (donor, receiver), new in zip(proposed, trial):
            on, known = base_on.copy(), base_known.copy()
            for p, v in new.items():
                old, now = reps[(p, tuple(staff[p]))], reps[(p, v)]
                on += np.array([r["on_time"] for r in now]) - np.array([r["on_time"] for r in old])
                known += np.array([r["known"] for r in now]) - np.array([r["known"] for r in old])
            gain = mean_ci95(list(_share(on, known) - base_share))
            reason = ""
            if gain["ci95_low"] is None or gain["ci95_low"] <= 0:
                reason = "no gain shown (the paired 95 % interval reaches zero)"
            elif donor[0] != receiver[0]:
                donor_after = np.mean([r["on_time_pct"] for r in reps[(donor[0], new[donor[0]])]])
                receiver_before = np.mean([r["on_time_pct"] for r in reps[(receiver[0], tuple(staff[receiver[0]]))]])
                if donor_after < receiver_before:
                    reason = "the donor unit would end below the receiving unit's start"
            tried.add(_state(staff, donor, receiver))
            if reason.startswith("no gain"):  # one more officer there buys nothing measurable, from any donor
                tried.add((receiver, tuple(staff[receiver[0]])))
            moves.append(Move(donor, receiver, gain, not reason, reason, rounds))
            if not reason:
                for p, v in new.items():
                    staff[p] = list(v)
                kept += 1
                kept_now += 1
        assert sum(map(sum, staff)) == budget, "the fixed budget's total changed"
        round_log.append({"round": rounds, "tried": len(proposed), "kept": kept_now,
                          "seconds": round(time.perf_counter() - started, 2)})
        if progress is not None:
            progress.end(f"round {rounds}: {kept} officer{'' if kept == 1 else 's'} moved")
    final = [tuple(row) for row in staff]
    assert sum(map(sum, final)) == budget, "the fixed budget's total changed"
    t2 = time.perf_counter()
    return BudgetResult(scenario, spec, today, start, final, reps, moves,
                        {"first_simulation_s": t1 - t0, "moves_s": t2 - t1}, simulated, rounds, stop, round_log)


def _state(staff: list[list[int]], donor: tuple[int, int], receiver: tuple[int, int]) -> tuple:
    """A pair of departments at their current counts: a move refused there is not tried again
    until one of the two units changes."""
    return donor, tuple(staff[donor[0]]), receiver, tuple(staff[receiver[0]])


def _propose(scenario: Scenario, spec: BudgetSpec, staff: list[list[int]], work: list[list[float]],
             reps: dict, tried: set, floor: int, ceiling: int, room: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Up to ``room`` moves (donor, receiver) for one round, each on units of its own.

    Why one function: a move is chosen by one ordered list of conditions (the receiver late or
    loaded, the donor able to give without falling below the floor or becoming late, the pair not
    refused before, each unit in one move a round); split up, the order that makes it greedy would
    be hidden."""
    late = {(p, d): float(np.mean([r["late"][d] for r in reps[(p, tuple(row))]]))
            for p, row in enumerate(staff) for d in range(len(row))}
    load = {(p, d): float(np.mean([r["load"][d] for r in reps[(p, tuple(row))]]))
            for p, row in enumerate(staff) for d in range(len(row))}
    busy = {c: min(1.0, x) if x >= spec.min_receiver_load else 0.0 for c, x in load.items()}
    cells = list(late)
    # late records an added officer can reach: those of a busy department (idle officers mean
    # the records are late for another reason than the officers' time)
    gain = {c: late[c] * busy[c] / staff[c[0]][c[1]] for c in cells}
    receivers = sorted((c for c in cells if staff[c[0]][c[1]] < ceiling and gain[c] > 0),
                       key=lambda c: (-gain[c], -work[c[0]][c[1]] / staff[c[0]][c[1]], c))
    donors = sorted((c for c in cells if staff[c[0]][c[1]] > floor
                     and work[c[0]][c[1]] / (staff[c[0]][c[1]] - 1) <= KEEPS_UP),
                    key=lambda c: (late[c] / staff[c[0]][c[1]], work[c[0]][c[1]] / (staff[c[0]][c[1]] - 1), c))
    used: set[int] = set()
    out = []
    for receiver in receivers:
        if len(out) >= room:
            break
        if receiver[0] in used:
            continue
        for donor in donors:
            if donor == receiver or donor[0] in used:
                continue
            if not spec.across_levels and _level(scenario, donor[0]) != _level(scenario, receiver[0]):
                continue
            if late[donor] / staff[donor[0]][donor[1]] >= gain[receiver]:
                break  # donors are sorted: none left that is better off than this receiver
            if _state(staff, donor, receiver) in tried or (receiver, tuple(staff[receiver[0]])) in tried:
                continue
            out.append((donor, receiver))
            used.update({donor[0], receiver[0]})
            break
    return out
