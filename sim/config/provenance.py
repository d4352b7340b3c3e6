"""What a result was made by: the simulator's version and a hash of the resolved configuration,
so an archived ``summary.json`` says which code and which settings gave it."""

from __future__ import annotations

import hashlib
import json

from omegaconf import DictConfig, OmegaConf

from sim.version import VERSION

# Keys that do not change a run's results: left out of the config hash, of a sweep job's folder
# name and of the sweep table. (sim/conf/config.yaml repeats them in override_dirname.exclude_keys.)
NOT_RESULT_KEYS = ("workers", "backend", "cluster_address", "progress", "redo", "sweep_name", "top_units")


def config_hash(cfg: DictConfig) -> str:
    """Hash of the resolved configuration, without the keys that do not change results."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    plain.pop("hydra", None)
    for key in NOT_RESULT_KEYS:
        plain.pop(key, None)
    text = json.dumps(plain, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def provenance(cfg: DictConfig) -> dict:
    """The ``provenance`` entry of summary.json."""
    return {"simulator_version": VERSION, "config_hash": config_hash(cfg)}
