"""Counter groups: how a unit's reception desks are split over the groups of fields they serve.

In practice a unit's counters are specialised by field (a land counter, civil-status counters),
so the desks serve separate queues. The split of a unit's desk total over its groups is a rule,
not a published norm (assumption): each group gets one desk when the total allows, the desks
left over follow the groups' expected desk workload by largest remainder.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.catalogue import ChannelMix, Procedure
from sim.model.scenario import DeskPolicy, VisitPolicy

IN_PERSON = 0  # the in-person channel's index in a ChannelMix


def split_desks(total: int, weights: tuple[float, ...]) -> tuple[int, ...]:
    """``total`` desks over groups of the given (non-negative) weights.

    With at least one desk per group to give, each group gets one and the rest go in proportion
    to the weights (all equal if they are all 0), by largest remainder, ties to the group listed
    first. With fewer desks than groups, the groups of the largest weights get one each (ties to
    the first listed), and the others none (their citizens are served by any free desk).
    """
    groups = len(weights)
    order = sorted(range(groups), key=lambda g: (-weights[g], g))
    if total < groups:
        counts = [0] * groups
        for g in order[:total]:
            counts[g] = 1
        return tuple(counts)
    spare = total - groups
    weight_sum = sum(weights)
    shares = [w / weight_sum for w in weights] if weight_sum > 0 else [1.0 / groups] * groups
    exact = [spare * s for s in shares]
    counts = [math.floor(x) for x in exact]
    left = spare - sum(counts)
    for g in sorted(range(groups), key=lambda g: (-(exact[g] - counts[g]), g))[:left]:
        counts[g] += 1
    return tuple(1 + c for c in counts)


def group_weights(procedures: tuple[Procedure, ...], mix: ChannelMix, of_procedure: tuple[int, ...],
                  groups: int, visits: VisitPolicy | None = None, papers_share: float = 0.0) -> tuple[float, ...]:
    """Each group's expected desk minutes per in-person record of a node kind: the share of its
    procedures among in-person records times their mean desk time, plus, with ``visits``
    (:class:`~sim.model.scenario.VisitPolicy`, any share above 0), the expected minutes of the
    desk-only visits they bring: collections (``collect_share`` of every channel's records),
    papers brought (``papers_share`` of the multi-day records wait for papers) and guidance (at the
    procedure's group, or ``visits.guidance_group``). Visits made after the horizon count too."""
    given_channel = mix.procedure_given_channel(IN_PERSON)
    weights = np.zeros(groups)
    for k, p in enumerate(procedures):
        if mix.used[k]:
            weights[of_procedure[k]] += given_channel[k] * p.desk_minutes.mean
    if visits is not None:
        in_person = mix.channel_share()[IN_PERSON]
        for k, p in enumerate(procedures):
            if not mix.used[k] or in_person <= 0:
                continue
            records = mix.procedure_share[k] / in_person  # the procedure's records (any channel) per in-person record
            papers = papers_share * visits.supplement_share if p.deadline_wd > 0 else 0.0
            weights[of_procedure[k]] += records * (p.collect_share * visits.collection_minutes.mean
                                                   + papers * visits.supplement_minutes.mean)
            guidance = visits.guidance_per_submission * given_channel[k] * visits.guidance_minutes.mean
            weights[of_procedure[k] if visits.guidance_counter == "procedure" else visits.guidance_group] += guidance
    return tuple(float(w) for w in weights)


def group_split(total: int, procedures: tuple[Procedure, ...], mix: ChannelMix, policy: DeskPolicy,
                of_procedure: tuple[int, ...], papers_share: float) -> tuple[int, ...]:
    """A node's ``total`` counters over the counter groups by the rule (:func:`split_desks` on the
    groups' expected desk minutes, desk-only visits included when any is on): the one place the
    split is made, for a run's plans and for the counts a recommendation tries."""
    visits = policy.visits if policy.visits.any_with(procedures) else None
    weights = group_weights(procedures, mix, of_procedure, len(policy.groups), visits, papers_share)
    return split_desks(total, weights)
