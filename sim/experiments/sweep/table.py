"""The sweep table: one row per job folder found under a sweep folder, with the overridden values
as typed columns, the job's status and error, and every KPI's mean and 95 % interval.

The table is built from the folders alone (``.hydra/overrides.yaml``, ``job.json``,
``summary.json``), so the end of a sweep and ``python -m sim.collect DIR`` give the same table.
A job whose files cannot be read (not JSON or YAML, or values of the wrong type) is listed with
status ``damaged`` and an error naming the file; the other jobs are tabled as usual.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.config.provenance import NOT_RESULT_KEYS
from sim.experiments.sweep.job import DONE_FILE, ERROR_FILE, JOB_FILE, STATUSES, override_key

OVERRIDES_FILE = Path(".hydra") / "overrides.yaml"
RUN_COLUMNS = ("scenario", "structure", "seed", "replications", "units", "start", "end")  # from summary.json
BOUNDS = ("ci95_low", "ci95_high")  # a KPI's mean is the column named after it; its interval these two


def job_folders(sweep_dir: Path) -> list[Path]:
    """Every job folder under ``sweep_dir`` (one holding ``.hydra/overrides.yaml``), skipping
    hidden folders such as submitit's logs."""
    found = []
    for here, dirs, _files in os.walk(sweep_dir):
        if (Path(here) / OVERRIDES_FILE).is_file():
            found.append(Path(here))
            dirs[:] = []  # a job folder holds no other job
        dirs[:] = [d for d in dirs if not d.startswith(".")]
    return sorted(found)


def _typed(override: str):
    """The value of ``key=value`` as Hydra reads it: 2 -> int, 0.4 -> float, true -> bool; a list
    or mapping stays as written."""
    try:
        value = OverridesParser.create().parse_override(override).value()
    except Exception:  # noqa: BLE001 - an unusual override is kept as text
        value = None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return override.split("=", 1)[1] if "=" in override else override


def _column(values: list) -> pd.Series:
    """Numbers as numbers, true/false as booleans, anything else (or a mixture) as text."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        if all(isinstance(v, int) for v in present):
            return pd.Series(values, dtype="Int64")
        return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype="string")


class DamagedFile(Exception):
    """A job's file that cannot be read as what it should hold."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text())
    except ValueError as exc:
        raise DamagedFile(path, f"not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise DamagedFile(path, f"should hold a JSON object, holds {type(value).__name__}")
    return value


def _expect(path: Path, key: str, value, kinds: tuple, what: str) -> None:
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds):
        raise DamagedFile(path, f"{key}: should be {what}, got {value!r}")


