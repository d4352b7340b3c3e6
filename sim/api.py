"""The simulator from Python: compose a configuration as the command line does, run it, read its
tables and records, draw its figures, and run comparisons, calibrations and sensitivity analyses.

Everything here is re-exported by ``import sim``. Heavy modules (the engines, pandas, matplotlib,
Hydra) are imported inside the functions, so ``import sim`` stays light and never chooses a
matplotlib backend.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from sim.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from omegaconf import DictConfig

    from sim.analysis.summary import RunSummary
    from sim.analysis.unit_counts import UnitResult
    from sim.experiments.calibration import CalibrationResult
    from sim.experiments.break_even import BreakEven
    from sim.experiments.comparison import Comparison
    from sim.experiments.recommendation import Recommendation
    from sim.experiments.sensitivity import Sensitivity
    from sim.model.scenario import Scenario

RECORD_TIMES = ("arrival", "desk_start", "desk_end", "receipt", "due", "done", "abandoned_at")


# --- configuration ---------------------------------------------------------------------------
def load_config(*overrides: str, config_dir: str | Path | None = None) -> DictConfig:
    """Compose the configuration as ``python -m sim OVERRIDES`` does, validate it, and return it.

    ``overrides`` are Hydra overrides (``"city.units=[ba_dinh]"``, ``"structure=four_departments_land"``,
    ``"+desks.per_unit.tuong_mai=8"``). ``config_dir`` is an optional folder of the user's own
    configs (for example ``structure/mine.yaml``, selected with ``"structure=mine"``), searched
    after the package's (like ``hydra.searchpath=[file://DIR]`` on the command line).
    Raises :class:`sim.ConfigError` naming the key when anything is wrong.
    """
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from sim.config.build import build_scenario
    from sim.config.paths import CONFIG_DIR
    from sim.config.schema import register

    overrides = list(overrides)
    for k, override in enumerate(overrides):
        if not isinstance(override, str):
            raise TypeError(f"load_config: override {k} is a {type(override).__name__}, not a string like 'seed=7'")
    if config_dir is not None:
        overrides.append(_search_path_override(config_dir, overrides))
    register()
    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            cfg = compose("config", overrides=overrides)
        build_scenario(cfg)
    except (HydraException, OmegaConfBaseException) as exc:
        raise _config_error(exc, overrides) from None
    except YAMLError as exc:  # a file of the user's config folder that is not YAML
        from sim.apps.command import describe_yaml

        where, _, problem = describe_yaml(exc).rpartition(": not valid YAML")
        raise ConfigError(where, "not valid YAML" + problem) from None
    return cfg


def _search_path_override(config_dir: str | Path, overrides: list[str]) -> str:
    folder = Path(config_dir).expanduser().resolve()
    if not folder.is_dir():
        raise ConfigError("config_dir", f"{folder}: no such folder")
    if any(o.lstrip("+~").startswith("hydra.searchpath") for o in overrides):
        raise ConfigError("config_dir", "give the folder either as config_dir or as hydra.searchpath, not both")
    quoted = str(folder).replace("\\", "\\\\").replace("'", "\\'")
    return f"hydra.searchpath=['file://{quoted}']"


def _config_error(exc: BaseException, overrides: list[str]) -> ConfigError:
    """The command line's one-line message (sim.apps.command.describe) as a ConfigError with its key."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException, MissingConfigException, OverrideParseException

    from sim.apps.command import describe

    text = describe(exc)
    key, sep, problem = text.partition(": ")
    if sep and key and not any(c.isspace() for c in key):
        return ConfigError(key, problem)
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file:  # e.g. structure/nope
        return ConfigError(exc.missing_cfg_file.rpartition("/")[0] or exc.missing_cfg_file, text)
    if isinstance(exc, OverrideParseException):
        for override in overrides:
            try:
                OverridesParser.create().parse_override(override)
            except HydraException:  # the parser of one override raises the general type
                return ConfigError(override.split("=", 1)[0].lstrip("+~"), f"cannot parse {override!r}: {text}")
    return ConfigError("overrides", text)


