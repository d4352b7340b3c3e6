"""A validated scenario as plain data: what the engine and the runner need, nothing from Hydra."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.calendar import CalendarSpec
from sim.catalogue import ChannelMix, Distribution, Procedure
from sim.city import Unit
from sim.structures import Structure


@dataclass(frozen=True)
class UnitPlan:
    """One unit with the resources the scenario gives it."""

    unit: Unit
    desks: int
    staff: tuple[int, ...]  # processing staff per department, in structure order
    records_per_day: float  # expected records a calendar day, all channels


@dataclass(frozen=True)
class DeskPolicy:
    closing: str  # "overtime" or "return_next_day"
    reneging: bool
    patience_minutes: Distribution
    return_probability: float
    wait_target_minutes: float


@dataclass(frozen=True)
class BackOfficePolicy:
    enabled: bool
    order: str  # "fifo" or "edf"
    approvers_per_department: int
    approval_minutes: Distribution


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    replications: int
    workers: int
    start: dt.date
    end: dt.date
    calendar: CalendarSpec
    procedures: tuple[Procedure, ...]
    mixes: dict[str, ChannelMix]  # unit kind -> procedure and channel mix
    structure: Structure
    procedure_department: np.ndarray  # procedure index -> department index
    units: tuple[UnitPlan, ...]
    desk_policy: DeskPolicy
    back_office: BackOfficePolicy
    supplement_share: float  # share of multi-day records waiting for missing papers
    supplement_wait_wd: Distribution  # how long the citizen takes, working days
    weekday_weights: tuple[float, ...]  # Monday..Sunday
    hour_weights: tuple[float, ...]  # clock hours 0..23

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
