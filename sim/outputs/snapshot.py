"""The state at the end of a run, written for a later run to start from (``stock.save_snapshot``).

``snapshot.csv.gz`` has one row per record in process at the horizon (in the back office), for
every unit and replication: the columns :data:`sim.config.stock.SNAPSHOT_COLUMNS`, with times as
date-times and ``as_of``, the day after the period's end (the state is the one at 00:00 that day).
A later run reads it with ``stock.source=snapshot stock.path=FILE`` (:mod:`sim.config.stock`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.unit_counts import UnitResult
from sim.config.stock import CHANNELS, SNAPSHOT_COLUMNS
from sim.model.scenario import Scenario
from sim.model.stock import STOCK_STAGES
from sim.outputs.csv_files import write_csv

SNAPSHOT_FILE = "snapshot.csv.gz"


def snapshot_frame(scenario: Scenario, results: list[list[UnitResult]]) -> pd.DataFrame:
    """Every record in process at the horizon, one row each (see the module's docstring)."""
    start = pd.Timestamp(scenario.start)
    procedures = np.array([p.name for p in scenario.procedures], dtype=object)
    frames = []
    for replication in results:
        for r in replication:
            if r.closing_stock is None:
                raise ValueError("the run kept no closing stock: run it with stock.save_snapshot=true")
            s = r.closing_stock
            frames.append(pd.DataFrame({
                "replication": r.replication,
                "slug": scenario.units[r.position].unit.slug,
                "procedure": procedures[s["procedure"]],
                "channel": np.array(CHANNELS, dtype=object)[s["channel"]],
                "stage": np.array(STOCK_STAGES, dtype=object)[s["stage"]],
                "received": _times(start, s["received"]),
                "due": _times(start, s["due"]),
                "remaining_effort_minutes": s["remaining_effort_minutes"],
                "remaining_wait_wd": s["remaining_wait_wd"],
                "pending_papers_wd": s["pending_papers_wd"],
            }))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SNAPSHOT_COLUMNS[:-1])
    frame["as_of"] = (scenario.end + dt.timedelta(days=1)).isoformat()
    return frame[list(SNAPSHOT_COLUMNS)]


def _times(start: pd.Timestamp, minutes: np.ndarray) -> np.ndarray:
    """Minutes from the period start as ISO date-times to the microsecond (read back exactly enough)."""
    return (start + pd.to_timedelta(np.asarray(minutes, dtype=float), unit="min")).strftime("%Y-%m-%dT%H:%M:%S.%f")


def write_snapshot(folder: Path, scenario: Scenario, results: list[list[UnitResult]]) -> Path:
    """Write ``folder/snapshot.csv.gz``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SNAPSHOT_FILE
    write_csv(snapshot_frame(scenario, results), path)
    return path
