"""The ``stock`` section: validate it and read a stock table or a snapshot into plain data.

A table (``stock.source=table``) has one row per record, or per group of records with a ``count``
column: ``slug``, ``procedure`` (or ``department``: the procedure is then drawn among the
department's), ``received`` and ``due`` (dates, or date-times), optionally
``remaining_effort_minutes``. A snapshot (``stock.source=snapshot``) is the file a run writes with
``stock.save_snapshot=true`` (:mod:`sim.outputs.snapshot`). Rows of both are checked by the same
functions: a known procedure, received no later than the state the stock describes (the period
start for a table, 00:00 on ``as_of`` for a snapshot), due no earlier than received. Any bad row,
or a file that cannot be read (a corrupt .gz too), stops with one line naming the file, and the
line and the column of a bad row.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from sim.errors import ConfigError
from sim.model.stock import AGE_RULES, STOCK_MIXES, STOCK_SOURCES, STOCK_STAGES, GivenStock, HandoverRule, StockPolicy
from sim.model.calendar import MINUTES_PER_DAY

MAX_STOCK_DAYS = 365.0  # stock.days_of_stock: a year of demand
MAX_STOCK_AGE_WD = 1000.0  # stock.max_age_wd: about four years
MAX_TABLE_COUNT = 2_000_000  # records of one unit in a table (as many as a unit may draw in a period)
MAX_MINUTES = 100_000.0  # remaining effort, as every minutes setting (sim.config.build)
MAX_WORKING_DAYS = 1000.0  # remaining waits, as every working-days setting
MAX_SNAPSHOT_REPLICATIONS = 999  # replication indices of a snapshot (as many as a run may have)
SNAPSHOT_COLUMNS = ("replication", "slug", "procedure", "channel", "stage", "received", "due",
                    "remaining_effort_minutes", "remaining_wait_wd", "pending_papers_wd", "as_of")
CHANNELS = ("in_person", "online", "post")


def stock_policy(s: dict, start: dt.date, business_close: float, procedures: tuple, plans: tuple,
                 check_range) -> StockPolicy:
    """The validated stock settings; a table or snapshot is read here, for the selected units."""
    if s["source"] not in STOCK_SOURCES:
        raise ConfigError("stock.source", f"unknown value {s['source']!r}; choose one of {', '.join(STOCK_SOURCES)}")
    share = float(check_range(s["remaining_effort_share"], "stock.remaining_effort_share", 0.0, 1.0))
    handover, given = None, {}
    if s["source"] == "handover":
        for key, allowed in (("age", AGE_RULES), ("mix", STOCK_MIXES)):
            if s[key] not in allowed:
                raise ConfigError(f"stock.{key}", f"unknown value {s[key]!r}; choose one of {', '.join(allowed)}")
        handover = HandoverRule(
            days_of_stock=float(check_range(s["days_of_stock"], "stock.days_of_stock", 0.0, MAX_STOCK_DAYS)),
            max_age_wd=float(check_range(s["max_age_wd"], "stock.max_age_wd", 0.0, MAX_STOCK_AGE_WD)),
            age=s["age"], mix=s["mix"],
            centre_days_of_stock=float(check_range(s["centre_days_of_stock"], "stock.centre_days_of_stock", 0.0,
                                                   MAX_STOCK_DAYS)),
        )
    elif s["source"] in ("table", "snapshot"):
        if not s["path"]:
            raise ConfigError("stock.path", f"stock.source={s['source']} needs the file: stock.path=FILE")
        reader = _read_table if s["source"] == "table" else _read_snapshot
        given = reader(Path(s["path"]).expanduser(), start, business_close, procedures, plans)
    return StockPolicy(source=s["source"], handover=handover, given=given, remaining_effort_share=share,
                       save_snapshot=bool(s["save_snapshot"]))


def _rows(path: Path, required: tuple[str, ...]):
    """(line number, row) of a CSV file (gzip if it ends with .gz), after checking its header."""
    if not path.is_file():
        raise ConfigError("stock.path", f"{path}: no such file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise ConfigError("stock.path", f"{path}: line 1: missing column {missing[0]!r} "
                                                f"(columns: {', '.join(header) or 'none'})")
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, zlib.error) as exc:  # zlib: a corrupt .gz
        raise ConfigError("stock.path", f"{path}: not a readable CSV file ({exc})") from None


class _Row:
    """One row's values, each read with the file, line and column named when it is wrong."""

    def __init__(self, path: Path, line: int, row: dict):
        self.path, self.line, self.row = path, line, row

    def fail(self, column: str, problem: str):
        raise ConfigError("stock.path", f"{self.path}: line {self.line}: column {column}: {problem}")

    def text(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def number(self, column: str, low: float = 0.0, default: float | None = None, high: float = math.inf) -> float:
        text = self.text(column)
        if not text and default is not None:
            return default
        try:
            value = float(text)
        except ValueError:
            self.fail(column, f"{text!r} is not a number")
        if not math.isfinite(value) or value < low or value > high:
            limit = f" and at most {high:,g}" if high < math.inf else ""
            self.fail(column, f"must be a finite number of at least {low:g}{limit}, got {text!r}")
        return value

    def minutes(self, column: str, start: dt.date, close_of_day: float | None) -> float:
        """Minutes from the period start of a date (at ``close_of_day`` minutes, or 00:00 if None) or a date-time."""
        text = self.text(column)
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                return (day - start).days * MINUTES_PER_DAY + (close_of_day or 0.0)
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(column, f"{text!r} is not a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM")
        return (moment - dt.datetime.combine(start, dt.time())).total_seconds() / 60


def _procedure(row: _Row, procedure_index: dict[str, int]) -> int:
    """The row's procedure (index into the catalogue); -1 if the row gives none."""
    name = row.text("procedure")
    if not name:
        return -1
    if name not in procedure_index:
        row.fail("procedure", f"unknown procedure {name!r} (procedures: {', '.join(procedure_index)})")
    return procedure_index[name]


def _received_and_due(row: _Row, start: dt.date, business_close: float, latest: float,
                      state: str) -> tuple[float, float]:
    """A stock record's receipt and due times (minutes from the period start), checked the same way
    for a table and a snapshot: received at or before ``latest`` (the instant of the state the
    stock describes, called ``state`` in the message), due no earlier than received."""
    received = row.minutes("received", start, None)
    if received > latest:
        row.fail("received", f"{row.text('received')} is after {state}: a record of the opening stock "
                             "was received before it")
    due = row.minutes("due", start, business_close)
    if due < received:
        row.fail("due", f"{row.text('due')} is before the record was received")
    return received, due


def _unit_lookup(plans: tuple, procedures: tuple):
    by_slug = {plan.unit.slug: plan for plan in plans}
    procedure_index = {p.name: k for k, p in enumerate(procedures)}
    return by_slug, procedure_index


def _read_table(path: Path, start: dt.date, business_close: float, procedures: tuple,
                plans: tuple) -> dict[str, tuple[GivenStock, ...]]:
    """Records of a stock table for the selected units (rows of other units are skipped)."""
    by_slug, procedure_index = _unit_lookup(plans, procedures)
    records: dict[str, list[tuple]] = {}
    for line, raw in _rows(path, ("slug", "received", "due")):
        row = _Row(path, line, raw)
        slug = row.text("slug")
        if not slug:
            row.fail("slug", "empty")
        if slug not in by_slug:
            continue  # a unit not selected in this run
        organisation = by_slug[slug].organisation
        names = organisation.structure.department_names
        procedure = _procedure(row, procedure_index)
        department = int(organisation.procedure_department[procedure]) if procedure >= 0 else -1
        if row.text("department"):
            if row.text("department") not in names:
                row.fail("department", f"unknown department {row.text('department')!r} of unit {slug} "
                                       f"(its departments: {', '.join(names)})")
            if procedure >= 0 and names[department] != row.text("department"):
                row.fail("department", f"procedure {row.text('procedure')!r} belongs to department "
                                       f"{names[department]!r} at {slug}")
            department = names.index(row.text("department"))
        if department < 0:
            row.fail("procedure", "give the procedure or the department")
        received, due = _received_and_due(row, start, business_close, 0.0, f"the period start {start}")
        effort = row.number("remaining_effort_minutes", default=math.nan, high=MAX_MINUTES) \
            if "remaining_effort_minutes" in raw else math.nan
        count = row.number("count", default=1.0) if "count" in raw else 1.0
        if count != int(count) or count > MAX_TABLE_COUNT:
            row.fail("count", f"must be a whole number of records up to {MAX_TABLE_COUNT:,}, got {row.text('count')!r}")
        records.setdefault(slug, []).extend([(procedure, department, 0, received, due, effort, math.nan, 0.0,
                                              False)] * int(count))
        if len(records[slug]) > MAX_TABLE_COUNT:
            row.fail("count", f"more than {MAX_TABLE_COUNT:,} records for unit {slug} (all are held in memory)")
    return {slug: (_given(rows),) for slug, rows in records.items()}


def _read_snapshot(path: Path, start: dt.date, business_close: float, procedures: tuple,
                   plans: tuple) -> dict[str, tuple[GivenStock, ...]]:
    """The records in process at the end of an earlier run, for the selected units, by replication."""
    by_slug, procedure_index = _unit_lookup(plans, procedures)
    records: dict[str, dict[int, list[tuple]]] = {}
    as_of = None
    for line, raw in _rows(path, SNAPSHOT_COLUMNS):
        row = _Row(path, line, raw)
        try:
            day = dt.date.fromisoformat(row.text("as_of"))
        except ValueError:
            row.fail("as_of", f"{row.text('as_of')!r} is not a date YYYY-MM-DD")
        if as_of is None:
            as_of = day
            if start < as_of:
                raise ConfigError("period.start", f"{start} is before the state in {path} (taken at 00:00 on "
                                                  f"{as_of}): start on {as_of} or later")
            state_at = (as_of - start).days * MINUTES_PER_DAY  # 00:00 on as_of, in the period's minutes
        elif day != as_of:
            row.fail("as_of", f"{day} differs from {as_of} on the first row: one snapshot per file")
        slug = row.text("slug")
        if slug not in by_slug:
            continue
        procedure = _procedure(row, procedure_index)
        if procedure < 0:
            row.fail("procedure", "empty")
        if row.text("channel") not in CHANNELS:
            row.fail("channel", f"{row.text('channel')!r}; one of {', '.join(CHANNELS)}")
        if row.text("stage") not in STOCK_STAGES:
            row.fail("stage", f"{row.text('stage')!r}; one of {', '.join(STOCK_STAGES)}")
        replication = row.number("replication", high=MAX_SNAPSHOT_REPLICATIONS)
        if replication != int(replication):
            row.fail("replication", f"must be a whole number, got {row.text('replication')!r}")
        received, due = _received_and_due(row, start, business_close, state_at, f"the state's date {as_of} (as_of)")
        department = int(by_slug[slug].organisation.procedure_department[procedure])
        reviewed = row.text("stage") != "staff"
        records.setdefault(slug, {}).setdefault(int(replication), []).append((
            procedure, department, CHANNELS.index(row.text("channel")), received,
            due, row.number("remaining_effort_minutes", high=MAX_MINUTES),
            row.number("remaining_wait_wd", high=MAX_WORKING_DAYS), row.number("pending_papers_wd", high=MAX_WORKING_DAYS),
            reviewed,
        ))
    replications = 1 + max((r for by_rep in records.values() for r in by_rep), default=0)
    return {slug: tuple(_given(by_rep.get(r, [])) for r in range(replications)) for slug, by_rep in records.items()}


def _given(rows: list[tuple]) -> GivenStock:
    columns = list(zip(*rows)) if rows else [()] * 9
    return GivenStock(
        procedure=np.array(columns[0], dtype=np.int64), department=np.array(columns[1], dtype=np.int64),
        channel=np.array(columns[2], dtype=np.int8), received=np.array(columns[3], dtype=float),
        due=np.array(columns[4], dtype=float), effort_minutes=np.array(columns[5], dtype=float),
        wait_wd=np.array(columns[6], dtype=float), paused_wd=np.array(columns[7], dtype=float),
        reviewed=np.array(columns[8], dtype=bool),
    )
