"""Fixtures of the journey tests: the real public logs (read where they are, never copied into
the repository) and a synthetic journey log."""

from __future__ import annotations

from pathlib import Path

import pytest

LOGS = Path(__file__).resolve().parents[3] / "shared" / "data" / "eventlogs"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "spark: runs the analyses on PySpark in local mode (Java 17 needed)"
    )


def log_path(name: str) -> Path:
    path = LOGS / name
    if not path.exists():
        pytest.skip(f"public log not found: {path}")
    return path


@pytest.fixture(scope="session")
def read_log():
    from unefois.journeys import io

    cache = {}

    def read(name: str):
        if name not in cache:
            cache[name] = io.read(log_path(name))
        return cache[name]

    return read


@pytest.fixture(scope="session")
def journeys():
    from unefois.journeys import synthetic

    return synthetic.generate(synthetic.Settings(cases=20_000, seed=2025))
