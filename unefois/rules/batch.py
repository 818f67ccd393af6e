"""Many payslips from a Parquet file, in chunks, with a progress bar.

The input file has one row per payslip and the columns of ``inputs.COLUMNS`` (dates may be
Parquet dates or day numbers); missing columns take their defaults. The output file has every
input column, every figure of ``payslip.OUTPUTS`` and the contribution lines (money in euros
rounded to the cent), plus ``erreurs`` and ``avertissements`` (codes, separated by commas).
A row in error has no figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .checks import ERROR, codes, severity
from .engine import calculate
from .inputs import BY_NAME, NO_END

ROWS_PER_STEP = 262_144


def _column(table: pa.Table, name: str) -> np.ndarray:
    array = table.column(name)
    if pa.types.is_date(array.type) or pa.types.is_timestamp(array.type):
        days = pc.fill_null(array.cast(pa.date32()).cast(pa.int32()), 0)
        values = days.to_numpy(zero_copy_only=False).astype(np.int64)
        nulls = array.is_null().to_numpy(zero_copy_only=False)
        values[nulls] = NO_END if name == "contract_end" else 0
        return values
    values = array.to_numpy(zero_copy_only=False)
    dtype = BY_NAME[name].dtype
    if name == "contract_end":
        values = np.where(np.isnan(values.astype(float)), NO_END, values).astype(np.int64)
    return values.astype(dtype) if dtype != "f8" else values.astype(np.float64)


def run_parquet(source: Path, target: Path, progress: bool = True) -> dict:
    from rich.progress import Progress

    parquet = pq.ParquetFile(source)
    unknown = set(parquet.schema_arrow.names) - set(BY_NAME)
    if unknown:
        raise ValueError(f"Colonnes inconnues dans {source} : {', '.join(sorted(unknown))}")
    total = parquet.metadata.num_rows
    writer = None
    count = bad = 0
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Calcul des bulletins", total=total)
        for record_batch in parquet.iter_batches(batch_size=ROWS_PER_STEP):
            table = pa.Table.from_batches([record_batch])
            n = table.num_rows
            columns = {name: _column(table, name) for name in table.column_names}
            result = calculate(columns, n)
            out = {name: table.column(name) for name in table.column_names}
            for name, values in result.outputs.items():
                out[name] = pa.array(values)
            errors, warnings = _codes(result, n)
            out["erreurs"] = pa.array(errors)
            out["avertissements"] = pa.array(warnings)
            chunk = pa.table(out)
            if writer is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(target, chunk.schema)
            writer.write_table(chunk)
            count += n
            bad += int(result.errors.sum())
            bar.update(task, advance=n)
    if writer is not None:
        writer.close()
    return {"bulletins": count, "en_erreur": bad, "fichier": str(target)}


def _codes(result, n: int) -> tuple[list[str], list[str]]:
    """Codes of each row's errors and warnings (decoded once per distinct combination)."""
    distinct, inverse = np.unique(result.flags, return_inverse=True)
    texts = []
    for value in distinct:
        found = codes(value)
        texts.append(
            (
                ",".join(c for c in found if severity(c) == ERROR),
                ",".join(c for c in found if severity(c) != ERROR),
            )
        )
    return [texts[i][0] for i in inverse], [texts[i][1] for i in inverse]
