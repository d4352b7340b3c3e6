"""Organisational structures: which department owns which administrative field, who leads each
department, and how a unit's staff are spread over its departments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.model.departments import DepartmentMechanisms
from sim.registry import Registry

DECREE_150_DEPARTMENTS = 3  # Decree 150/2025: three specialised departments in every unit


@dataclass(frozen=True)
class Department:
    name: str
    label: str
    fields: tuple[str, ...]
    staff_weight: float


@dataclass(frozen=True)
class Structure:
    name: str
    description: str
    departments: tuple[Department, ...]
    kinds: tuple[str, ...] = ("ward", "commune")  # units this structure applies to ...
    min_population: int = 0  # ... and from which population
    otherwise: "Structure | None" = None  # the structure of the other units
    description_vi: str = ""  # the description in Vietnamese ("" where none is given)

    def described(self, language: str) -> str:
        """The structure in words, in ``language`` where it has them (else English, else its name)."""
        return (self.description_vi if language == "vi" and self.description_vi else self.description) or self.name

    @property
    def department_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.departments)

    def owner_of(self) -> dict[str, int]:
        """Field -> index of the department that owns it."""
        return {f: k for k, d in enumerate(self.departments) for f in d.fields}

    def chain(self) -> tuple["Structure", ...]:
        """This structure, then its ``otherwise`` and so on; the last is the base (Decree 150)."""
        return (self,) + (self.otherwise.chain() if self.otherwise else ())

    def for_unit(self, kind: str, population: int) -> "Structure":
        """The structure a unit of this kind and population works under."""
        if kind in self.kinds and population >= self.min_population:
            return self
        return self.otherwise.for_unit(kind, population) if self.otherwise else self


@dataclass(frozen=True)
class Organisation:
    """One unit's departments, their staff and leaders, and how records reach the staff."""

    structure: Structure
    procedure_department: np.ndarray  # procedure -> department index
    staff: tuple[int, ...]  # processing officers per department
    approvers: tuple[int, ...]  # head + deputies per department
    effort_factor: tuple[float, ...]  # breadth penalty per department
    pool_staff: tuple[int, ...]  # officers per work pool (a department, or a field of it)
    pool_department: tuple[int, ...]  # pool -> department
    procedure_pool: np.ndarray  # procedure -> pool
    mechanisms: DepartmentMechanisms = DepartmentMechanisms()  # rework, the head's span, borrowing (all off by default)

    @property
    def rework_share(self) -> tuple[float, ...]:
        """Per department, the probability a record is returned for correction (``staff.rework``)."""
        return tuple(self.mechanisms.rework.share(len(d.fields)) for d in self.structure.departments)

    @property
    def borrows(self) -> bool:
        """Whether officers may help another department's records (``staff.borrow``): a share and
        two departments at least."""
        return self.mechanisms.borrow.share > 0 and len(set(self.pool_department)) > 1

    @property
    def approval_factor(self) -> tuple[float, ...]:
        """Per department, approval minutes per catalogued minute: the head's span (``staff.span``)."""
        return tuple(self.mechanisms.span.factor(len(d.fields), n, a)
                     for d, n, a in zip(self.structure.departments, self.staff, self.approvers))


