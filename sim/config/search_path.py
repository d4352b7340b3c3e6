"""Where configs are looked up by name: Hydra's config search path, i.e. the package's ``sim/conf``
and any folder a user adds with ``--config-dir DIR`` or ``hydra.searchpath=[file://DIR]``.

Hydra itself finds the options of config groups (``structure=NAME``). A few configs are named
inside other configs instead (a structure's ``otherwise``, the list ``compare.structures``); they are
loaded here from the same search path, so a user's own structure can be named there too."""

from __future__ import annotations

from hydra._internal.config_repository import ConfigRepository
from hydra._internal.config_search_path_impl import ConfigSearchPathImpl
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config.paths import CONFIG_DIR


def search_path() -> list[tuple[str, str]]:
    """(provider, path) of every config source: those of the Hydra run in progress (as Hydra records
    them in ``hydra.runtime.config_sources``), otherwise the package's own configs."""
    if HydraConfig.initialized():
        return [(s.provider, f"{s.schema}://{s.path}") for s in HydraConfig.get().runtime.config_sources]
    return [("main", f"file://{CONFIG_DIR}")]


def _repository() -> ConfigRepository:
    path = ConfigSearchPathImpl()
    for provider, where in search_path():
        path.append(provider, where)
    return ConfigRepository(path)


def load_option(group: str, name: str) -> tuple[DictConfig, str] | None:
    """Config ``group/name`` and the source it came from (the first on the search path that has
    it), or None. A file that is not valid YAML raises the YAML parser's error."""
    repository = _repository()
    result = repository.load_config(f"{group}/{name}")
    if result is None:
        return None
    folder = result.path.removeprefix("file://")
    return result.config, f"{folder}/{group}/{name}.yaml"


def group_options(group: str) -> list[str]:
    """The names of the options of a config group, on the whole search path."""
    return sorted(set(_repository().get_group_options(group)))