def build_scenario(cfg: DictConfig) -> Scenario:
    """The validated scenario a configuration describes, as plain data: each unit with its desks,
    departments and staff (``scenario.units``), the procedures, the calendar. Nothing is simulated."""
    from sim.config.build import build_scenario as build

    return build(cfg)


@contextlib.contextmanager
def _progress(enabled: bool, total: int, desc: str) -> Iterator:
    """A callback that advances a progress bar by one step, or None when no bar is wanted."""
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc) as bar:
        yield lambda *_: bar.update(1)


# --- one run ---------------------------------------------------------------------------------
def run(cfg: DictConfig, workers: int | None = None, progress: bool | Callable[[int, int], object] = False) -> RunResult:
    """Simulate every replication of every unit of ``cfg``, as ``python -m sim`` does.

    ``workers``: worker processes (None: the config's ``workers``; 0: one per core). The results
    do not depend on it. ``progress``: True shows a bar; a function ``progress(done, total)`` is
    called after each unit-replication instead (a web page's progress bar), and the run then stays
    in this process, whatever ``workers`` says. Raises :class:`sim.ConfigError` if ``cfg`` is not valid.
    """
    from sim.analysis.summary import summarise
    from sim.config.build import build_scenario as build
    from sim.config.provenance import provenance
    from sim.experiments.runner import run_scenario

    from sim.config.build import MAX_WORKERS, check_range

    if workers is not None:  # the bound of the workers key: each process takes ~100 MB
        check_range(workers, "workers", 0, MAX_WORKERS)
        if not isinstance(workers, int):
            raise ConfigError("workers", f"must be a whole number, got {workers!r}")
    scenario = build(cfg)
    if callable(progress):
        results = _run_reporting(scenario, progress)
    else:
        results = run_scenario(scenario, workers=workers, progress=progress)
    return RunResult(copy.deepcopy(cfg), scenario, summarise(scenario, results, provenance(cfg)), results)  # later edits of cfg stay out


def _run_reporting(scenario: Scenario, progress: Callable[[int, int], object]) -> list[list[UnitResult]]:
    """Every unit-replication in this process, calling ``progress(done, total)`` after each: the
    same results as run_scenario's (each task draws from its own streams, whatever the order)."""
    from sim.experiments.runner import run_unit

    units, replications = len(scenario.units), scenario.replications
    results: list[list] = [[None] * units for _ in range(replications)]
    done = 0
    for position in range(units):
        for replication in range(replications):
            results[replication][position] = run_unit(scenario, replication, position)
            done += 1
            progress(done, units * replications)
    return results


