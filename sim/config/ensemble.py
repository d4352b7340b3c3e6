"""An ensemble file: the parameter sets the ensemble calibration left plausible, with where they
came from (:mod:`sim.experiments.ensemble` writes it; every command takes it as ``ensemble.path``).

The file is YAML::

    ensemble:
      name: hanoi_2025
      provenance: {command: ..., created: ..., version: ..., seed: ..., ...}
      parameters:                      # what each member sets, and the range it was drawn from
        effort_scale: {key: scenario.effort_scale, low: 0.5, high: 3.0, description: ..., source: ...}
      members:                         # one parameter set each, by parameter name
        - {effort_scale: 1.3, ...}

Reading it checks everything before anything runs: a missing, truncated or non-YAML file, a
parameter that is not a numeric setting of the model, a member with a value missing, outside its
range or not finite, each stops with one :class:`~sim.errors.ConfigError` naming the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from sim.config.entries import with_values
from sim.errors import ConfigError

KEY = "ensemble.path"
PACKAGED = Path(__file__).resolve().parents[1] / "data" / "ensembles"  # ensemble.path=NAME: a shipped file
MAX_MEMBERS = 10_000
MAX_FILE_BYTES = 50 * 2**20  # an ensemble file is parameters and provenance: tens of kilobytes


@dataclass(frozen=True)
class EnsembleParameter:
    name: str
    key: str  # the config key a member sets
    low: float
    high: float
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Ensemble:
    """Parameter sets, each a member; member k sets ``members[k][name]`` at ``parameters[name].key``."""

    name: str
    path: str
    parameters: tuple[EnsembleParameter, ...]
    members: tuple[dict[str, float], ...]
    provenance: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)  # config key -> value every member runs with (the fit's mechanisms)
    # what the calibration saw of each member: targets, patterns and the officers' load (may be empty)
    fit: tuple[dict, ...] = ()

    def overrides(self, k: int) -> dict[str, float]:
        """Config key -> value for member ``k``."""
        return {p.key: self.members[k][p.name] for p in self.parameters}

    def central(self) -> int:
        """The index of the central member (:func:`central_index`): the default scenario's point answer."""
        return central_index([[m[p.name] for p in self.parameters] for m in self.members],
                             [p.low for p in self.parameters], [p.high for p in self.parameters])


def central_index(values, lows, highs) -> int:
    """The member nearest the members' median, each parameter scaled to its range (L1 distance):
    the one rule for the point answer an ensemble stands behind. ``values``: one row per member."""
    import numpy as np

    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    scaled = (np.asarray(values, dtype=float) - lows) / (highs - lows)
    return int(np.argmin(np.abs(scaled - np.median(scaled, axis=0)).sum(axis=1)))


def resolve(path: str) -> Path:
    """A shipped ensemble by name (``sim/data/ensembles/NAME.yaml``), else a path from the current folder."""
    candidate = PACKAGED / f"{path}.yaml"
    if "/" not in path and not path.endswith((".yaml", ".yml")) and candidate.is_file():
        return candidate
    return Path(path)


def shipped() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in PACKAGED.glob("*.yaml"))) if PACKAGED.is_dir() else ()