def _read_overrides(folder: Path) -> list[str]:
    path = folder / OVERRIDES_FILE
    try:
        overrides = yaml.safe_load(path.read_text()) or []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DamagedFile(path, f"not YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise DamagedFile(path, "should hold a list of overrides (key=value)")
    return overrides


def _read_job_record(folder: Path) -> dict | None:
    """The job's record (None if it has none yet), its values checked."""
    path = folder / JOB_FILE
    if not path.is_file():
        return None
    record = _read_json(path)
    status = record.get("status")
    if status not in STATUSES:
        raise DamagedFile(path, f"status: should be one of {', '.join(STATUSES)}, got {status!r}")
    _expect(path, "error", record.get("error"), (str,), "text")
    _expect(path, "job_num", record.get("job_num"), (int,), "a whole number")
    _expect(path, "seconds", record.get("seconds"), (int, float), "a number")
    _expect(path, "config_hash", record.get("config_hash"), (str,), "text")
    return record


def _read_summary(path: Path) -> dict:
    """The run's summary, checked for what the table takes from it."""
    summary = _read_json(path)
    for name in RUN_COLUMNS:
        _expect(path, name, summary.get(name), (str, int, float), "a number or text")
    kpis = summary.get("kpis", {})
    if not isinstance(kpis, dict):
        raise DamagedFile(path, "kpis: should map each KPI to its mean and interval")
    for name, ci in kpis.items():
        if not isinstance(ci, dict):
            raise DamagedFile(path, f"kpis.{name}: should hold mean, {', '.join(BOUNDS)}")
        for key in ("mean", *BOUNDS):
            _expect(path, f"kpis.{name}.{key}", ci.get(key), (int, float), "a number")
    return summary


def _job_num(folder: Path, record: dict | None) -> int | None:
    if record and record.get("job_num") is not None:
        return int(record["job_num"])
    try:
        return int(yaml.safe_load((folder / ".hydra" / "hydra.yaml").read_text())["hydra"]["job"]["num"])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return None


def _row(sweep_dir: Path, folder: Path) -> tuple[dict, dict]:
    """(fixed columns, overridden values) of one job; a damaged job gets its status and error."""
    values: dict = {}
    try:
        overrides = _read_overrides(folder)
        values = {override_key(o): _typed(o) for o in overrides if override_key(o) not in NOT_RESULT_KEYS}
        return _read_row(sweep_dir, folder), values
    except DamagedFile as exc:
        return {"job": folder.relative_to(sweep_dir).as_posix(), "job_num": None, "status": "damaged",
                "error": str(exc)}, values


def _read_row(sweep_dir: Path, folder: Path) -> dict:
    record = _read_job_record(folder)
    status = record.get("status", "incomplete") if record else "incomplete"
    error = record.get("error", "") if record else ""
    if status == "incomplete" and (folder / ERROR_FILE).is_file():
        status, error = "failed", next(iter((folder / ERROR_FILE).read_text(errors="replace").splitlines()), "")
    row = {"job": folder.relative_to(sweep_dir).as_posix(), "job_num": _job_num(folder, record),
           "status": status, "error": error or None}
    summary_file = folder / DONE_FILE
    if status in ("ok", "reused") and summary_file.is_file():
        summary = _read_summary(summary_file)
        row.update({name: summary.get(name) for name in RUN_COLUMNS})
        for name, ci in summary.get("kpis", {}).items():
            row[name] = ci.get("mean")
            for bound in BOUNDS:
                row[f"{name}_{bound}"] = ci.get(bound)
    if record:
        row["seconds"] = record.get("seconds")
        row["config_hash"] = record.get("config_hash")
    return row


def sweep_table(sweep_dir: Path) -> pd.DataFrame:
    """One row per job: job, job_num, the overridden keys, status, error, the run's facts
    (scenario, seed …), every KPI (mean, ci95_low, ci95_high), seconds and config_hash.

    Why one function: a sweep's folders may be finished, failed, running or damaged, and each case
    is one short branch that still gives the job its row (nothing a sweep ran is dropped)."""
    rows, values = [], []
    for folder in job_folders(sweep_dir):
        row, swept = _row(sweep_dir, folder)
        rows.append(row)
        values.append(swept)
    if not rows:
        return pd.DataFrame(columns=["job", "job_num", "status", "error"])
    keys = list(dict.fromkeys(k for v in values for k in v))
    found = list(dict.fromkeys(c for row in rows for c in row))
    facts = [c for c in RUN_COLUMNS if c in found and c not in keys]  # an overridden one has its own column
    measured = [c for c in found if c not in (*facts, *RUN_COLUMNS, "job", "job_num", "status", "error",
                                              "seconds", "config_hash")]
    columns = {"job": pd.Series([r["job"] for r in rows], dtype="string"),
               "job_num": pd.Series([r["job_num"] for r in rows], dtype="Int64")}
    columns.update({k: _column([v.get(k) for v in values]) for k in keys})
    columns.update({c: pd.Series([r.get(c) for r in rows], dtype="string") for c in ("status", "error")})
    columns.update({c: _column([r.get(c) for r in rows]) for c in facts})
    columns.update({c: pd.Series([r.get(c) for r in rows], dtype="float64") for c in measured})
    columns["seconds"] = pd.Series([r.get("seconds") for r in rows], dtype="float64")
    columns["config_hash"] = pd.Series([r.get("config_hash") for r in rows], dtype="string")
    table = pd.DataFrame(columns)
    try:
        table = table.sort_values([*keys, "job"], na_position="last", kind="stable")
    except TypeError:
        table = table.sort_values("job", kind="stable")
    return table.reset_index(drop=True)


def swept_keys(table: pd.DataFrame) -> list[str]:
    """Overridden keys that take more than one value in the table."""
    if table.empty:
        return []
    keys = table.columns[2:list(table.columns).index("status")]
    return [k for k in keys if table[k].nunique(dropna=True) > 1]


def status_counts(table: pd.DataFrame) -> str:
    """``3 ok, 1 failed`` style count of the jobs' statuses."""
    if table.empty:
        return "no jobs"
    counts = table["status"].value_counts()
    return ", ".join(f"{int(counts[s])} {s}" for s in (*STATUSES, "damaged") if s in counts)
