"""Counter groups: how a unit's reception desks are split over the groups of fields they serve.

In practice a unit's counters are specialised by field (a land counter, civil-status counters),
so the desks serve separate queues. The split of a unit's desk total over its groups is a rule,
not a published norm (assumption): each group gets one desk when the total allows, the desks
left over follow the groups' expected desk workload by largest remainder.
"""

from __future__ import annotations

import math


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
