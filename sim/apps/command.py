"""Command-line plumbing shared by the Hydra apps: check the configuration before Hydra creates a
run folder, and report any problem as one line naming the key, with a non-zero exit."""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import os
import re
import signal
import sys
from pathlib import Path
from typing import Callable, Iterator

import hydra
from hydra._internal.hydra import Hydra
from hydra._internal.utils import (
    create_automatic_config_search_path,
    detect_calling_file_or_module_from_task_function,
    detect_task_name,
    get_args_parser,
)
from hydra.core.config_loader import ConfigLoader
from hydra.core.config_search_path import ConfigSearchPath, SearchPathQuery
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError

from sim import __version__
from sim.errors import ConfigError, OutputMissing, TaskError
from sim.config.paths import CONFIG_DIR
from sim.config.names import NAME_KEYS, check_name, check_names
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
    cause = exc  # Hydra wraps OmegaConf's error, as the cause or (merging a config file) the context
    if not isinstance(exc, OmegaConfBaseException):
        cause = next((e for e in (exc.__cause__, exc.__context__) if isinstance(e, OmegaConfBaseException)), exc)
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        first = str(cause).splitlines()[0]
        if "not in struct" in first or "not in '" in first:
            first = ("unknown key (misspelt? every key is in sim/config/schema.py; an entry of a mapping "
                     "such as desks.per_unit is added with +desks.per_unit.SLUG=N)")
        merging = re.match(r"In '([^']+)': ", str(exc)) if cause is not exc else None
        return f"{cause.full_key}: {first}" + (f" (in config {merging.group(1)})" if merging else "")
    if isinstance(exc, MissingConfigException):
        text = str(exc).split("Config search path")[0]
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        head = lines[0].replace("In 'config': ", "")
        options = ", ".join(lines[2:]) if len(lines) > 2 else ""
        group = re.search(r"Could not find '([^'/]+)/", head)  # an option of a config group: name the group
        return (f"{group.group(1)}: " if group else "") + head + (f" (available: {options})" if options else "")
    return " ".join(str(exc).split("See https://")[0].split())


def describe_yaml(exc: YAMLError) -> str:
    """One line for a config file that is not YAML: the file, the line and the problem."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.name}:{mark.line + 1}" if mark is not None else "a config file"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: not valid YAML ({problem})"


def version_line() -> str:
    """What ``--version`` prints: the simulator's version, then the Hydra and Python it runs on."""
    return f"hanoi-sim {__version__} (Hydra {hydra.__version__}, Python {sys.version.split()[0]})"


def _one_line_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parser`` reporting a bad command line as one line ``sim: error: ...`` (exit 2), not
    argparse's usage block."""
    parser.error = lambda message: fail(f"{message} (see --help)")
    return parser


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``sim: error: ...`` with exit status 2."""

    def error(self, message: str) -> None:
        fail(f"{message} (see {self.prog} --help)")


def hydra_arguments(argv: list[str]) -> argparse.Namespace:
    """The command line as Hydra's own parser reads it (flags, then overrides); a bad one is one
    error line."""
    return _one_line_parser(get_args_parser()).parse_args(argv)


def flags_first(argv: list[str]) -> list[str]:
    """The command line with Hydra's flags (``-m``, ``--cfg job`` …) moved before the overrides, in
    their order: Hydra's parser takes the overrides as one run of words, so ``desks.fixed=2 -m
    city.units=[x]`` would leave the words after the flag unread."""
    actions = get_args_parser()._option_string_actions
    flags, overrides = [], []
    words = iter(argv)
    for word in words:
        action = actions.get(word.split("=", 1)[0]) if word.startswith("-") else None
        if action is None:
            overrides.append(word)
            continue
        flags.append(word)
        if "=" in word or action.nargs == 0:
            continue
        if action.nargs == "?":  # --info [WHAT]: takes the next word only if it is one of its choices
            following = next(words, None)
            if following is not None:
                (flags if action.choices and following in action.choices else overrides).append(following)
            continue
        following = next(words, None)
        if following is not None:
            flags.append(following)
    return flags + overrides


def _caller(task: Callable | None) -> tuple[str | None, str | None]:
    """The file or module Hydra names the job after and resolves a relative ``--config-path`` from."""
    return detect_calling_file_or_module_from_task_function(task) if task else (None, "sim.apps.main")


def config_search_path(args: argparse.Namespace, task: Callable | None = None) -> ConfigSearchPath:
    """The config search path Hydra builds for this command line: Hydra's own configs, the primary
    config folder (``sim/conf``, or ``--config-path``), ``--config-dir`` in front of the schema.
    ``hydra.searchpath=[...]`` is an override: Hydra's config loader adds it when composing."""
    calling_file, calling_module = _caller(task)
    path = create_automatic_config_search_path(calling_file, calling_module, args.config_path or CONFIG_DIR)
    if args.config_dir is not None:  # as hydra.main does it
        folder = os.path.abspath(args.config_dir)
        if not os.path.isdir(folder):
            raise ConfigError("--config-dir", f"{folder}: no such folder")
        path.prepend(provider="command-line", path=f"file://{folder}", anchor=SearchPathQuery(provider="schema"))
    return path


