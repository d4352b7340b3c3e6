"""``--help`` of the Hydra commands: the text Hydra's own ``--help`` prints, in a fraction of its time.

Hydra lists the config groups of the help page with one ``get_group_options`` call per group and
option kind, and each call deep-copies the whole config repository (the schema included): about a
hundred copies, 5–10 s of a command's ``--help``. Here one copy answers every question. The
template (``hydra.help.template``), its interpolations and ``$APP_CONFIG_GROUPS``,
``$HYDRA_CONFIG_GROUPS``, ``$FLAGS_HELP`` and ``$CONFIG`` are Hydra's; only what the template
names is computed. Nothing here imports the engines, numpy or the statistics libraries.
"""

from __future__ import annotations

import argparse
import copy
import string
from typing import Callable, Iterator

from hydra._internal.hydra import Hydra
from hydra._internal.utils import get_args_parser
from hydra.core.config_loader import ConfigLoader
from hydra.core.hydra_config import HydraConfig
from hydra.core.object_type import ObjectType
from hydra.types import RunMode
from omegaconf import OmegaConf, open_dict


def config_groups(loader: ConfigLoader) -> dict[str, list[str]]:
    """Every config group that has options, with its options sorted, as Hydra's help lists them
    (the search path without the command line's overrides), from one copy of the repository."""
    _, repo = loader._parse_overrides_and_create_caching_repo(None, [])  # type: ignore[attr-defined]

    def walk(parent: str) -> Iterator[str]:
        for group in repo.get_group_options(parent, ObjectType.GROUP):
            name = f"{parent}/{group}" if parent else group
            if repo.get_group_options(name, ObjectType.CONFIG):
                yield name
            yield from walk(name)

    return {group: sorted(repo.get_group_options(group, ObjectType.CONFIG)) for group in walk("")}


def _format_groups(groups: dict[str, list[str]], hydra_groups: bool) -> str:
    """Hydra's compact form: ``group: option, option`` a line, groups sorted."""
    chosen = [g for g in groups if (g == "hydra" or g.startswith("hydra/")) == hydra_groups]
    return "".join(f"{group}: {', '.join(groups[group])}\n" for group in sorted(chosen))


class _OnDemand(dict):
    """A mapping for :meth:`string.Template.substitute` that computes a value when it is asked for."""

    def __init__(self, makers: dict[str, Callable[[], str]]):
        super().__init__()
        self.makers = makers

    def __missing__(self, key: str) -> str:
        return self.makers[key]()


def app_help(loader: ConfigLoader, config_name: str, args: argparse.Namespace) -> str:
    """The help page of ``args`` (overrides, ``--resolve``): ``hydra.help.template`` of the config
    composed as a run of this command line would compose it."""
    cfg = loader.load_configuration(config_name=config_name, overrides=args.overrides, run_mode=RunMode.RUN,
                                    from_shell=True)
    HydraConfig.instance().set_config(cfg)
    template = cfg.hydra.help.template  # its interpolations resolved against the whole config

    def job_config() -> str:
        job = copy.deepcopy(cfg)
        with open_dict(job):
            del job["hydra"]
        return OmegaConf.to_yaml(job, resolve=args.resolve)

    groups: dict[str, list[str]] = {}

    def listed(hydra_groups: bool) -> str:
        if not groups:
            groups.update(config_groups(loader))
        return _format_groups(groups, hydra_groups)

    return string.Template(template).substitute(_OnDemand({
        "FLAGS_HELP": lambda: Hydra.format_args_help(get_args_parser()),
        "HYDRA_CONFIG_GROUPS": lambda: listed(True),
        "APP_CONFIG_GROUPS": lambda: listed(False),
        "CONFIG": job_config,
    }))
