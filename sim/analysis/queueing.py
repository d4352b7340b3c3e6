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