def compose_as_run(loader: ConfigLoader, config_name: str, overrides: list[str],
                   run_dir: list[Path] | None = None) -> DictConfig:
    """The job config a run of these overrides gets. As in a run, Hydra's own node (search path,
    choices) is then available through ``HydraConfig`` until the loader is left, so configs named
    inside configs (a structure's ``otherwise``) are found on the same search path. The names that
    become folder names are checked first; ``run_dir`` (a list) receives the run folder Hydra
    would make."""
    cfg = loader.load_configuration(config_name=config_name, overrides=overrides, run_mode=RunMode.RUN,
                                    from_shell=True, validate_sweep_overrides=False)
    HydraConfig.instance().set_config(cfg)
    check_names(cfg)
    if run_dir is not None:
        run_dir.append(Path(str(cfg.hydra.run.dir)))
    with open_dict(cfg):
        del cfg["hydra"]
    return cfg


def _check_sweep(loader: ConfigLoader, config_name: str, overrides: list[str]) -> None:
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
        if override.key_or_group in NAME_KEYS:  # each value names a folder or a label
            for value in values:
                check_name(override.key_or_group, value)
        swept.append([f"{override.get_key_element()}={value}" for value in values])  # as Hydra spells jobs
    first = [values[0] for values in swept if values]
    cfg = compose_as_run(loader, config_name, fixed + first)
    for k, values in enumerate(swept):
        for text in values[1:]:
            override = OverridesParser.create().parse_override(text)
            is_group = bool(loader.get_group_options(override.key_or_group, config_name=config_name, overrides=fixed))
            if override.is_add() or override.is_delete() or is_group:
                compose_as_run(loader, config_name, fixed + first[:k] + [text] + first[k + 1:])  # a config group
            else:  # a plain value: typed and known key, checked against the schema without composing again
                OmegaConf.update(copy.deepcopy(cfg), override.key_or_group, override.value(), merge=True)


@contextlib.contextmanager
def config_loader(args: argparse.Namespace, task: Callable | None = None) -> Iterator[ConfigLoader]:
    """Hydra's config loader on the search path a run of this command line would have (see
    :func:`config_search_path`); Hydra's global state is cleared on leaving."""
    register()
    calling_file, calling_module = _caller(task)
    try:
        path = config_search_path(args, task)
        yield Hydra.create_main_hydra2(task_name=detect_task_name(calling_file, calling_module),
                                       config_search_path=path).config_loader
    finally:
        HydraConfig.instance().cfg = None
        GlobalHydra.instance().clear()


