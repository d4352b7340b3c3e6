"""Queueing theory references the simulation is checked against."""

from __future__ import annotations

import math

def erlang_c_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), same time unit as the inputs."""
    offered = arrival_rate * service_mean
    rho = offered / servers
    if rho >= 1:
        return math.inf
    terms = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - rho)
    p_wait = top / (terms + top)
    return p_wait * service_mean / (servers - offered)


def erlang_c_probability(offered: float, servers: int) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C) with ``offered`` = λ/μ
    erlangs and ``servers`` servers; 1 when the queue is unstable. Erlang B's recursion keeps it
    exact for hundreds of servers, where the factorials of the textbook form overflow."""
    if servers <= 0 or offered >= servers:
        return 1.0
    if offered <= 0:
        return 0.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    rho = offered / servers
    return blocking / (1 - rho * (1 - blocking))


def erlang_c_wait_quantile(arrival_rate: float, service_mean: float, servers: int, q: float) -> float:
    """The ``q`` quantile of the wait in queue of an M/M/c queue, from P(W > t) = C(c, a) e^{-(cμ-λ)t}:
    0 when fewer than a share 1 - q wait at all, infinite when the queue is unstable."""
    offered = arrival_rate * service_mean
    if servers <= 0 or offered >= servers:
        return math.inf
    waiting = erlang_c_probability(offered, servers)
    if waiting <= 1 - q:
        return 0.0
    return math.log(waiting / (1 - q)) / (servers / service_mean - arrival_rate)


def servers_for_wait_quantile(arrival_rate: float, service_mean: float, target: float, q: float,
                              high: int) -> int:
    """The fewest servers (at least one) whose M/M/c ``q`` quantile of the wait is at most ``target``;
    ``high`` + 1 when even ``high`` servers do not reach it."""
    servers = max(1, math.floor(arrival_rate * service_mean) + 1)
    while servers <= high and erlang_c_wait_quantile(arrival_rate, service_mean, servers, q) > target:
        servers += 1
    return servers
