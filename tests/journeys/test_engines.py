"""DuckDB and PySpark (local mode, one core) give the same results."""

import math
import shutil

import pytest

from unefois.journeys import synthetic
from unefois.journeys.analysis import analyse, load, spark_session

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(shutil.which("java") is None, reason="Java is needed for Spark"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def same(a, b, path="") -> None:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            assert a is b, path
            return
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif hasattr(a, "to_pylist"):
        same(a.to_pylist(), b.to_pylist(), path)
    elif hasattr(a, "__dataclass_fields__"):
        same(vars(a), vars(b), path)
    else:
        assert a == b, (path, a, b)


def test_duckdb_and_spark_agree(read_log):
    session = spark_session(cores=1)
    try:
        logs = {
            "receipt": read_log("receipt.xes.gz"),
            "journeys": synthetic.generate(synthetic.Settings(cases=2_500, seed=11)),
        }
        for name, table in logs.items():
            duck = analyse(load(table, "duckdb"))
            spark = analyse(load(table, "spark", con=__import__("ibis").pyspark.connect(session)))
            for key in duck:
                if key in ("timings", "engine"):
                    continue
                same(duck[key], spark[key], f"{name}:{key}")
            assert duck["variants"].num_rows > 10
            if name == "journeys":
                assert duck["opportunities"], "the journeys have opportunities"
    finally:
        session.stop()