@dataclass(repr=False)
class RunResult:
    """The result of :func:`run`: the same summary and tables as a run folder, plus the KPIs of
    each replication and, on request, every record of one unit in one replication.

    ``summary`` (dict, as in summary.json), ``units``, ``departments``, ``daily`` (DataFrames, as
    in the CSV files), ``replications`` (city KPIs, one row per replication),
    ``unit_replications`` (one row per unit and replication), ``scenario`` (the validated
    scenario), ``config`` (the configuration it was built from).
    """

    config: DictConfig
    scenario: Scenario
    run_summary: RunSummary  # what the run folder's files are written from
    unit_results: list[list[UnitResult]]  # [replication][unit position]

    def __repr__(self) -> str:
        s = self.summary
        return (f"RunResult({s['scenario']!r}, structure={s['structure']!r}, units={s['units']}, "
                f"replications={s['replications']}, {s['start']}..{s['end']})")

    @property
    def summary(self) -> dict:
        """City KPIs (mean and 95 % interval over replications) and the run's settings, as in summary.json."""
        return self.run_summary.summary

    @property
    def units(self) -> pd.DataFrame:
        """One row per unit: its resources and every KPI, mean over replications (units.csv)."""
        return self.run_summary.units

    @property
    def departments(self) -> pd.DataFrame:
        """One row per unit and department, mean over replications (departments.csv)."""
        return self.run_summary.departments

    @property
    def daily(self) -> pd.DataFrame:
        """City totals per day, mean over replications (daily.csv)."""
        return self.run_summary.daily

    @cached_property
    def replications(self) -> pd.DataFrame:
        """City KPIs of each replication: the numbers behind the intervals of ``summary``."""
        import pandas as pd

        from sim.analysis.kpis import pooled_kpis

        return pd.DataFrame([{"replication": r, **pooled_kpis(rep)} for r, rep in enumerate(self.unit_results)])

    @cached_property
    def unit_replications(self) -> pd.DataFrame:
        """KPIs of each unit in each replication (slug, kind, replication, KPIs)."""
        import pandas as pd

        from sim.analysis.kpis import unit_kpis

        units = self.scenario.units
        return pd.DataFrame([{"slug": units[r.position].unit.slug, "kind": units[r.position].unit.kind,
                              "replication": r.replication, **unit_kpis(r)}
                             for rep in self.unit_results for r in rep])

    def records(self, unit: str, replication: int = 0) -> pd.DataFrame:
        """Every record of one unit (its slug) in one replication, one row each, by arrival.

        Columns: ``record`` (the engine's index), ``channel``, ``procedure``, ``field``,
        ``department``, ``stage`` at the end of the period (desk_queue, at_desk, away,
        back_office, done, abandoned), the times ``arrival``, ``desk_start``, ``desk_end``,
        ``receipt``, ``due``, ``done``, ``abandoned_at`` as datetimes and, with the suffix
        ``_min``, as minutes since midnight of the first day (NaN / NaT: did not happen),
        ``desk_wait_min``, ``lead_time_wd`` (receipt to result in working days), ``on_time``,
        ``overdue`` (in process past its due date), ``deadline_wd``, ``desk_minutes``,
        ``effort_minutes``, ``paused_wd`` (working days after review with the deadline standing
        still: missing papers, a financial obligation), ``opening_stock`` (True: in process when
        the period started; its arrival and receipt are before the start).

        The unit is simulated again with the run's seed, which gives exactly the records of the run.
        """
        import numpy as np
        import pandas as pd

        from sim.engines.outcome import ABANDONED, AT_DESK, AWAY, BACK_OFFICE, DESK_QUEUE, DONE, IN_PROCESS_STAGES
        from sim.engines.workload import IN_PERSON, ONLINE, POST
        from sim.experiments.runner import simulate_records

        slugs = [plan.unit.slug for plan in self.scenario.units]
        if unit not in slugs:
            shown = ", ".join(slugs[:10]) + (" ..." if len(slugs) > 10 else "")
            raise ValueError(f"records: unit {unit!r} is not in this run (units: {shown})")
        if isinstance(replication, bool) or not isinstance(replication, int) or not (
                0 <= replication < self.scenario.replications):
            raise ValueError(f"records: replication must be a whole number in 0..{self.scenario.replications - 1}, got {replication!r}")
        position = slugs.index(unit)
        calendar, w, o = simulate_records(self.scenario, replication, position)

        def names(labels: dict[int, str], codes: np.ndarray) -> np.ndarray:
            table = np.array([labels.get(k, f"unknown {k}") for k in range(max(labels) + 1)], dtype=object)
            return table[codes]

        channels = {IN_PERSON: "in_person", ONLINE: "online", POST: "post"}
        stages = {DESK_QUEUE: "desk_queue", AT_DESK: "at_desk", AWAY: "away", BACK_OFFICE: "back_office",
                  DONE: "done", ABANDONED: "abandoned"}
        procedures = dict(enumerate(p.name for p in self.scenario.procedures))
        fields = dict(enumerate(p.field for p in self.scenario.procedures))
        departments = dict(enumerate(self.scenario.units[position].organisation.structure.department_names))
        minutes = dict(zip(RECORD_TIMES, (w.arrival, o.desk_start, o.desk_end, o.receipt, o.due, o.done,
                                          o.abandoned_at)))
        processed = ~np.isnan(o.done)
        lead = np.full(len(w), np.nan)
        lead[processed] = calendar.working_days_between(o.receipt[processed], o.done[processed])
        start = pd.Timestamp(self.scenario.start)
        frame = pd.DataFrame({
            "record": np.arange(len(w)),
            "channel": names(channels, w.channel),
            "procedure": names(procedures, w.procedure),
            "field": names(fields, w.procedure),
            "department": names(departments, w.department),
            "stage": names(stages, o.stage),
            **{name: start + pd.to_timedelta(values, unit="min") for name, values in minutes.items()},
            **{f"{name}_min": values for name, values in minutes.items()},
            "desk_wait_min": o.desk_wait,
            "lead_time_wd": lead,
            "on_time": processed & (o.done <= o.due),
            "overdue": np.isin(o.stage, IN_PROCESS_STAGES) & (o.due < calendar.horizon),
            "deadline_wd": w.deadline_wd,
            "desk_minutes": w.desk_minutes,
            "effort_minutes": w.effort_minutes,
            "paused_wd": w.paused_wd,
            "opening_stock": w.opening,
        })
        return frame.sort_values(["arrival_min", "record"], kind="stable").reset_index(drop=True)

    def save(self, folder: str | Path, snapshot: bool | None = None, overwrite: bool = False) -> Path:
        """Write the run folder ``python -m sim`` writes (summary.json, CSV tables, PNG figures),
        with the configuration in ``.hydra/config.yaml``; return the folder. A folder that already
        holds files is refused (FileExistsError), as the command refuses it, unless ``overwrite``.

        ``snapshot`` (default: the run's ``stock.save_snapshot``) also writes ``snapshot.csv.gz``,
        the records in process at the end, for a later run to start from
        (``load_config("stock.source=snapshot", "stock.path=FOLDER/snapshot.csv.gz", ...)``); the
        run must have been made with ``stock.save_snapshot=true``.
        """
        from omegaconf import OmegaConf

        from sim.outputs.run_files import write_run
        from sim.outputs.snapshot import write_snapshot

        folder = own_folder(folder, overwrite)
        if snapshot is None:
            snapshot = self.scenario.stock.save_snapshot
        if snapshot and not self.scenario.stock.save_snapshot:
            raise ValueError("save: this run kept no closing stock; run it with 'stock.save_snapshot=true'")
        (folder / ".hydra").mkdir(parents=True, exist_ok=True)
        (folder / ".hydra" / "config.yaml").write_text(OmegaConf.to_yaml(self.config))
        if snapshot:
            write_snapshot(folder, self.scenario, self.unit_results)
        write_run(folder, self.run_summary)  # summary.json last: a folder holding it is complete
        return folder