def split_by_weight(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """Largest-remainder split of ``total`` over weights, at least ``minimum`` each."""
    n = len(weights)
    total = max(total, minimum * n)
    w = np.asarray(weights, dtype=float)
    spare = total - minimum * n
    raw = spare * w / w.sum() if w.sum() > 0 else np.full(n, spare / n)
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    return (counts + minimum).tolist()


def split_with_floor(total: int, weights: list[float], minimum: int | list[int] = 1) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``, where a share that would
    fall below its ``minimum`` (one number for all, or one each) is raised to it and the rest is
    shared among the others in proportion; a share above its minimum stays proportional (unlike
    :func:`split_by_weight`, which gives the minimum first and shares only the spare).

    The shares sum to ``total``, or to the sum of the minimums if that is larger."""
    n = len(weights)
    floor = np.broadcast_to(np.asarray(minimum, dtype=int), (n,)).copy()
    total = max(int(total), int(floor.sum()))
    w = np.asarray(weights, dtype=float)
    raised = np.zeros(n, dtype=bool)
    while True:  # raise every share below its minimum, until the proportional rest fits
        free = ~raised
        rest = total - floor[raised].sum()
        if w[free].sum() <= 0:
            counts = floor.copy()  # no weight left: the rest evenly, each at least its minimum
            if free.any():
                counts[free] += split_by_weight(rest - int(floor[free].sum()), [1.0] * int(free.sum()), 0)
            break
        raw = np.where(free, rest * w / w[free].sum(), floor)
        below = free & (raw < floor)
        if not below.any():
            counts = np.where(free, np.floor(raw), floor).astype(int)
            remainder = np.where(free, raw - counts, -1.0)
            order = np.argsort(-remainder, kind="stable")
            counts[order[: total - counts.sum()]] += 1
            break
        raised |= below
    return counts.tolist()


# How a department the base structure does not have finds its head (``staff.policy``): each
# policy gives the department's processing officers from the number it is allotted.
STAFFING_POLICIES: Registry[Callable[[int], int]] = Registry("staffing policy")


@STAFFING_POLICIES.register("same_headcount")
def head_from_own_officers(officers: int) -> int:
    """The unit's headcount stays: one of the department's officers becomes its head (one remains)."""
    return max(1, officers - 1)


@STAFFING_POLICIES.register("extra_head")
def head_added(officers: int) -> int:
    """The head is a new post: the department keeps all its officers."""
    return officers


def department_staff(structure: Structure, total: int, policy: str,
                     workload: Callable[[Department], float] | None = None, minimum: int = 1) -> list[int]:
    """Processing officers per department when a unit moves from its base structure (the end of
    the ``otherwise`` chain, Decree 150) to ``structure``.

    The base departments share ``total`` by their ``staff_weight`` (:func:`split_by_weight`, one
    each first) or, given ``workload`` (a department's expected staff minutes), in proportion to
    it with at least ``minimum`` each (:func:`split_with_floor`). Departments the base has
    unchanged (same name, same fields) keep their officers; the others share the officers of the
    base departments they replace, the same way. Each department the base does not have then finds
    its head as the staffing ``policy`` says (:data:`STAFFING_POLICIES`).
    """
    def split(n: int, departments: tuple[Department, ...] | list[Department]) -> list[int]:
        if workload is None:
            return split_by_weight(n, [d.staff_weight for d in departments])
        return split_with_floor(n, [workload(d) for d in departments], minimum)

    base = structure.chain()[-1]
    base_staff = dict(zip(base.department_names, split(total, base.departments)))
    if base is structure:
        return [base_staff[d.name] for d in structure.departments]
    return staff_moved(structure, base, base_staff, policy, split)


def staff_moved(structure: Structure, base: Structure, base_staff: dict[str, int], policy: str,
                split: Callable[[int, list[Department]], list[int]]) -> list[int]:
    """Processing officers per department of ``structure`` from ``base_staff``, the officers per
    department of ``base``: departments the base has unchanged (same name, same fields) keep
    theirs, the others share by ``split`` the officers of the base departments they replace, and
    each department the base does not have finds its head as the staffing ``policy`` says. The one
    rule for a run's officers (:func:`department_staff`) and a structure plan's
    (:func:`sim.experiments.structure_plan.staff_under`)."""
    unchanged = {d.name for d in structure.departments if d in base.departments}
    changed = [d for d in structure.departments if d.name not in unchanged]
    shared = split(sum(n for name, n in base_staff.items() if name not in unchanged), changed) if changed else []
    staff = dict(zip((d.name for d in changed), shared))
    find_head = STAFFING_POLICIES.get(policy)
    for d in changed:
        if d.name not in base_staff:
            staff[d.name] = find_head(staff[d.name])
    return [base_staff[d.name] if d.name in unchanged else staff[d.name] for d in structure.departments]


def positions_added(structure: Structure, processing: list[int], total: int) -> int:
    """Positions a unit's ``structure`` adds over its base (the end of its ``otherwise`` chain,
    Decree 150) when the base would have ``total`` processing officers and the structure has
    ``processing`` (:func:`department_staff`): a head for each department the base lacks, and the
    officers the staffing policy keeps beside them. Deputies are shared among the departments,
    never added."""
    return sum(processing) - total + len(structure.departments) - len(structure.chain()[-1].departments)


def organise(structure: Structure, processing_staff: list[int], deputies_per_department: int,
             breadth_penalty: float, pooling: bool, procedure_fields: list[str],
             field_workload: dict[str, float],
             mechanisms: DepartmentMechanisms = DepartmentMechanisms()) -> Organisation:
    """Staff and lead one unit's departments.

    ``processing_staff`` gives the processing officers per department (see
    :func:`department_staff`). Each department has a head; the deputies of the three Decree 150
    departments are shared among the departments by weight.
    ``field_workload`` (expected effort per field) spreads a department's officers over its fields
    when ``pooling`` is off, one officer at least for each field that has procedures.
    ``mechanisms`` (:mod:`sim.model.departments`) are kept with the departments they act on.
    """
    departments = structure.departments
    weights = [d.staff_weight for d in departments]
    staff = list(processing_staff)
    deputies = split_by_weight(deputies_per_department * DECREE_150_DEPARTMENTS, weights, minimum=0)
    owner = structure.owner_of()
    procedure_department = np.array([owner[f] for f in procedure_fields], dtype=np.int64)

    pool_staff, pool_department, field_pool = [], [], {}
    for d, dept in enumerate(departments):
        worked = [f for f in dept.fields if f in procedure_fields]
        if pooling or len(worked) <= 1:
            for f in dept.fields:
                field_pool[f] = len(pool_staff)
            pool_staff.append(staff[d])
            pool_department.append(d)
            continue
        for f, n in zip(worked, split_by_weight(staff[d], [field_workload.get(f, 0.0) for f in worked])):
            field_pool[f] = len(pool_staff)
            pool_staff.append(n)
            pool_department.append(d)
        staff[d] = sum(pool_staff[field_pool[f]] for f in worked)

    return Organisation(
        structure=structure,
        procedure_department=procedure_department,
        staff=tuple(staff),
        approvers=tuple(1 + k for k in deputies),
        effort_factor=tuple(1 + breadth_penalty * (len(d.fields) - 1) for d in departments),
        pool_staff=tuple(pool_staff),
        pool_department=tuple(pool_department),
        procedure_pool=np.array([field_pool[f] for f in procedure_fields], dtype=np.int64),
        mechanisms=mechanisms,
    )
