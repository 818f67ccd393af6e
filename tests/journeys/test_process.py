"""Process map and variants equal PM4Py's (a test-only dependency, AGPL) and the published
figures, ties in timestamps broken by the position in the file."""

import warnings

import pytest

from unefois.journeys.analysis import load, process

from .conftest import log_path

VARIANTS = {"running-example.xes": 6, "receipt.xes.gz": 116, "bpic2012.xes.gz": 4_366}


def pm4py_frame(table):
    """The same events as PM4Py's own reader gives them (file order, UTC timestamps)."""
    frame = table.select(["case_id", "activity", "timestamp"]).to_pandas()
    return frame.rename(
        columns={
            "case_id": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
        }
    )


@pytest.fixture(scope="module")
def pm4py():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

    return pm4py


@pytest.mark.parametrize("name", list(VARIANTS))
def test_process_map_and_variants_equal_pm4py(read_log, pm4py, name):
    table = read_log(name)
    log = load(table)
    edges = process.dfg(log)
    variants = process.variants(log)
    ends = process.start_end(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pm4py_frame(table)
        dfg, starts, finals = pm4py.discover_dfg(frame)
        reference_variants = pm4py.get_variants(frame)
    assert {(r["source"], r["target"]): r["count"] for r in edges.to_pylist()} == dfg
    assert ends["start"] == starts
    assert ends["end"] == finals
    ours = {tuple(r["variant"]): r["count"] for r in variants.to_pylist()}
    assert ours == reference_variants
    assert len(ours) == VARIANTS[name]
    assert sum(ours.values()) == log.run(log.cases.count().as_table()).column(0)[0].as_py()


@pytest.mark.parametrize("name", ["running-example.xes", "receipt.xes.gz"])
def test_our_reader_equals_pm4py_reader(read_log, pm4py, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pm4py.read_xes(str(log_path(name)), show_progress_bar=False)
    table = read_log(name)
    assert table["case_id"].to_pylist() == frame["case:concept:name"].tolist()
    assert table["activity"].to_pylist() == frame["concept:name"].tolist()
    ours = [t.timestamp() for t in table["timestamp"].to_pylist()]
    assert ours == [t.timestamp() for t in frame["time:timestamp"]]


def test_ties_are_broken_by_file_order(read_log):
    """Sorting ties another way gives another variant count: the sequence number matters."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = read_log("bpic2012.xes.gz")
    reversed_seq = table.set_column(table.column_names.index("seq"), "seq", pc.negate(table["seq"]))
    assert process.variants(load(reversed_seq)).num_rows != 4_366
    assert isinstance(table, pa.Table)


def test_running_example_durations_and_bottleneck(read_log):
    log = load(read_log("running-example.xes"))
    (row,) = process.durations(log).to_pylist()
    assert row["cases"] == 6
    assert row["median_h"] != row["mean_h"]
    top = process.bottlenecks(log, top=1).to_pylist()[0]
    assert (top["source"], top["target"]) == ("decide", "pay compensation")
