"""Command-line plumbing shared by the Hydra apps: check the configuration before Hydra creates a
run folder, and report any problem as one line naming the key, with a non-zero exit."""

from __future__ import annotations

import copy
import functools
import re
import sys
from pathlib import Path
from typing import Callable

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError
from sim.config.paths import CONFIG_DIR
from sim.config.schema import register
from sim.experiments.sweep.job import register_resolvers

EXIT_BAD_INPUT = 2


def fail(message: str) -> None:
    print(f"sim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _new_entry_form(exc: BaseException) -> str | None:
    """OmegaConf cannot add an entry to a mapping of typed entries (``procedures``,
    ``structure.departments``) key by key: name the form that works, ``+MAPPING={NAME: {...}}``."""
    override = re.fullmatch(r"Error merging override \+\+?([^=]+)=(.*)", str(exc), re.S)
    cause = exc.__cause__
    if override is None or "is not a subclass of" not in str(cause) or not getattr(cause, "full_key", None):
        return None
    key, value = override.groups()
    parts = key.split(".")
    if cause.full_key not in parts[1:]:
        return None
    at = len(parts) - 1 - parts[::-1].index(cause.full_key)
    for inner in reversed(parts[at + 1:]):
        value = f"{{{inner}: {value}}}"
    mapping = ".".join(parts[:at])
    return f"{'.'.join(parts[:at + 1])}: a new entry of {mapping} is added as '+{mapping}={{{parts[at]}: {value}}}'"


def describe(exc: BaseException) -> str:
    """One line for a Hydra or OmegaConf composition error: the key and the problem."""
    if isinstance(exc, ConfigError):
        return str(exc)
    new_entry = _new_entry_form(exc)
    if new_entry:
        return new_entry
    cause = exc.__cause__ if isinstance(exc.__cause__, OmegaConfBaseException) else exc
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        first = str(cause).splitlines()[0]
        if "not in struct" in first or "not in '" in first:
            first = f"unknown key (misspelt? a new entry of a mapping is added with +{cause.full_key}=...)"
        return f"{cause.full_key}: {first}"
    if isinstance(exc, MissingConfigException):
        text = str(exc).split("Config search path")[0]
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        head = lines[0].replace("In 'config': ", "")
        options = ", ".join(lines[2:]) if len(lines) > 2 else ""
        return f"{head}" + (f" (available: {options})" if options else "")
    return " ".join(str(exc).split("See https://")[0].split())


MULTIRUN_FLAGS = ("-m", "--multirun")
NOT_A_RUN_FLAGS = ("--help", "-h", "--hydra-help", "--info", "--cfg", "-c", "--shell-completion")


def _plain_overrides(argv: list[str]) -> list[str] | None:
    """Overrides to check in advance, or None when the command line does not run anything."""
    if any(a in NOT_A_RUN_FLAGS or a.startswith("--cfg") or a.startswith("--info") for a in argv):
        return None
    overrides = [a for a in argv if not a.startswith("-")]
    return [a for a in overrides if not a.lstrip("+~").startswith("hydra")]


def _check_sweep(config_name: str, overrides: list[str]) -> None:
    """Try every value of every swept key once (not every combination): enough to find a misspelt
    key or a value of the wrong type before a sweep starts. The values' own checks (ranges, known
    units …) are left to each job, which then fails alone."""
    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed, swept = [], []
    for text, override in zip(overrides, parsed):
        if not override.is_sweep_override():
            fixed.append(text)
            continue
        try:
            values = list(override.sweep_string_iterator())
        except HydraException:  # glob() needs Hydra's config loader: Hydra checks it itself
            continue
        swept.append([f"{override.get_key_element()}={value}" for value in values])  # as Hydra spells jobs
    first = [values[0] for values in swept if values]
    cfg = compose(config_name, overrides=fixed + first)
    for k, values in enumerate(swept):
        for text in values[1:]:
            override = OverridesParser.create().parse_override(text)
            if override.is_add() or override.is_delete() or (Path(CONFIG_DIR) / override.key_or_group).is_dir():
                compose(config_name, overrides=fixed + first[:k] + [text] + first[k + 1:])  # a config group
            else:  # a plain value: typed and known key, checked against the schema without composing again
                OmegaConf.update(copy.deepcopy(cfg), override.key_or_group, override.value(), merge=True)


def check_command_line(config_name: str, validate: Callable[[DictConfig], object], argv: list[str]) -> None:
    """Compose the config as Hydra will and validate it; stop with one line if anything is wrong.
    For a sweep, compose every swept value once; invalid values fail their own job only."""
    overrides = _plain_overrides(argv)
    if overrides is None:
        return
    register()
    multirun = any(a in MULTIRUN_FLAGS for a in argv)
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            if multirun:
                _check_sweep(config_name, overrides)
            else:
                validate(compose(config_name, overrides=overrides))
    except (ConfigError, HydraException, OmegaConfBaseException) as exc:
        fail(describe(exc))
    finally:
        GlobalHydra.instance().clear()


def hydra_command(validate: Callable[[DictConfig], object]):
    """Make ``body(cfg, checked, folder)`` a command: ``main()`` checks the command line first,
    then Hydra composes the config and creates the run folder, ``validate(cfg)`` gives ``checked``
    (or one error line), and ``body`` does the work in ``folder``. In a sweep (``-m``) each job runs
    through :func:`sim.experiments.sweep.job.run_sweep_job`."""

    def wrap(body: Callable[[DictConfig, object, Path], None]) -> Callable[[], None]:
        register()
        register_resolvers()

        @functools.wraps(body)  # Hydra names the job (and its log) after the body's module
        def task(cfg: DictConfig) -> str | None:
            hydra_cfg = HydraConfig.get()
            if hydra_cfg.mode == RunMode.MULTIRUN:  # a job of a sweep: failures are recorded, not raised
                from sim.experiments.sweep.job import run_sweep_job

                return run_sweep_job(cfg, validate, body, Path(hydra_cfg.runtime.output_dir), hydra_cfg)
            try:
                checked = validate(cfg)
            except ConfigError as exc:
                fail(describe(exc))
            body(cfg, checked, Path(HydraConfig.get().runtime.output_dir))

        app = hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")(task)

        def main() -> None:
            check_command_line("config", validate, sys.argv[1:])
            app()

        return main

    return wrap