def plot_waits(result: RunResult) -> Figure:
    """Desk waits of served citizens: their distribution and the share waiting longer than x."""
    from sim.outputs.run_files import plot_waits as draw

    return draw(result.run_summary)


def plot_backlog(result: RunResult) -> Figure:
    """City arrivals, completions and records in process per day."""
    from sim.outputs.run_files import plot_backlog as draw

    return draw(result.run_summary)


def plot_unit_on_time(result: RunResult) -> Figure:
    """Each unit's on-time share of processed records."""
    from sim.outputs.run_files import plot_unit_on_time as draw

    return draw(result.run_summary)


def plot_unit_map(values: pd.Series, label: str, **options) -> Figure:
    """The map of the 126 units and the Centre's branches coloured by ``values`` (a per-slug Series:
    a KPI, or a change with ``diverging=True``); ``label`` says what and in what unit. Options:
    ``title``, ``language`` ("en", "vi"), ``labelled`` (slugs named on the map), ``target``."""
    from sim.outputs.unit_map import plot_unit_map as draw

    return draw(values, label=label, **options)


# --- structures compared ---------------------------------------------------------------------
def run_comparison(cfg: DictConfig, workers: int | None = None, progress: bool = False) -> Comparison:
    """Run the baseline and every other structure of ``cfg.compare`` on the same random numbers,
    as ``python -m sim.compare`` does. The result has ``table`` (tidy: variant, group, KPI, mean,
    95 % interval, paired difference to the baseline with its interval), ``movers`` (units that
    gain and lose most, by variant) and ``runs`` (each variant's scenario and summary)."""
    from sim.experiments.comparison import compare, variants

    with _progress(progress, len(variants(cfg)), "compare: structures") as step:
        return compare(cfg, workers=workers, progress=step)


