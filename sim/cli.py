"""Command-line plumbing shared by the Hydra apps: check the configuration before Hydra creates a
run folder, and report any problem as one line naming the key, with a non-zero exit."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError
from sim.paths import CONFIG_DIR
from sim.schema import register

EXIT_BAD_INPUT = 2


def fail(message: str) -> None:
    print(f"sim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def describe(exc: BaseException) -> str:
    """One line for a Hydra or OmegaConf composition error: the key and the problem."""
    if isinstance(exc, ConfigError):
        return str(exc)
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


def _plain_overrides(argv: list[str]) -> list[str] | None:
    """Overrides to check in advance, or None when the command line is not a single plain run."""
    if any(a in ("-m", "--multirun", "--help", "-h", "--hydra-help", "--info", "--cfg", "-c", "--shell-completion")
           or a.startswith("--cfg") or a.startswith("--info") for a in argv):
        return None
    overrides = [a for a in argv if not a.startswith("-")]
    return [a for a in overrides if not a.lstrip("+~").startswith("hydra")]


def check_command_line(config_name: str, validate: Callable[[DictConfig], object], argv: list[str]) -> None:
    """Compose the config as Hydra will and validate it; stop with one line if anything is wrong."""
    overrides = _plain_overrides(argv)
    if overrides is None:
        return
    register()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            cfg = compose(config_name, overrides=overrides)
        validate(cfg)
    except (ConfigError, HydraException, OmegaConfBaseException) as exc:
        fail(describe(exc))
    finally:
        GlobalHydra.instance().clear()


def hydra_command(validate: Callable[[DictConfig], object]):
    """Make ``body(cfg, checked, folder)`` a command: ``main()`` checks the command line first,
    then Hydra composes the config and creates the run folder, ``validate(cfg)`` gives ``checked``
    (or one error line), and ``body`` does the work in ``folder``."""

    def wrap(body: Callable[[DictConfig, object, Path], None]) -> Callable[[], None]:
        register()

        @functools.wraps(body)  # Hydra names the job (and its log) after the body's module
        def task(cfg: DictConfig) -> None:
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
