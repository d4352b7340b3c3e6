"""Names that become folder names or labels (``scenario.name``, ``sweep_name``) are checked before
any folder is made: a name holding a path separator, ``..`` or a control character would put a
run folder outside ``results/`` or garble a report, so it is refused with one line naming the key."""

from __future__ import annotations

import unicodedata

from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError

NAME_KEYS = ("scenario.name", "sweep_name")  # each becomes part of a folder's name
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # reorder what a terminal shows


def check_name(key: str, value: object) -> None:
    """Refuse a name that cannot safely be part of a folder name (see the module's docstring)."""
    name = "" if value is None else str(value)
    if "/" in name or "\\" in name:
        raise ConfigError(key, f"{name!r} holds a path separator: a name is part of a folder name, not a path")
    if ".." in name:
        raise ConfigError(key, f"{name!r} holds '..': a name is part of a folder name, not a path")
    bad = next((c for c in name if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI_CONTROLS), None)
    if bad is not None:
        raise ConfigError(key, f"{name!r} holds the control character U+{ord(bad):04X}")


def check_names(cfg: DictConfig) -> None:
    """Check every name of :data:`NAME_KEYS` that ``cfg`` holds."""
    for key in NAME_KEYS:
        value = OmegaConf.select(cfg, key, default=None)
        if value is not None:
            check_name(key, value)
