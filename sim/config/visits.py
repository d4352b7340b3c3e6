"""``desks.visits`` validated: the desk visits that submit nothing (results collected, missing
papers brought, guidance asked), as the desk policy's :class:`~sim.model.scenario.VisitPolicy`.

Kept apart from :mod:`sim.config.build`, which calls :func:`visit_policy` after the counter groups
are known; ``check_range`` and ``distribution`` are passed in so that this module does not import
the builder. Each procedure's ``collect_share`` is checked with the catalogue.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from sim.errors import ConfigError
from sim.model.scenario import DeskPolicy, VisitPolicy

GUIDANCE_COUNTERS = ("procedure", "general")
MAX_VISIT_MINUTES = 1000.0  # a visit's mean desk time (a submission's is at most MAX_MINUTES)
MAX_DELAY_DAYS = 1000.0  # open days after the due day
MAX_GUIDANCE_PER_SUBMISSION = 100.0


def visit_policy(v: dict, policy: DeskPolicy, check_range: Callable, distribution: Callable) -> DeskPolicy:
    """The desk policy with its visits (``v`` = ``desks.visits``; ``policy`` has its counter groups)."""
    prefix = "desks.visits."
    collection, supplement, guidance = v["collection"], v["supplement"], v["guidance"]
    check_range(supplement["share"], prefix + "supplement.share", 0.0, 1.0)
    check_range(guidance["per_submission"], prefix + "guidance.per_submission", 0.0, MAX_GUIDANCE_PER_SUBMISSION)
    counter = str(guidance["counter"])
    if counter not in GUIDANCE_COUNTERS:
        raise ConfigError(prefix + "guidance.counter",
                          f"unknown value {counter!r}; choose one of {', '.join(GUIDANCE_COUNTERS)}")
    group = 0
    if counter == "general" and len(policy.groups) > 1:
        if not any(policy.general):
            raise ConfigError(prefix + "guidance.counter",
                              "is 'general' but no counter group is general (one with no fields in desks.groups.fields)")
        group = policy.general.index(True)
    visits = VisitPolicy(
        collection_delay_days=distribution(collection["delay_open_days"], prefix + "collection.delay_open_days",
                                           MAX_DELAY_DAYS),
        collection_minutes=distribution(collection["desk_minutes"], prefix + "collection.desk_minutes",
                                        MAX_VISIT_MINUTES, positive=True),
        supplement_share=float(supplement["share"]),
        supplement_minutes=distribution(supplement["desk_minutes"], prefix + "supplement.desk_minutes",
                                        MAX_VISIT_MINUTES, positive=True),
        guidance_per_submission=float(guidance["per_submission"]),
        guidance_counter=counter,
        guidance_minutes=distribution(guidance["desk_minutes"], prefix + "guidance.desk_minutes", MAX_VISIT_MINUTES,
                                      positive=True),
        guidance_group=group,
    )
    return dataclasses.replace(policy, visits=visits)
