"""Check, then compute: the entry point for one payslip or a million.

``calculate(batch, n)`` cuts the batch into chunks of rows that fall in the same month (the
law of a month is then plain numbers), and for each chunk checks the inputs, computes the
payslips (``payslip.month_chunk``) and runs the checks that need the computed calendar. Each
row gets flags, one bit per rule broken (``checks.CODES``). A row with an error has no figures
(NaN): the law gives no amount for an impossible situation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from . import checks
from .inputs import fill
from .law import OutOfRangeError, month_law
from .payslip import FLAG, OUTPUTS, month_chunk

CHUNK = 16_384


@dataclass
class Result:
    n: int
    columns: dict
    outputs: dict[str, np.ndarray]
    flags: np.ndarray  # uint64, one bit per rule of ``checks.CODES``
    blocking: np.uint64 = checks.ERROR_BITS

    @property
    def errors(self) -> np.ndarray:
        """True for the rows that have at least one blocking error (and no figures)."""
        return (self.flags & self.blocking) != 0

    def codes(self, i: int) -> list[str]:
        return checks.codes(self.flags[i])

    def findings(self, i: int) -> list[checks.Finding]:
        return checks.findings(self.flags[i], self.columns, i)

    def row(self, i: int) -> dict[str, float]:
        return {name: values[i] for name, values in self.outputs.items()}


def calculate(batch: dict, n: int, waive: frozenset[str] = frozenset()) -> Result:
    """Check and compute ``n`` rows.

    ``waive`` lists error codes that should not block (they stay on the row as findings): for
    testing a formula on a published example whose wage is below today's minimum, say. The
    platform never waives anything.
    """
    columns = fill(batch, n)
    period = np.broadcast_to(np.asarray(columns["period"], dtype=np.int64), (n,))
    flags = np.zeros(n, dtype=np.uint64)
    outputs: dict[str, np.ndarray] = {}
    for month, rows in _month_groups(period):
        try:
            law = month_law(month)
        except OutOfRangeError:
            flags[rows] |= checks.BIT["PERIODE_HORS_PARAMETRES"]
            continue
        for index in _chunks(rows):
            size = _length(index)
            chunk = {k: (v[index] if np.ndim(v) else v) for k, v in columns.items()}
            with np.errstate(all="ignore"):  # rows in error may hold anything: they are masked
                masks = checks.before(chunk, size, law)
                values = month_chunk(chunk, size, law)
                masks.update(checks.after(chunk, values))
            flags[index] = checks.flags(masks, size)
            for name, value in values.items():
                if name not in outputs:
                    outputs[name] = _allocate(name, n)
                outputs[name][index] = value
    for name in OUTPUTS:  # figures no month needed (no GED, no end of contract…) are zero
        if name not in outputs:
            outputs[name] = _allocate(name, n)
    blocking = checks.ERROR_BITS
    for code in waive:
        blocking &= ~checks.BIT[code]
    bad = (flags & blocking) != 0
    if bad.any():
        for values in outputs.values():
            if values.dtype != bool:
                values[bad] = np.nan
            else:
                values[bad] = False
    return Result(n=n, columns=columns, outputs=outputs, flags=flags, blocking=blocking)


def _allocate(name: str, n: int) -> np.ndarray:
    if OUTPUTS.get(name) == FLAG:
        return np.zeros(n, dtype=bool)
    return np.zeros(n, dtype=np.float64)


def _length(rows) -> int:
    return len(rows) if isinstance(rows, np.ndarray) else rows.stop - rows.start


def _chunks(rows):
    for lo in range(0, _length(rows), CHUNK):
        if isinstance(rows, np.ndarray):
            yield rows[lo : lo + CHUNK]
        else:
            yield slice(rows.start + lo, min(rows.start + lo + CHUNK, rows.stop))


def _month_groups(period: np.ndarray) -> list[tuple[int, slice | np.ndarray]]:
    """Rows of each month: contiguous slices when the batch is ordered by month."""
    n = len(period)
    if n == 0:
        return []
    steps = np.diff(period)
    if not np.any(steps < 0):
        bounds = [0, *(np.flatnonzero(steps) + 1).tolist(), n]
        return [(int(period[a]), slice(a, b)) for a, b in itertools.pairwise(bounds)]
    months, inverse = np.unique(period, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(inverse))))
    return [(int(m), order[bounds[i] : bounds[i + 1]]) for i, m in enumerate(months)]
