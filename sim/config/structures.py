"""``structure``: a unit's departments and the structure of the units it does not apply to
(``otherwise``), with its Decree 307 class scoring, checked (:mod:`sim.config.build`); structures
named by other settings are loaded from the config search path."""

from __future__ import annotations

import math

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError

from sim.model.city import KINDS
from sim.errors import ConfigError
from sim.config.search_path import group_options, load_option
from sim.config.schema import StructureConfig
from sim.model.structures import Department, Structure
from sim.config.checks import MAX_CITY_POSITIONS, MAX_WEIGHT, _at_least, _choice, _positive


def _classes(c: dict, prefix: str) -> None:
    """Decree 307 class scoring (sim.model.unit_class): finite points and levels, a positive step,
    thresholds in order."""
    for kind in KINDS:
        for criterion in ("population", "area"):
            section, key = c[kind][criterion], f"{prefix}{kind}.{criterion}."
            for name in ("base", "base_points", "step_points"):
                _at_least(section, name, 0, key)
            _positive(section, "step", key, math.inf)
            _at_least(section, "max_points", section["base_points"], key)
        _at_least(c[kind], "other_points", 0, f"{prefix}{kind}.", 100)
    _at_least(c, "class_ii_points", 0, prefix, 100)
    _at_least(c, "class_i_points", c["class_ii_points"], prefix, 100)
    _at_least(c, "special_points", c["class_i_points"], prefix, 1000)


def _structure(c: dict, key: str, seen: tuple[str, ...] = ()) -> Structure:
    """A structure and, through ``otherwise``, the structure of the units it does not apply to."""
    departments = _departments(c["departments"], f"{key}.departments")
    applies = c["applies_to"]
    for k, kind in enumerate(applies["kinds"]):
        _choice(kind, f"{key}.applies_to.kinds[{k}]", KINDS)
    _at_least(applies, "min_population", 0, f"{key}.applies_to.")
    _at_least(c, "max_average_units", 1, f"{key}.")
    if c.get("max_added_positions") is not None:
        _at_least(c, "max_added_positions", 0, f"{key}.", MAX_CITY_POSITIONS)
    otherwise = None
    if c["otherwise"]:
        if c["otherwise"] in seen + (c["name"],):
            raise ConfigError(f"{key}.otherwise", f"structure {c['otherwise']!r} refers back to itself")
        otherwise = _structure(load_structure_config(c["otherwise"], f"{key}.otherwise"), f"{key}.otherwise",
                               seen + (c["name"],))
    elif set(applies["kinds"]) != set(KINDS) or applies["min_population"] > 0:
        raise ConfigError(f"{key}.otherwise", "name the structure of the units this one does not apply to")
    return Structure(str(c["name"]), str(c["description"]), tuple(departments), tuple(applies["kinds"]),
                     int(applies["min_population"]), otherwise, str(c.get("description_vi") or ""))


def _departments(c: dict, key: str) -> list[Department]:
    """Departments, each owning at least one field and no field owned twice."""
    if not c:
        raise ConfigError(key, "the structure has no departments")
    departments, owners = [], {}
    for name, d in c.items():
        dept_key = f"{key}.{name}"
        if not d["fields"]:
            raise ConfigError(f"{dept_key}.fields", "a department must own at least one field")
        for f in d["fields"]:
            if f in owners:
                raise ConfigError(f"{dept_key}.fields", f"field {f!r} is already owned by department {owners[f]!r}")
            owners[f] = name
        _positive(d, "staff_weight", f"{dept_key}.", MAX_WEIGHT)
        departments.append(Department(name, d["label"] or name, tuple(d["fields"]), float(d["staff_weight"])))
    return departments


def load_structure_config(name: str, key: str) -> dict:
    """Structure ``structure/NAME.yaml`` from the config search path (the package's ``sim/conf``,
    then any user folder added with ``--config-dir`` or ``hydra.searchpath``), checked against the schema."""
    try:
        found = load_option("structure", name)
    except (YAMLError, OmegaConfBaseException) as exc:
        raise ConfigError(key, f"structure/{name}.yaml: {str(exc).splitlines()[0]}") from None
    if found is None:
        known = ", ".join(group_options("structure"))
        raise ConfigError(key, f"unknown structure {name!r} (available: {known})")
    config, where = found
    try:
        merged = OmegaConf.merge(OmegaConf.structured(StructureConfig), config)
    except OmegaConfBaseException as exc:
        raise ConfigError(key, f"{where}: {str(exc).splitlines()[0]}") from None
    return OmegaConf.to_container(merged, resolve=True)
