"""Write the simulated population to Parquet, chunk by chunk, with a progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from unefois.rules.inputs import NO_END

from .population import HOUSEHOLDS_PER_CHUNK, Settings, chunks

TABLES = ("households", "children", "employees", "contracts", "months")


def _arrow(table: dict[str, np.ndarray]) -> pa.Table:
    columns = {}
    for name, values in table.items():
        if name in ("contract_start", "contract_end"):
            days = np.asarray(values, dtype=np.int64)
            columns[name] = pa.array(
                days.astype("datetime64[D]"), type=pa.date32(), mask=days >= NO_END
            )
        else:
            columns[name] = pa.array(values)
    return pa.table(columns)


def write(settings: Settings, directory: Path, progress: bool = True) -> dict:
    from rich.progress import Progress

    directory.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pq.ParquetWriter] = {}
    counts = dict.fromkeys(TABLES, 0)
    try:
        with Progress(disable=not progress, transient=True) as bar:
            task = bar.add_task("Population simulée (foyers)", total=settings.households)
            for chunk in chunks(settings):
                for name in TABLES:
                    table = _arrow(chunk[name])
                    if name not in writers:
                        writers[name] = pq.ParquetWriter(
                            directory / f"{name}.parquet", table.schema
                        )
                    writers[name].write_table(table)
                    counts[name] += table.num_rows
                bar.update(
                    task,
                    advance=min(HOUSEHOLDS_PER_CHUNK, len(chunk["households"]["household_id"])),
                )
    finally:
        for writer in writers.values():
            writer.close()
    summary = {
        "households": settings.households,
        "months": settings.months,
        "first_month": settings.first_month,
        "seed": settings.seed,
        "rows": counts,
    }
    (directory / "population.json").write_text(json.dumps(summary, indent=2))
    return summary
