"""From a unit's model to what happened to each record: random streams, the workload drawn up front,
the two engines (fast, and the SimPy reference) and the outcome they both return."""