def load_ensemble(path: str, cfg: DictConfig | None = None) -> Ensemble:
    """Read and check an ensemble file; with ``cfg``, also that every parameter is a numeric setting of it.

    Why one function: each check is one guard clause naming the file and the problem, in the order a
    reader of the file meets them (file, size, YAML, sections, settings, parameters, members); split,
    the order of the guards would be spread over several places."""
    file = resolve(path)
    where = path if str(file) == path else f"{path} ({file})"
    if not file.is_file():
        names = ", ".join(shipped()) or "none"
        raise ConfigError(KEY, f"{where}: no such file (shipped ensembles: {names})")
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(KEY, f"{where}: {file.stat().st_size:,} bytes, more than an ensemble file can be "
                                   f"({MAX_FILE_BYTES // 2**20} MB)")
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(KEY, f"{where}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(KEY, f"{where}: not valid YAML{at} (a truncated or damaged file?)") from None
    except OSError as exc:
        raise ConfigError(KEY, f"{where}: cannot be read ({exc.strerror or exc})") from None
    body = data.get("ensemble") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise ConfigError(KEY, f"{where}: no 'ensemble' mapping at the top (is it an ensemble file?)")
    for section, kind in (("parameters", dict), ("members", list)):
        if not isinstance(body.get(section), kind) or not body[section]:
            raise ConfigError(KEY, f"{where}: 'ensemble.{section}' is missing or empty")
    unknown = sorted(set(body) - {"name", "provenance", "settings", "parameters", "members", "fit", "spread", "reported"})
    if unknown:
        raise ConfigError(KEY, f"{where}: unknown section 'ensemble.{unknown[0]}' (known: name, provenance, settings, "
                               "parameters, members, fit, spread, reported)")
    settings = body.get("settings") or {}
    if not isinstance(settings, dict):
        raise ConfigError(KEY, f"{where}: 'ensemble.settings' must map config keys to values")
    if cfg is not None:
        for key in settings:
            if OmegaConf.select(cfg, str(key), default="not set") == "not set":
                raise ConfigError(KEY, f"{where}: setting {key!r} is not a setting of the model")
    parameters = tuple(_parameter(name, raw, where, cfg) for name, raw in body["parameters"].items())
    if len(body["members"]) > MAX_MEMBERS:
        raise ConfigError(KEY, f"{where}: {len(body['members']):,} members, at most {MAX_MEMBERS:,}")
    members = tuple(_member(k, raw, parameters, where) for k, raw in enumerate(body["members"]))
    fit = body.get("fit") or []
    if not isinstance(fit, list) or (fit and len(fit) != len(members)):
        raise ConfigError(KEY, f"{where}: 'ensemble.fit' must list one entry per member")
    return Ensemble(str(body.get("name") or file.stem), str(file), parameters, members,
                    dict(body.get("provenance") or {}), dict(settings), tuple(fit))


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(KEY, f"{where}: {what} is {value!r}, not a number")
    if not math.isfinite(value):
        raise ConfigError(KEY, f"{where}: {what} is {value}, not a finite number")
    return float(value)


def _parameter(name: str, raw: Any, where: str, cfg: DictConfig | None) -> EnsembleParameter:
    at = f"parameter {name!r}"
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
        raise ConfigError(KEY, f"{where}: {at} needs a mapping with key, low and high")
    unknown = sorted(set(raw) - {"key", "low", "high", "description", "source"})
    if unknown:
        raise ConfigError(KEY, f"{where}: {at}: unknown field {unknown[0]!r} (known: key, low, high, description, source)")
    low, high = _number(raw.get("low"), f"{at}'s low", where), _number(raw.get("high"), f"{at}'s high", where)
    if not low < high:
        raise ConfigError(KEY, f"{where}: {at}: low {low:g} is not below high {high:g}")
    if cfg is not None:
        value = OmegaConf.select(cfg, raw["key"], default=None)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(KEY, f"{where}: {at}: {raw['key']!r} is not a numeric setting of the model")
    return EnsembleParameter(name, raw["key"], low, high, str(raw.get("description", "")), str(raw.get("source", "")))


def _member(k: int, raw: Any, parameters: tuple[EnsembleParameter, ...], where: str) -> dict[str, float]:
    at = f"member {k}"
    if not isinstance(raw, dict):
        raise ConfigError(KEY, f"{where}: {at} is not a mapping of parameter values")
    names = {p.name for p in parameters}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ConfigError(KEY, f"{where}: {at}: unknown parameter {unknown[0]!r} (parameters: {', '.join(sorted(names))})")
    out = {}
    for p in parameters:
        if p.name not in raw:
            raise ConfigError(KEY, f"{where}: {at} gives no value of {p.name!r}")
        value = _number(raw[p.name], f"{at}'s {p.name}", where)
        if not p.low <= value <= p.high:
            raise ConfigError(KEY, f"{where}: {at}'s {p.name} = {value:g} is outside its range [{p.low:g}, {p.high:g}]")
        out[p.name] = value
    return out


def member_configs(cfg: DictConfig, ensemble: Ensemble) -> list[DictConfig]:
    """``cfg`` once per member: the ensemble's settings, then the member's values (integers stay integers)."""
    base = cfg.copy()
    for key, value in ensemble.settings.items():
        OmegaConf.update(base, key, value, merge=False)
    return [with_values(base, ensemble.overrides(k)) for k in range(len(ensemble.members))]