def check_command_line(config_name: str, validate: Callable[[DictConfig], object], argv: list[str],
                       task: Callable | None = None) -> None:
    """Compose the config as Hydra will (same search path, ``--config-dir``, ``--config-name``,
    ``hydra.searchpath`` and every other override) and validate it; stop with one line if anything is
    wrong. For a sweep, compose every swept value once; invalid values fail their own job only.
    Nothing is checked when the command line runs nothing (``--help``, ``--cfg`` …)."""
    args = hydra_arguments(argv)
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return
    config_name = args.config_name or config_name
    with reported_as_one_line(), config_loader(args, task) as loader:
        if args.multirun:
            _check_sweep(loader, config_name, args.overrides)
        else:
            run_dir: list[Path] = []
            validate(compose_as_run(loader, config_name, args.overrides, run_dir))
            from sim.outputs.run_folder import refuse_taken  # imported when used: --help loads no output code

            refuse_taken(run_dir[0])  # before Hydra writes its snapshot into another run's folder


@contextlib.contextmanager
def reported_as_one_line() -> Iterator[None]:
    """Turn a bad configuration (a key's value, a Hydra composition error, a file that is not YAML)
    into one line ``sim: error: ...`` and exit status 2."""
    try:
        yield
    except (ConfigError, HydraException, OmegaConfBaseException) as exc:
        fail(describe(exc))
    except YAMLError as exc:  # a user's config file that is not YAML
        fail(describe_yaml(exc))


EXIT_FAULT = 1  # a results folder that cannot be written, and other faults of the machine
WORKER_DIED = "worker process: died before the work was finished (killed, or out of memory?)"
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a process ended by SIGINT (128 + 2)
EXIT_BROKEN_PIPE = 141  # the reader of the output went away, as shells report SIGPIPE (128 + 13)
QUIET_RESOURCE_TRACKER = "ignore:resource_tracker:UserWarning"  # see reporting_faults


