"""From outcomes to figures: per-unit counts, KPIs, intervals and queueing references."""
