"""Procedure groups and their random quantities: demand mix, channels, desk time, effort, lag."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.registry import Registry

CHANNELS = ("in_person", "online", "post")

# The kinds of distribution (``kind:`` of every distribution in the configs), each an inverse
# cumulative distribution function: (mean, cv, uniforms in [0, 1)) -> values. Monotone in the
# uniforms, so two scenarios that give a record the same uniform give it values that move smoothly
# with the parameters: common random numbers survive parameter changes.
DISTRIBUTIONS: Registry[Callable[[float, float, np.ndarray], np.ndarray]] = Registry("distribution kind")


def _constant_value(mean: float, u: np.ndarray) -> np.ndarray:
    return np.full(u.shape, float(mean))


@DISTRIBUTIONS.register("constant")
def constant(mean: float, cv: float, u: np.ndarray) -> np.ndarray:
    """Always the mean (cv is ignored)."""
    return _constant_value(mean, u)


@DISTRIBUTIONS.register("exponential")
def exponential(mean: float, cv: float, u: np.ndarray) -> np.ndarray:
    """Exponential with the given mean (its cv is 1 whatever ``cv`` says)."""
    if mean == 0:
        return _constant_value(mean, u)
    return -mean * np.log1p(-u)


@DISTRIBUTIONS.register("lognormal")
def lognormal(mean: float, cv: float, u: np.ndarray) -> np.ndarray:
    """Lognormal with the given mean and cv."""
    if mean == 0 or cv == 0:
        return _constant_value(mean, u)
    from scipy import special  # deferred: keeps command-line start-up fast

    sigma2 = math.log1p(cv**2)
    return np.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * special.ndtri(u))


@DISTRIBUTIONS.register("gamma")
def gamma(mean: float, cv: float, u: np.ndarray) -> np.ndarray:
    """Gamma with the given mean and cv: shape 1 / cv², scale mean · cv²."""
    if mean == 0 or cv == 0:
        return _constant_value(mean, u)
    from scipy import special  # deferred: keeps command-line start-up fast

    shape = 1 / cv**2
    return special.gammaincinv(shape, u) * (mean / shape)


DISTRIBUTION_KINDS = DISTRIBUTIONS.names()  # the kinds registered above: allowed values of every ``kind:``


@dataclass(frozen=True)
class Distribution:
    """A non-negative random quantity described by its kind, mean and coefficient of variation."""

    kind: str  # a name in DISTRIBUTIONS
    mean: float
    cv: float

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Values by inverse transform of uniforms in [0, 1) (see :data:`DISTRIBUTIONS`)."""
        return DISTRIBUTIONS.get(self.kind)(self.mean, self.cv, np.asarray(u, dtype=float))


@dataclass(frozen=True)
class Procedure:
    name: str
    label: str
    field: str
    share: dict[str, float]  # unit kind -> share of that kind's records
    channels: tuple[float, float, float]  # in person, online, post
    desk_minutes: Distribution
    effort_minutes: Distribution
    external_lag_wd: Distribution
    deadline_wd: int
    obligation_share: float  # share of records with a financial obligation to pay after review
    obligation_wd: Distribution  # working days from review to payment (the deadline stands still)
    source: str
    collect_share: float = 0.0  # share of records (any channel) whose result is collected at a counter


@dataclass(frozen=True)
class ChannelMix:
    """For one node kind: how records split over procedures and channels.

    Sums run over the procedures the kind has (share above 0) only, so a procedure added for
    another kind (the City Centre's, say) leaves this kind's figures the same to the last bit, and
    with them every record its random numbers give."""

    procedure_share: np.ndarray  # (procedures,)
    channel_given_procedure: np.ndarray  # (procedures, 3)

    @property
    def used(self) -> np.ndarray:
        """Which procedures this kind has."""
        return self.procedure_share > 0

    def channel_share(self) -> np.ndarray:
        return self.procedure_share[self.used] @ self.channel_given_procedure[self.used]

    def procedure_given_channel(self, channel: int) -> np.ndarray:
        joint = self.procedure_share * self.channel_given_procedure[:, channel]
        total = joint[self.used].sum()
        return joint / total if total > 0 else joint


def channel_mix(procedures: tuple[Procedure, ...], kind: str) -> ChannelMix:
    return ChannelMix(
        np.array([p.share[kind] for p in procedures]),
        np.array([p.channels for p in procedures], dtype=float),
    )


def with_online_share(mix: ChannelMix, target: float) -> ChannelMix:
    """Shift every procedure's online share on the logit scale by one common amount so that the
    kind's overall online share equals ``target``; post keeps its ratio to in-person.

    Procedures never offered online (share 0) or only online (share 1) stay as they are, so a
    target outside what the others can reach raises ValueError.
    """
    from scipy.optimize import brentq  # only needed when a scenario sets an online share

    online = mix.channel_given_procedure[:, 1]
    used = mix.used
    adjustable = (online > 0) & (online < 1)
    logit = np.log(online[adjustable] / (1 - online[adjustable]))

    def shifted(delta: float) -> np.ndarray:
        new = online.copy()
        new[adjustable] = 1 / (1 + np.exp(-(logit + delta)))
        return new

    def gap(delta: float) -> float:
        return float(mix.procedure_share[used] @ shifted(delta)[used]) - target

    low, high = gap(-40.0), gap(40.0)
    if not (low <= 0 <= high):
        reach = tuple(float(mix.procedure_share[used] @ shifted(d)[used]) for d in (-40.0, 40.0))
        raise ValueError(f"{target} is outside the reachable range {reach[0]:.3f}..{reach[1]:.3f}")
    new_online = shifted(brentq(gap, -40.0, 40.0, xtol=1e-12))
    rest = mix.channel_given_procedure[:, [0, 2]]
    rest_total = rest.sum(axis=1, keepdims=True)
    safe_total = np.where(rest_total > 0, rest_total, 1.0)
    rest_split = np.where(rest_total > 0, rest / safe_total, np.array([[1.0, 0.0]]))
    new_rest = rest_split * (1 - new_online)[:, None]
    channels = np.column_stack([new_rest[:, 0], new_online, new_rest[:, 1]])
    return ChannelMix(mix.procedure_share, channels)
