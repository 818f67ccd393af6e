import gzip
import shutil
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from unefois.journeys import io

from .conftest import log_path

PUBLISHED = {
    # file: (events, cases, activities)
    "running-example.xes": (42, 6, 8),
    "receipt.xes.gz": (8_577, 1_434, 27),
    "bpic2012.xes.gz": (262_200, 13_087, 24),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_xes_counts_equal_the_published_figures(read_log, name):
    table = read_log(name)
    events, cases, activities = PUBLISHED[name]
    assert table.num_rows == events
    assert pc.count_distinct(table["case_id"]).as_py() == cases
    assert pc.count_distinct(table["activity"]).as_py() == activities
    assert table["seq"].to_pylist() == list(range(events))
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")


def test_receipt_keeps_the_case_attribute_channel(read_log):
    table = read_log("receipt.xes.gz")
    per_case = dict(
        zip(table["case_id"].to_pylist(), table["case:channel"].to_pylist(), strict=True)
    )
    counts = Counter(per_case.values())
    # The published figures; one more case has the value "Intern" (1,434 cases in all).
    assert {k: counts[k] for k in ("Internet", "Desk", "Post", "e-mail")} == {
        "Internet": 1250,
        "Desk": 109,
        "Post": 53,
        "e-mail": 21,
    }
    assert sum(counts.values()) == 1434


def test_timestamps_are_utc_from_their_offsets(read_log):
    table = read_log("running-example.xes")
    first = table.filter(pc.equal(table["seq"], 0))
    # 2010-12-30T14:32:00.000+01:00
    assert str(first["timestamp"][0].as_py()) == "2010-12-30 13:32:00+00:00"


def test_plain_and_gzipped_xes_read_the_same(tmp_path):
    source = log_path("running-example.xes")
    packed = tmp_path / "running-example.xes.gz"
    with open(source, "rb") as raw, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(raw, out)
    assert io.read(packed).equals(io.read(source))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xes", ".xes.gz", ".csv.gz"])
def test_export_then_import_gives_the_same_events(read_log, tmp_path, suffix):
    table = read_log("receipt.xes.gz").select(
        ["case_id", "activity", "timestamp", "seq", "org:resource", "case:channel"]
    )
    path = io.write(table, tmp_path / f"log{suffix}")
    back = io.read(path)
    # Parquet strings come back dictionary-encoded (same values, less memory).
    back = pa.table(
        {
            name: col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
            for name, col in zip(back.column_names, back.columns, strict=True)
        }
    )
    key = ["case_id", "timestamp", "seq"] if "xes" not in suffix else ["case_id", "timestamp"]
    order = [(k, "ascending") for k in key]
    a = table.sort_by(order)
    b = back.sort_by(order)
    assert b.num_rows == a.num_rows
    for column in ("case_id", "activity", "timestamp"):
        assert b[column].to_pylist() == a[column].to_pylist(), column
    assert b["case:channel"].to_pylist() == a["case:channel"].to_pylist()


def test_csv_with_a_column_mapping(tmp_path):
    path = tmp_path / "demarches.csv"
    path.write_text(
        "Dossier;Étape;Quand;Canal\n"
        "a;début;2025-01-02 10:00:00;web\n"
        "a;fin;2025-01-02 10:05:00;web\n"
        "b;début;2025-01-03T09:00:00+01:00;guichet\n".replace(";", ","),
        encoding="utf-8",
    )
    table = io.read(path, "case=Dossier,activity=Étape,timestamp=Quand,segment=Canal")
    assert table.column_names[:5] == ["case_id", "activity", "timestamp", "seq", "segment"]
    assert table["segment"].to_pylist() == ["web", "web", "guichet"]
    assert str(table["timestamp"][2].as_py()) == "2025-01-03 08:00:00+00:00"


def test_a_missing_column_is_named_in_french(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,2025-01-01\n", encoding="utf-8")
    with pytest.raises(io.LogError, match="Colonne « case_id » absente"):
        io.read(path)


def test_a_broken_xes_is_refused(tmp_path):
    path = tmp_path / "broken.xes"
    path.write_text("<log><trace><event><string key='concept:name'", encoding="utf-8")
    with pytest.raises(io.LogError, match="mal formé"):
        io.read(path)
