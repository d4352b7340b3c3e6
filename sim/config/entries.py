"""Entries of the untyped mappings of the configuration (calibration parameters, observations …),
each checked against its own schema dataclass."""

from __future__ import annotations

import dataclasses

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError


def entry(schema: type, value: object, key: str) -> dict:
    """One entry of a mapping such as ``observations``, checked against its schema with the
    defaults filled in. The mappings are untyped in the schema so that an entry can be added from
    the command line (``+observations.NAME={figure: received, ...}``)."""
    if not isinstance(value, dict):
        raise ConfigError(key, f"must be a mapping of {', '.join(f.name for f in dataclasses.fields(schema))}, "
                               f"got {value!r}")
    try:
        return OmegaConf.to_container(OmegaConf.merge(OmegaConf.structured(schema), value), resolve=True)
    except OmegaConfBaseException as exc:
        inner = f"{key}.{exc.full_key}" if getattr(exc, "full_key", None) else key
        problem = str(exc).splitlines()[0]
        if "not in struct" in problem or "not in '" in problem:
            problem = f"unknown key (known: {', '.join(f.name for f in dataclasses.fields(schema))})"
        raise ConfigError(inner, problem) from None


def with_values(cfg, values: dict[str, float]):
    """A copy of the config ``cfg`` with config keys set to the given values (integers stay
    integers): a calibration candidate, or an ensemble member."""
    out = cfg.copy()
    for key, value in values.items():
        current = OmegaConf.select(out, key)
        OmegaConf.update(out, key, round(value) if isinstance(current, int) else float(value), merge=False)
    return out
