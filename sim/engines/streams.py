"""Named random streams: one numpy generator per (replication, unit, stream name).

Each stream is seeded from ``SeedSequence(seed, spawn_key=(replication, unit, stream_key(name)))``,
the unit being its row in the full city table. A stream's numbers therefore depend on the root
seed, the replication, the unit and the stream's *name* only: not on which other streams exist or
in which order they are listed, so adding a stream leaves every existing stream, and every
archived result drawn from them, unchanged. ``tests/test_streams.py`` pins a few drawn values.
"""

from __future__ import annotations

import zlib

import numpy as np

# The streams a unit's workload draws from (:mod:`sim.engines.workload`): each attribute of a
# record has its own stream in each block of records (in person; remote = online and post), so a
# record keeps its random numbers when a scenario changes another attribute's distribution.
# In-person records have no channel to draw, remote ones no desk time. The order of this tuple
# does not matter.
STREAMS = (
    "in_person.arrivals", "in_person.procedure", "in_person.desk_minutes", "in_person.patience",
    "in_person.returns", "in_person.effort", "in_person.external_lag", "in_person.approval",
    "in_person.supplement", "in_person.obligation",
    # the day as it starts (sim.engines.arrivals): who comes before opening and when, who books
    "in_person.door", "in_person.booking",
    "remote.arrivals", "remote.channel", "remote.procedure", "remote.patience",
    "remote.returns", "remote.effort", "remote.external_lag", "remote.approval", "remote.supplement",
    "remote.obligation",
    # desk-only visits (sim.engines.visits): a result collected, missing papers brought, guidance
    "in_person.collection", "remote.collection", "in_person.supplement_visit", "remote.supplement_visit",
    "guidance.arrivals", "guidance.visit",
    # returns for correction (sim.model.departments.passes), drawn only when staff.rework is on
    "in_person.rework", "remote.rework",
)
# The opening stock's own streams (:mod:`sim.engines.stock`): records in process when the period
# starts draw only from these, so adding a stock leaves every record of the period unchanged.
STOCK_STREAMS = (
    "stock.procedure", "stock.channel", "stock.age", "stock.effort", "stock.external_lag", "stock.supplement",
    "stock.obligation", "stock.approval", "stock.rework",
)


def stream_key(name: str) -> int:
    """The stream's place in the seed tree: the CRC-32 of its name.

    CRC-32 is fixed by its standard and the same on every machine and Python version, unlike
    Python's ``hash()``, which is salted per process.
    """
    return zlib.crc32(name.encode("utf-8"))


def unit_streams(seed: int, replication: int, unit_index: int,
                 names: tuple[str, ...] = STREAMS) -> dict[str, np.random.Generator]:
    """A fresh generator for each named stream of one unit in one replication."""
    keys = {stream_key(name): name for name in names}
    if len(keys) != len(set(names)):  # two names with one CRC would share their numbers
        raise ValueError(f"stream names {sorted(names)} do not all have distinct keys")
    return {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, unit_index, key)))
        for key, name in keys.items()
    }
