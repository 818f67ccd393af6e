"""Month-contracts for the benchmarks, taken from the simulated population (unefois.simulation).

The rows are those of the synthetic population's ``months`` table (real-looking contracts,
schedules, absences, extra hours, paid leave and ends), in month order as a month's
declarations would arrive.
"""

from __future__ import annotations

import numpy as np

from unefois.rules.inputs import BY_NAME
from unefois.simulation.population import Settings, chunks


def month_contracts(
    n: int, seed: int = 2025, first_month: str = "2025-01"
) -> dict[str, np.ndarray]:
    """At least ``n`` simulated month-contracts (then cut to ``n``), ordered by month."""
    households = max(1000, int(n / 8.5))
    while True:
        parts: dict[str, list[np.ndarray]] = {}
        for chunk in chunks(Settings(households, 12, seed, first_month)):
            for name, values in chunk["months"].items():
                if name in BY_NAME:
                    parts.setdefault(name, []).append(values)
        batch = {name: np.concatenate(values) for name, values in parts.items()}
        if len(batch["period"]) >= n:
            break
        households = int(households * 1.2) + 1
    order = np.argsort(batch["period"], kind="stable")[:n]
    return {name: values[order] for name, values in batch.items()}
