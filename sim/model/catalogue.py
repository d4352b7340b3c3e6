"""Procedure groups and their random quantities: demand mix, channels, desk time, effort, lag."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CHANNELS = ("in_person", "online", "post")
DISTRIBUTION_KINDS = ("constant", "exponential", "lognormal", "gamma")


@dataclass(frozen=True)
class Distribution:
    """A non-negative random quantity described by its mean and coefficient of variation."""

    kind: str
    mean: float
    cv: float

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Values by inverse transform of uniforms in [0, 1).

        Monotone in ``u``, so two scenarios that give a record the same uniform give it values
        that move smoothly with the parameters: common random numbers survive parameter changes.
        """
        u = np.asarray(u, dtype=float)
        if self.mean == 0 or self.kind == "constant" or (self.cv == 0 and self.kind != "exponential"):
            return np.full(u.shape, float(self.mean))
        from scipy import special  # deferred: keeps command-line start-up fast

        if self.kind == "exponential":
            return -self.mean * np.log1p(-u)
        if self.kind == "lognormal":
            sigma2 = math.log1p(self.cv**2)
            return np.exp(math.log(self.mean) - sigma2 / 2 + math.sqrt(sigma2) * special.ndtri(u))
        if self.kind == "gamma":
            shape = 1 / self.cv**2
            return special.gammaincinv(shape, u) * (self.mean / shape)
        raise ValueError(f"unknown distribution kind {self.kind!r}")


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
    source: str


@dataclass(frozen=True)
class ChannelMix:
    """For one unit kind: how records split over procedures and channels."""

    procedure_share: np.ndarray  # (procedures,)
    channel_given_procedure: np.ndarray  # (procedures, 3)

    def channel_share(self) -> np.ndarray:
        return self.procedure_share @ self.channel_given_procedure

    def procedure_given_channel(self, channel: int) -> np.ndarray:
        joint = self.procedure_share * self.channel_given_procedure[:, channel]
        total = joint.sum()
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
    adjustable = (online > 0) & (online < 1)
    logit = np.log(online[adjustable] / (1 - online[adjustable]))

    def shifted(delta: float) -> np.ndarray:
        new = online.copy()
        new[adjustable] = 1 / (1 + np.exp(-(logit + delta)))
        return new

    def gap(delta: float) -> float:
        return float(mix.procedure_share @ shifted(delta)) - target

    low, high = gap(-40.0), gap(40.0)
    if not (low <= 0 <= high):
        reach = (float(mix.procedure_share @ shifted(-40.0)), float(mix.procedure_share @ shifted(40.0)))
        raise ValueError(f"{target} is outside the reachable range {reach[0]:.3f}..{reach[1]:.3f}")
    new_online = shifted(brentq(gap, -40.0, 40.0, xtol=1e-12))
    rest = mix.channel_given_procedure[:, [0, 2]]
    rest_total = rest.sum(axis=1, keepdims=True)
    safe_total = np.where(rest_total > 0, rest_total, 1.0)
    rest_split = np.where(rest_total > 0, rest / safe_total, np.array([[1.0, 0.0]]))
    new_rest = rest_split * (1 - new_online)[:, None]
    channels = np.column_stack([new_rest[:, 0], new_online, new_rest[:, 1]])
    return ChannelMix(mix.procedure_share, channels)