def _close_progress_bars() -> None:
    """End the lines of the progress bars still drawn, so that a last message has a line of its own."""
    from tqdm import tqdm

    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def end_in_one_line(exc: BaseException) -> None:
    """For Ctrl-C, a reader gone away, a bad configuration, a file that cannot be written (a full
    disk), a dead worker process or output left out: print the one line and raise ``SystemExit``
    with the documented status. Return for any other exception (a bug keeps its traceback)."""
    if isinstance(exc, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting adds nothing
        _close_progress_bars()
        print("sim: interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    if isinstance(exc, BrokenPipeError):  # the reader went away (``hanoi-sim --help | head``): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's last flush goes nowhere
        raise SystemExit(EXIT_BROKEN_PIPE) from None
    if isinstance(exc, (ConfigError, HydraException, OmegaConfBaseException)):  # before OSError: Hydra's
        fail(describe(exc))  # missing-config error is both
    if isinstance(exc, YAMLError):  # a user's config file that is not YAML, met by --help, --cfg or --info
        fail(describe_yaml(exc))
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else "results folder"
        message = f"{where}: {exc.strerror or exc}"
    elif isinstance(exc, (OutputMissing, TaskError)):  # output left out; a task that failed on a cluster
        message = str(exc)
    elif _worker_died(exc):
        message = WORKER_DIED
    else:
        return
    _close_progress_bars()
    print(f"sim: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_FAULT) from None


def reporting_faults(command: Callable[..., None]) -> Callable[..., None]:
    """Make ``command`` report Ctrl-C, a file that cannot be written and a configuration error
    raised while Hydra runs as one line on stderr and an exit status, not a traceback.

    Hydra would print its own report of an exception (a traceback, exit 1) before this wrapper
    sees it; ``HYDRA_FULL_ERROR`` makes it pass exceptions on instead. Worker processes are
    stopped by joblib when the exception passes through it, and end by themselves if this
    process is killed outright (sim.experiments.workers). The resource tracker of the worker
    processes then frees the semaphores and shared-memory folders that stopped workers held,
    and would say so in several lines of warnings: those are silenced in the processes this
    command starts (``PYTHONWARNINGS``)."""

    @functools.wraps(command)
    def run(*args, **kwargs) -> None:
        previous = {name: os.environ.get(name) for name in ("HYDRA_FULL_ERROR", "PYTHONWARNINGS")}
        os.environ["HYDRA_FULL_ERROR"] = "1"
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [previous["PYTHONWARNINGS"], QUIET_RESOURCE_TRACKER]))
        try:
            command(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a known fault ends in one line, anything else as it is
            end_in_one_line(exc)
            raise
        except KeyboardInterrupt as exc:
            end_in_one_line(exc)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    return run


def _worker_died(exc: BaseException) -> bool:
    """Whether ``exc`` says a worker process died (joblib's loky or a process pool broke)."""
    from concurrent.futures.process import BrokenProcessPool

    from joblib.externals.loky.process_executor import TerminatedWorkerError

    return isinstance(exc, (TerminatedWorkerError, BrokenProcessPool))


class Lazy:
    """``module:function`` imported when first called: a command's module names its validation
    without importing the engines, so that ``--help`` and a bad command line stay quick. A plain
    object, so that it pickles by name into a sweep's worker processes."""

    def __init__(self, target: str):
        self.target = target

    def __call__(self, *args, **kwargs):
        import importlib

        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)(*args, **kwargs)


def hydra_command(validate: Callable[[DictConfig], object] | str, done: tuple[str, ...] = ("summary.json",),
                  sections: tuple[str, ...] = ()):
    """Make ``body(cfg, checked, folder)`` a command: ``main()`` checks the command line first
    (and refuses a run folder that holds another run's files), then Hydra composes the config and
    creates the run folder, ``validate(cfg)`` gives ``checked`` (or one error line), and ``body``
    does the work in ``folder``, which it claims first (:mod:`sim.outputs.run_folder`). ``done``:
    the files the command writes last; a run that stops without one leaves no partial results. In
    a sweep (``-m``) each job runs through :func:`sim.experiments.sweep.job.run_sweep_job`.
    ``validate`` may be given as ``"module:function"`` (see :class:`Lazy`). ``sections``: the config
    sections (``recommend``) whose keys ``--help`` lists after Hydra's page."""
    if isinstance(validate, str):
        validate = Lazy(validate)

    def wrap(body: Callable[[DictConfig, object, Path], None]) -> Callable[[], None]:
        register()
        register_resolvers()
        OmegaConf.register_new_resolver("sim.version", lambda: __version__, replace=True)  # in --help

        @functools.wraps(body)  # Hydra names the job (and its log) after the body's module
        def task(cfg: DictConfig) -> str | None:
            hydra_cfg = HydraConfig.get()
            if hydra_cfg.mode == RunMode.MULTIRUN:  # a job of a sweep: failures are recorded, not raised
                from sim.experiments.sweep.job import run_sweep_job

                return run_sweep_job(cfg, validate, body, Path(hydra_cfg.runtime.output_dir), hydra_cfg)
            folder = Path(hydra_cfg.runtime.output_dir)
            try:
                checked = validate(cfg)
                from sim.outputs.run_folder import claim, leave_unfinished

                kept = claim(folder)
            except ConfigError as exc:
                fail(describe(exc))
            try:
                body(cfg, checked, folder)
            except (Exception, KeyboardInterrupt) as exc:
                leave_unfinished(folder, kept, done)
                end_in_one_line(exc)  # here, not after Hydra: Hydra would first log the job's overrides
                raise

        app = hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")(task)

        @reporting_faults
        def main() -> None:
            if "--version" in sys.argv[1:]:  # Hydra's flag would print Hydra's version
                print(version_line())
                return
            sys.argv[1:] = flags_first(sys.argv[1:])  # Hydra reads the same line as the check below
            args = hydra_arguments(sys.argv[1:])
            if args.help:  # Hydra's page, without Hydra's seconds of listing config groups
                from sim.apps.help import app_help

                with config_loader(args, task) as loader:
                    print(app_help(loader, args.config_name or "config", args))
                if sections:
                    from sim.config.schema_text import section_lines

                    print(section_lines(sections))
                return
            check_command_line("config", validate, sys.argv[1:], task)
            app()

        return main

    return wrap