def headline_table(comparison: Comparison, group: str = "city") -> pd.DataFrame:
    """Variants by row, headline KPIs as 'mean [95 % CI]'; ``group``: city, ward or commune."""
    from sim.outputs.comparison_report import headline_table as table

    return table(comparison, group)


def difference_table(comparison: Comparison, group: str = "city") -> pd.DataFrame:
    """Variants by row, headline KPIs as the paired 'difference to the baseline [95 % CI]'."""
    from sim.outputs.comparison_report import difference_table as table

    return table(comparison, group)


def save_comparison(comparison: Comparison, folder: str | Path, overwrite: bool = False) -> Path:
    """Write the leaders' report ``python -m sim.compare`` writes (report.html, comparison.csv and
    .xlsx, figures, each variant's run folder); return the folder. A folder that already holds
    files is refused (FileExistsError) unless ``overwrite``."""
    from sim.outputs.comparison_report import write_comparison

    folder = own_folder(folder, overwrite)
    write_comparison(folder, comparison)
    return folder


def own_folder(folder: str | Path, overwrite: bool) -> Path:
    """``folder``, refused if it already holds another run's files (unless ``overwrite``), so that
    two results never mix in one folder (docs/faults.md, "Faults")."""
    from sim.outputs.run_folder import refuse_taken

    folder = Path(folder)
    if not overwrite:
        try:
            refuse_taken(folder)
        except ConfigError as exc:
            raise FileExistsError(f"save: {exc.problem}") from None
    return folder


def plot_comparison(comparison: Comparison, kpi: str = "on_time_pct") -> Figure:
    """One KPI for the city, wards and communes, one bar per variant with its 95 % interval."""
    from sim.outputs.comparison_report import plot_groups

    return plot_groups(comparison, kpi)


def plot_differences(comparison: Comparison) -> Figure:
    """Each variant's paired difference to the baseline, with 95 % intervals, for the main KPIs."""
    from sim.outputs.comparison_report import plot_differences as draw

    return draw(comparison)


def run_break_even(cfg: DictConfig, workers: int | None = None, progress: bool = False) -> BreakEven:
    """Each unit's break-even, as ``python -m sim.breakeven`` finds it: the value of
    ``cfg.break_even.parameter`` (default ``staff.breadth_penalty``) in its range beyond which
    ``cfg.break_even.structure`` (default a fourth department) improves the on-time share of
    received records, with its interval, or the verdict that it gains for every value or for none
    (common random numbers at every value). The result has ``table`` (the rows of
    break_even.csv) and ``setting``; ``sim.outputs.break_even_report.write_break_even`` writes the
    files. Raises :class:`sim.ConfigError` for a bad setting."""
    from sim.experiments.break_even import break_even, settings

    setting = settings(cfg)
    with _progress(progress, 2 + len(setting.units), "break-even: ends, then units") as step:
        return break_even(cfg, workers=workers, progress=step, setting=setting)


