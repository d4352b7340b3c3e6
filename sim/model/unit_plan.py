"""One unit's plan from its officers and counters: the one place a :class:`UnitPlan` is made.

A run's config builder (:mod:`sim.config.build`), a recommendation's candidates
(:meth:`sim.experiments.recommendation.Planner.apply`), the fixed budget's moves (through the
planner) and the structure plans (through the config builder's per-unit counts) all make their
plans with :meth:`PlanBuilder.plan`, so the same counts give the same plan wherever they are tried
(issues 20 and 24: a Centre branch once got counters (1, 8, 1, 1) from a recommendation and
(1, 7, 2, 1) from a run of its overrides).
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from sim.model.catalogue import ChannelMix, Procedure
from sim.model.city import CENTRE_KIND, Unit
from sim.model.counters import group_split
from sim.model.departments import DepartmentMechanisms
from sim.model.scenario import DeskPolicy, UnitPlan
from sim.model.staffing import field_effort
from sim.model.structures import Organisation, Structure, organise


@dataclass(frozen=True)
class PlanBuilder:
    """The city-wide settings a unit's plan is made with: how its departments are led and pooled
    (``staff.*``, as :func:`~sim.model.structures.organise` takes them), the officers' other duties
    and desk rota, and the counter groups with their split rule (``desks.groups``; none: pooled)."""

    procedures: tuple[Procedure, ...]
    deputies: int = 0  # staff.deputies_per_department
    breadth_penalty: float = 0.0  # staff.breadth_penalty
    pooling: bool = True  # staff.pooling
    mechanisms: DepartmentMechanisms = DepartmentMechanisms()  # staff.rework, staff.span
    other_duties_share: float = 0.0  # staff.other_duties_share
    desk_rota_share: float = 0.0  # staff.desk_rota_share (units only: a Centre branch's counters have their own staff)
    # Counter groups: the desk policy, each procedure's group (() = one pooled group), each node
    # kind's mix and share of multi-day records waiting for papers (what the split rule weighs).
    desk_policy: DeskPolicy | None = None
    procedure_desk_group: tuple[int, ...] = ()
    mixes: Mapping[str, ChannelMix] = field(default_factory=dict)
    papers_share: Mapping[str, float] = field(default_factory=dict)

    @property
    def grouped(self) -> bool:
        return bool(self.procedure_desk_group)

    def with_groups(self, policy: DeskPolicy, of_procedure: tuple[int, ...], mixes: Mapping[str, ChannelMix],
                    papers_share: Mapping[str, float]) -> "PlanBuilder":
        """This builder with the counter groups (known once the desk policy and the mixes are)."""
        return dataclasses.replace(self, desk_policy=policy, procedure_desk_group=tuple(of_procedure),
                                   mixes=dict(mixes), papers_share=dict(papers_share))

    def counters(self, total: int, kind: str) -> tuple[int, ...]:
        """``total`` counters of a node of ``kind`` over the counter groups by the split rule
        (:func:`~sim.model.counters.group_split`); ``(total,)`` when the counters are pooled."""
        if not self.grouped:
            return (int(total),)
        return group_split(int(total), self.procedures, self.mixes[kind], self.desk_policy,
                           self.procedure_desk_group, self.papers_share.get(kind, 0.0))

    def organisation(self, structure: Structure, officers: Sequence[int], kind: str) -> Organisation:
        """A unit's departments under ``structure`` with ``officers`` processing officers each."""
        return organise(structure, [int(n) for n in officers], self.deputies, self.breadth_penalty, self.pooling,
                        [p.field for p in self.procedures], field_effort(self.procedures, kind), self.mechanisms)

    def plan(self, unit: Unit, structure: Structure, officers: Sequence[int], counters: int | Sequence[int],
             records_per_day: float, intake_per_day: int = 0) -> UnitPlan:
        """``unit``'s plan: ``officers`` per department of ``structure``, and ``counters`` either a
        total (split over the groups by the rule) or one count per counter group."""
        if isinstance(counters, numbers.Integral):
            counts = self.counters(int(counters), unit.kind)
        else:
            counts = tuple(int(n) for n in counters)
            if not self.grouped and len(counts) != 1:
                raise ValueError(f"{unit.slug}: {len(counts)} counter counts, but the counters are pooled")
        return UnitPlan(unit, sum(counts), self.organisation(structure, officers, unit.kind), records_per_day,
                        desks_by_group=counts if self.grouped else (), intake_per_day=int(intake_per_day),
                        other_duties_share=self.other_duties_share,
                        desk_rota_share=0.0 if unit.kind == CENTRE_KIND else self.desk_rota_share)

    def replan(self, plan: UnitPlan, officers: Sequence[int] | None = None,
               counters: int | Sequence[int] | None = None, intake_per_day: int | None = None) -> UnitPlan:
        """``plan`` with other officers, counters or land intake (None: its own), made afresh by :meth:`plan`."""
        return self.plan(plan.unit, plan.organisation.structure, plan.staff if officers is None else officers,
                         (plan.desks_by_group or plan.desks) if counters is None else counters, plan.records_per_day,
                         plan.intake_per_day if intake_per_day is None else intake_per_day)


def plan_builder(staff: Mapping, procedures: tuple[Procedure, ...],
                 mechanisms: DepartmentMechanisms = DepartmentMechanisms()) -> PlanBuilder:
    """The builder of a run's ``staff`` section (already checked); counter groups come later
    (:meth:`PlanBuilder.with_groups`)."""
    return PlanBuilder(tuple(procedures), int(staff["deputies_per_department"]), float(staff["breadth_penalty"]),
                       bool(staff["pooling"]), mechanisms, float(staff["other_duties_share"]),
                       float(staff["desk_rota_share"]))
