"""Organisational structures: which department owns which administrative field."""

from __future__ import annotations

from dataclasses import dataclass


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

    @property
    def department_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.departments)

    def owner_of(self) -> dict[str, int]:
        """Field -> index of the department that owns it."""
        return {f: k for k, d in enumerate(self.departments) for f in d.fields}
