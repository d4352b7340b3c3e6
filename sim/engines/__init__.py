"""From a unit's model to what happened to each record: named random streams (streams), the
workload drawn up front (workload), the contract every engine meets and the registry of engines
(contract), the rules both engines share (rules), the two engines (fast, and the SimPy reference)
and the outcome they return (outcome)."""