# --- what each unit needs --------------------------------------------------------------------
def run_recommendation(cfg: DictConfig, workers: int | None = None, progress: bool = False) -> Recommendation:
    """The fewest counters (per counter group) and officers (per department) each unit of ``cfg``
    needs to meet ``cfg.recommend.targets``, as ``python -m sim.recommend`` does: screened with
    Erlang C and offered loads, then decided by simulation on common random numbers. The result
    has ``searches`` (per unit: resources, ``current``, ``screened`` and recommended ``x``
    counts), ``timing`` (screening and simulation seconds); :func:`recommendation_table` gives
    the table of recommendation.csv, and ``sim.outputs.recommendation_report.write_recommendation``
    the files. Raises :class:`sim.ConfigError` for a bad target or setting."""
    from sim.experiments.recommendation import recommend as run_recommendation

    if not progress:
        return run_recommendation(cfg, workers=workers)
    from sim.experiments.progress import RoundsBar

    bar = RoundsBar("recommend: unit-replications")
    try:
        return run_recommendation(cfg, workers=workers, progress=bar)
    finally:
        bar.close()


recommend = run_recommendation  # sim.api.recommend; not in ``sim``, where it would shadow python -m sim.recommend


def recommendation_table(recommendation: Recommendation) -> pd.DataFrame:
    """One row per unit and resource: current, screened and recommended counts, the change, the
    KPIs today and at the recommendation with 95 % intervals, the probability each target is met."""
    from sim.outputs.recommendation_report import recommendation_table as table

    return table(recommendation)


# --- calibration and sensitivity -------------------------------------------------------------
def run_calibration(cfg: DictConfig, workers: int | None = None, progress: bool = False) -> CalibrationResult:
    """Fit the free parameters of ``cfg.calibration`` to its targets, as ``python -m sim.calibrate``
    does. The result has ``fitted`` (name -> value), ``fitted_by_key`` (config key -> value, ready
    to pass back as overrides), ``targets``, ``checks``, ``history``. Raises
    :class:`sim.CalibrationError` when a target stays out of reach."""
    from sim.experiments.calibration import calibrate, calibration_spec

    spec = calibration_spec(cfg)
    with _progress(progress, spec.max_evaluations, "calibration: candidates") as step:
        return calibrate(cfg, spec, workers=workers, progress=step)


def target_table(result: CalibrationResult) -> pd.DataFrame:
    """Each calibration target and check: observed, simulated mean with 95 % interval, tolerance, met or not."""
    from sim.outputs.fit_report import target_table as table

    return table(result)


def identifiability_table(result: CalibrationResult) -> pd.DataFrame:
    """Each fitted parameter: how well the targets (and its prior) know it, the verdict (pinned down
    by the targets, held by its prior, not pinned down) and how much each target moves with it."""
    from sim.outputs.fit_report import identifiability_table as table

    return table(result)


def plot_calibration(result: CalibrationResult) -> Figure:
    """Each target's simulated value as a deviation from the observed one, with the tolerance band."""
    from sim.outputs.fit_report import plot_targets

    return plot_targets(result)


def run_sensitivity(cfg: DictConfig, workers: int | None = None, progress: bool = False) -> Sensitivity:
    """Move each parameter of ``cfg.sensitivity`` to both ends of its range, one at a time, on the
    same random numbers, as ``python -m sim.sensitivity`` does. The result's ``table`` has one row
    per run: parameter, end (base, low, high), value, and the mean of each output."""
    from sim.experiments.sensitivity import run_one_at_a_time, sensitivity_spec

    spec = sensitivity_spec(cfg)
    with _progress(progress, 2 * len(spec[0]), "sensitivity: runs") as step:
        return run_one_at_a_time(cfg, spec, workers=workers, progress=step)


def plot_tornado(sensitivity: Sensitivity) -> Figure:
    """One panel per output: how far each parameter's low and high ends move it from the base run."""
    from sim.outputs.fit_report import plot_tornado as draw

    return draw(sensitivity.rows, sensitivity.outputs)
