"""Random streams are keyed by their name: pinned values keep archived results reproducible across
versions, and adding a stream changes no existing stream."""

import numpy as np
import pytest

from sim.engines import streams
from sim.engines.streams import STREAMS, stream_key, unit_streams
from sim.engines.workload import draw_workload
from sim.experiments import runner
from sim.experiments.runner import calendar_for
from tests.conftest import scenario_from

SEED = 20250701


def test_stream_keys_are_pinned():
    # CRC-32 of the name: the same on every machine and Python version (Python's hash() is salted).
    assert stream_key("in_person.arrivals") == 2142581682
    assert stream_key("remote.channel") == 2257102894
    assert len({stream_key(name) for name in STREAMS}) == len(STREAMS)


def test_drawn_values_are_pinned():
    """If this fails, every archived result changes: do not update the numbers unless that is meant."""
    streams = unit_streams(SEED, 0, 0)
    np.testing.assert_array_equal(streams["in_person.arrivals"].random(3),
                                  [0.5834600238027231, 0.47038715894744165, 0.14819300570499705])
    np.testing.assert_array_equal(streams["remote.channel"].random(3),
                                  [0.38548771916494473, 0.5278836152001884, 0.984362072781095])
    np.testing.assert_array_equal(unit_streams(SEED, 1, 7)["in_person.patience"].random(3),
                                  [0.9203130509872378, 0.30550581640865604, 0.5214205775400012])


def test_a_units_workload_is_pinned():
    """Ba Đình (row 0), 1-2 July 2025, the uncalibrated baseline scenario, replication 0."""
    scenario = scenario_from("scenario=baseline", "city.units=[ba_dinh]", "period.end=2025-07-02")
    plan = scenario.units[0]
    assert (plan.unit.slug, plan.unit.index) == ("ba_dinh", 0)
    calendar = calendar_for(scenario.calendar, scenario.start, scenario.days)
    w = draw_workload(scenario, plan, calendar, unit_streams(SEED, 0, plan.unit.index))
    assert (len(w), w.n_in_person) == (161, 71)
    close = dict(rtol=1e-12, atol=0)  # derived values: last digits may move with scipy's special functions
    np.testing.assert_allclose(w.arrival[:3], [486.58682003229876, 507.02448460810314, 508.78845990490754], **close)
    np.testing.assert_array_equal(w.procedure[:3], [3, 3, 6])
    np.testing.assert_allclose(w.desk_minutes[:3], [6.58770752329845, 3.496042827279878, 30.759461486208114], **close)
    np.testing.assert_allclose(w.patience_minutes[:3], [83.01152464722992, 72.19723548541765, 73.29243143133348],
                               **close)
    remote = slice(w.n_in_person, w.n_in_person + 3)
    np.testing.assert_allclose(w.arrival[remote], [8.456192492307421, 67.87541627140762, 99.74843988518373], **close)
    np.testing.assert_array_equal(w.channel[remote], [1, 1, 1])
    np.testing.assert_array_equal(w.procedure[remote], [5, 12, 12])
    np.testing.assert_allclose(w.effort_minutes[remote], [133.551366806522, 49.86811949755146, 14.533041964022857],
                               **close)


def test_adding_or_reordering_streams_changes_no_existing_stream():
    before = {name: g.random(5) for name, g in unit_streams(SEED, 2, 3).items()}
    more = ("in_person.a_new_attribute", *reversed(STREAMS), "remote.a_new_attribute")
    after = {name: g.random(5) for name, g in unit_streams(SEED, 2, 3, more).items()}
    for name in STREAMS:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    for new in ("in_person.a_new_attribute", "remote.a_new_attribute"):
        assert not any(np.array_equal(after[new], values) for values in before.values())


def test_streams_differ_by_name_replication_and_unit():
    first = [g.random() for g in unit_streams(SEED, 0, 0).values()]
    assert len(set(first)) == len(STREAMS)
    assert unit_streams(SEED, 0, 0)["remote.effort"].random() != unit_streams(SEED, 1, 0)["remote.effort"].random()
    assert unit_streams(SEED, 0, 0)["remote.effort"].random() != unit_streams(SEED, 0, 1)["remote.effort"].random()


class _Recording(dict):
    """The streams, remembering which ones were asked for."""

    def __init__(self, streams):
        super().__init__(streams)
        self.used = set()

    def __getitem__(self, name):
        self.used.add(name)
        return super().__getitem__(name)


DAY_START_STREAMS = {"in_person.door", "in_person.booking"}  # drawn only when their mechanism is on
REWORK_STREAMS = {"in_person.rework", "remote.rework"}  # drawn only when staff.rework is on (its own test)
VISIT_OVERRIDES = ("procedures.land_transfer.collect_share=0.5", "scenario.supplement_share=0.3",
                   "desks.visits.supplement.share=0.5", "desks.visits.guidance.per_submission=0.2")
DAY_START_OVERRIDES = ("scenario.demand.before_opening.share=0.2", "desks.booking.enabled=true",
                       "desks.booking.start=2025-07-01")


def _visit_stream(name: str) -> bool:
    return "collection" in name or "visit" in name or name.startswith("guidance.")


@pytest.mark.parametrize("visits", [False, True], ids=["visits off", "every kind of visit on"])
@pytest.mark.parametrize("day_start", [False, True], ids=["day start off", "door arrivals and booking on"])
def test_the_workload_draws_from_every_declared_stream_and_no_other(visits, day_start):
    """Each mechanism reads its own streams when on, and none of them when off."""
    overrides = (VISIT_OVERRIDES if visits else ()) + (DAY_START_OVERRIDES if day_start else ())
    scenario = scenario_from("city.units=[ba_dinh]", "period.end=2025-07-02", *overrides)
    plan = scenario.units[0]
    streams = _Recording(unit_streams(SEED, 0, plan.unit.index))
    draw_workload(scenario, plan, calendar_for(scenario.calendar, scenario.start, scenario.days), streams)
    expected = {name for name in STREAMS if (visits or not _visit_stream(name))
                and (day_start or name not in DAY_START_STREAMS) and name not in REWORK_STREAMS}
    assert streams.used == expected


def test_the_runner_seeds_every_task_from_the_named_streams():
    assert runner.unit_streams is streams.unit_streams
