"""A synthetic population of households, childminders, nannies, contracts and months of activity,
deterministic from a seed (see docs/simulation.md)."""
