"""Event logs in and out: XES (also gzipped), CSV and Parquet, with a column mapping.

Every reader returns the **canonical event table** (a ``pyarrow.Table``, see
``docs/journeys.md``)::

    case_id    string (or dictionary) one case: one run of a procedure (or a trace of XES)
    activity   string                 what happened (``events.Activity`` for the platform)
    timestamp  timestamp[us, UTC]     when
    seq        int64                  position of the event in the source (0, 1, 2 …)
    …          attributes             procedure, step, field, error_code, segment, reason,
                                      user_id, and any other column of the source

``seq`` is the last sort key of every analysis: events of a case that share a timestamp keep
the order of the source file (this is what reproduces the published variant counts).

The XES reader streams (lxml ``iterparse``): elements are freed as soon as they are read and
events are turned into Arrow columns every ``chunk_size`` events, so a 10-million-event log
costs its Arrow columns, not its XML tree.
"""

from __future__ import annotations

import csv as _csv
import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from lxml import etree

CASE, ACTIVITY, TIMESTAMP, SEQ = "case_id", "activity", "timestamp", "seq"
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
#: Attributes the analyses know by name (all optional).
KNOWN_ATTRIBUTES = (
    "user_id",
    "procedure",
    "step",
    "field",
    "error_code",
    "segment",
    "reason",
)
XES_CASE_PREFIX = "case:"


class LogError(ValueError):
    """A log that cannot be read: the message says which column or element, in French."""


@dataclass(frozen=True)
class Mapping:
    """Which source column is the case, the activity, the timestamp, and each attribute.

    ``attributes`` maps a canonical attribute name to a source column (``{"segment":
    "case:channel"}``). Columns not mapped are kept under their own name unless
    ``keep_other`` is false. A column given as ``"a+b"`` is the concatenation of the source
    columns ``a`` and ``b`` separated by ``+`` (an XES classifier such as
    ``concept:name+lifecycle:transition``).
    """

    case: str = CASE
    activity: str = ACTIVITY
    timestamp: str = TIMESTAMP
    attributes: dict[str, str] = field(default_factory=dict)
    keep_other: bool = True
    timestamp_format: str | None = None  # strptime format when the timestamps are not ISO 8601

    @classmethod
    def parse(cls, text: str | None, default: Mapping | None = None) -> Mapping:
        """``case=Case ID,activity=Activity,timestamp=Start,segment=channel`` or a JSON file."""
        base = default or cls()
        if not text:
            return base
        path = Path(text)
        if path.suffix == ".json" and path.exists():
            items = json.loads(path.read_text(encoding="utf-8"))
        else:
            items = {}
            for part in text.split(","):
                if not part.strip():
                    continue
                if "=" not in part:
                    raise LogError(f"Correspondance illisible : « {part} » (attendu nom=colonne).")
                key, value = part.split("=", 1)
                items[key.strip()] = value.strip()
        values = {
            "case": items.pop("case", base.case),
            "activity": items.pop("activity", base.activity),
            "timestamp": items.pop("timestamp", base.timestamp),
            "timestamp_format": items.pop("timestamp_format", base.timestamp_format),
        }
        keep = items.pop("keep_other", base.keep_other)
        attributes = dict(base.attributes)
        attributes.update(items.pop("attributes", {}))
        attributes.update(items)
        return cls(**values, attributes=attributes, keep_other=keep in (True, "true", "1", "oui"))


XES_MAPPING = Mapping(case="case:concept:name", activity="concept:name", timestamp="time:timestamp")


# ----------------------------------------------------------------------------------- reading
def read(path: str | Path, mapping: Mapping | str | None = None) -> pa.Table:
    """Read a log by its extension (.xes, .xes.gz, .csv, .csv.gz, .parquet)."""
    path = Path(path)
    if not path.exists():
        raise LogError(f"Fichier introuvable : {path}")
    name = path.name.lower()
    default = XES_MAPPING if name.endswith((".xes", ".xes.gz")) else Mapping()
    if isinstance(mapping, str) or mapping is None:
        mapping = Mapping.parse(mapping, default)
    if name.endswith((".xes", ".xes.gz")):
        return read_xes(path, mapping)
    if name.endswith((".csv", ".csv.gz")):
        return read_csv(path, mapping)
    if name.endswith(".parquet") or path.is_dir():
        return read_parquet(path, mapping)
    raise LogError(f"Format non reconnu : {path.name} (XES, CSV ou Parquet attendu).")


def read_parquet(path: str | Path, mapping: Mapping | None = None) -> pa.Table:
    # Strings read as dictionaries: a column of a few distinct values (activity, procedure,
    # step, field…) then costs one small integer per event instead of one string.
    schema = pq.read_schema(path)
    strings = [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    table = pq.read_table(path, read_dictionary=strings)
    return canonical(table, mapping or Mapping())


def read_csv(path: str | Path, mapping: Mapping | None = None) -> pa.Table:
    mapping = mapping or Mapping()
    convert = pa_csv.ConvertOptions(
        column_types={mapping.timestamp: pa.string()}, strings_can_be_null=True
    )
    table = pa_csv.read_csv(path, convert_options=convert)
    return canonical(table, mapping)


def canonical(table: pa.Table, mapping: Mapping) -> pa.Table:
    """Rename, type and order the columns of a source table; add ``seq`` if it has none."""
    columns: dict[str, pa.ChunkedArray] = {}
    used: set[str] = set()

    def column(spec: str, role: str) -> pa.ChunkedArray:
        parts = spec.split("+") if spec not in table.column_names else [spec]
        for part in parts:
            if part not in table.column_names:
                known = ", ".join(table.column_names[:20])
                raise LogError(
                    f"Colonne « {part} » absente du journal (rôle : {role}). "
                    f"Colonnes présentes : {known}."
                )
            used.add(part)
        if len(parts) == 1 and pa.types.is_dictionary(table[parts[0]].type):
            return table[parts[0]]  # kept as a dictionary of strings (see read_parquet)
        arrays = [_as_string(table[p]) for p in parts]
        if len(arrays) == 1:
            return arrays[0]
        return pc.binary_join_element_wise(*arrays, "+")

    columns[CASE] = column(mapping.case, "cas")
    columns[ACTIVITY] = column(mapping.activity, "activité")
    used.add(mapping.timestamp)
    if mapping.timestamp not in table.column_names:
        raise LogError(f"Colonne « {mapping.timestamp} » absente du journal (rôle : horodatage).")
    columns[TIMESTAMP] = to_timestamp(table[mapping.timestamp], mapping.timestamp_format)
    if SEQ in table.column_names and SEQ not in mapping.attributes.values():
        columns[SEQ] = table[SEQ].cast(pa.int64())
        used.add(SEQ)
    else:
        columns[SEQ] = pa.chunked_array([pa.array(range(table.num_rows), pa.int64())])
    for name, source in mapping.attributes.items():
        if name in (CASE, ACTIVITY, TIMESTAMP, SEQ):
            raise LogError(f"« {name} » est réservé ; choisissez un autre nom d'attribut.")
        columns[name] = column(source, name)
    if mapping.keep_other:
        for name in table.column_names:
            if name not in used and name not in columns:
                columns[name] = table[name]
    for name in (CASE, ACTIVITY):
        if columns[name].null_count:
            raise LogError(f"{columns[name].null_count} événements sans {name}.")
    if columns[TIMESTAMP].null_count:
        raise LogError(f"{columns[TIMESTAMP].null_count} événements sans horodatage.")
    return pa.table(columns)


def _as_string(array: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_string(array.type):
        return array
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        return array.cast(pa.string())
    return pc.cast(array, pa.string())


def to_timestamp(array: pa.ChunkedArray | pa.Array, fmt: str | None = None) -> pa.ChunkedArray:
    """ISO 8601 strings (with or without offset; without, UTC is assumed) or timestamps → UTC."""
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    kind = array.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            return array.cast(pa.timestamp("us")).cast(TIMESTAMP_TYPE)
        return array.cast(TIMESTAMP_TYPE)
    if pa.types.is_date(kind):
        return array.cast(pa.timestamp("us")).cast(TIMESTAMP_TYPE)
    strings = _as_string(array)
    try:
        if fmt:
            parsed = pc.strptime(strings, format=fmt, unit="us")
            return parsed.cast(TIMESTAMP_TYPE)
        return strings.cast(TIMESTAMP_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Fallback: one value at a time, to name the first bad one.
    import datetime as dt

    out = []
    for value in strings.to_pylist():
        if value is None:
            out.append(None)
            continue
        try:
            stamp = dt.datetime.strptime(value, fmt) if fmt else dt.datetime.fromisoformat(value)
        except ValueError:
            raise LogError(f"Horodatage illisible : « {value} ».") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        out.append(stamp)
    return pa.chunked_array([pa.array(out, TIMESTAMP_TYPE)])


# ---------------------------------------------------------------------------------------- XES
_XES_TYPES = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


class _Chunk:
    """Events of one chunk as dicts key → value, with the XES type seen for each key."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.kinds: dict[str, str] = {}
        self.tags: dict[object, str] = {}

    def attributes(self, element, prefix: str = "") -> dict[str, str]:
        """The direct attributes of an XES element (nested ones are ignored)."""
        found = {}
        tags, kinds = self.tags, self.kinds
        for child in element:
            tag = child.tag
            kind = tags.get(tag)
            if kind is None:
                kind = _local(tag) if isinstance(tag, str) else ""
                kind = kind if kind in _XES_TYPES else ""
                tags[tag] = kind
            if not kind:
                continue
            key = child.get("key")
            if key is None:
                continue
            key = prefix + key
            found[key] = child.get("value")
            known = kinds.get(key)
            if known != kind:
                kinds[key] = kind if known is None else "string"
        return found

    def table(self) -> pa.Table:
        rows = self.rows
        columns = {}
        for key, kind in self.kinds.items():
            columns[key] = _typed([row.get(key) for row in rows], kind)
        return pa.table(columns)


def iter_xes_chunks(path: str | Path, chunk_size: int = 250_000) -> Iterator[pa.Table]:
    """Stream an XES file as raw Arrow tables of at most ``chunk_size`` events.

    Columns: ``case:<key>`` for the trace attributes, ``<key>`` for the event attributes, and
    ``seq`` (position of the event in the file). XES types are kept (date → timestamp, int,
    float, boolean); a key seen with two types becomes a string.
    """
    path = Path(path)
    chunk = _Chunk()
    seq = 0
    with _open(path) as stream:
        parser = etree.iterparse(
            stream,
            events=("end",),
            tag=("{*}trace", "trace"),
            huge_tree=True,
            remove_comments=True,
        )
        try:
            for _, trace in parser:
                trace_attributes = chunk.attributes(trace, XES_CASE_PREFIX)
                rows = chunk.rows
                for event in trace:
                    tag = event.tag
                    if tag != "event" and not (isinstance(tag, str) and tag.endswith("}event")):
                        continue
                    row = chunk.attributes(event)
                    row.update(trace_attributes)
                    row[SEQ] = seq
                    seq += 1
                    rows.append(row)
                trace.clear()
                parent = trace.getparent()
                while trace.getprevious() is not None:
                    del parent[0]
                if len(rows) >= chunk_size:
                    chunk.kinds[SEQ] = "int"
                    yield chunk.table()
                    chunk = _Chunk()
        except etree.XMLSyntaxError as exc:
            raise LogError(f"Fichier XES mal formé : {exc}") from None
    if chunk.rows or seq == 0:
        chunk.kinds[SEQ] = "int"
        yield chunk.table()


def _typed(values: list, kind: str) -> pa.Array:
    if kind == "int" and all(isinstance(v, int) or v is None for v in values):
        return pa.array(values, pa.int64())
    strings = pa.array(values, pa.string())
    try:
        if kind == "date":
            return strings.cast(TIMESTAMP_TYPE)
        if kind == "int":
            return strings.cast(pa.int64())
        if kind == "float":
            return strings.cast(pa.float64())
        if kind == "boolean":
            return pc.equal(pc.utf8_lower(strings), "true")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return strings
    return strings


def read_xes(
    path: str | Path, mapping: Mapping | None = None, chunk_size: int = 250_000
) -> pa.Table:
    """Read an XES log (``.xes`` or gzipped) into the canonical event table."""
    chunks = list(iter_xes_chunks(path, chunk_size))
    raw = pa.concat_tables(chunks, promote_options="permissive") if len(chunks) > 1 else chunks[0]
    if raw.num_rows == 0:
        raise LogError(f"Aucun événement dans {Path(path).name}.")
    return canonical(raw, mapping or XES_MAPPING)


# ---------------------------------------------------------------------------------- writing
def write(table: pa.Table, path: str | Path) -> Path:
    """Write by extension: .parquet, .csv (or .csv.gz), .xes (or .xes.gz)."""
    path = Path(path)
    name = path.name.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".parquet"):
        write_parquet(table, path)
    elif name.endswith((".csv", ".csv.gz")):
        write_csv(table, path)
    elif name.endswith((".xes", ".xes.gz")):
        write_xes(table, path)
    else:
        raise LogError(f"Format de sortie non reconnu : {path.name} (Parquet, CSV ou XES).")
    return path


def write_parquet(table: pa.Table, path: str | Path) -> None:
    pq.write_table(table, path, compression="zstd")


def write_csv(table: pa.Table, path: str | Path) -> None:
    path = Path(path)
    if path.name.lower().endswith(".gz"):
        with pa.CompressedOutputStream(str(path), "gzip") as out:
            pa_csv.write_csv(table, out)
    else:
        pa_csv.write_csv(table, path)


def _xes_value(value) -> tuple[str, str]:
    import datetime as dt

    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return "int", str(value)
    if isinstance(value, float):
        return "float", repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return "date", value.isoformat(timespec="milliseconds")
    return "string", str(value)


def _attribute_lines(items: Iterable[tuple[str, object]], indent: str) -> list[str]:
    lines = []
    for key, value in items:
        if value is None:
            continue
        kind, text = _xes_value(value)
        lines.append(f"{indent}<{kind} key={quoteattr(key)} value={quoteattr(text)}/>\n")
    return lines


def write_xes(table: pa.Table, path: str | Path, batch_size: int = 100_000) -> None:
    """XES 1.0: one trace per case (in order of first appearance), events in (timestamp, seq)
    order. ``case:<key>`` columns become trace attributes; the others, event attributes."""
    path = Path(path)
    trace_keys = [c for c in table.column_names if c.startswith(XES_CASE_PREFIX)]
    event_keys = [
        c for c in table.column_names if c not in trace_keys and c not in (CASE, ACTIVITY, SEQ)
    ]
    first = pc.rank(table[CASE].combine_chunks(), sort_keys="ascending", tiebreaker="dense")
    order = pa.table(
        {
            "case": table[CASE],
            "ts": table[TIMESTAMP],
            "seq": table[SEQ],
            "i": pa.array(range(table.num_rows), pa.int64()),
        }
    )
    first_index = order.group_by("case").aggregate([("i", "min")])
    del first
    order = order.join(first_index, "case")
    indices = pc.sort_indices(
        order, sort_keys=[("i_min", "ascending"), ("ts", "ascending"), ("seq", "ascending")]
    )
    positions = pc.take(order["i"], indices)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n')
        out.write('<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n')
        out.write(
            '\t<extension name="Concept" prefix="concept" '
            'uri="http://www.xes-standard.org/concept.xesext"/>\n'
            '\t<extension name="Time" prefix="time" '
            'uri="http://www.xes-standard.org/time.xesext"/>\n'
            '\t<classifier name="Activity" keys="concept:name"/>\n'
        )
        current = None
        for start in range(0, len(positions), batch_size):
            batch = table.take(positions[start : start + batch_size]).to_pylist()
            lines: list[str] = []
            for row in batch:
                case = row[CASE]
                if case != current:
                    if current is not None:
                        lines.append("\t</trace>\n")
                    lines.append("\t<trace>\n")
                    lines.append(f'\t\t<string key="concept:name" value={quoteattr(case)}/>\n')
                    lines.extend(
                        _attribute_lines(
                            (
                                (k[len(XES_CASE_PREFIX) :], row[k])
                                for k in trace_keys
                                if k != XES_CASE_PREFIX + "concept:name"
                            ),
                            "\t\t",
                        )
                    )
                    current = case
                lines.append("\t\t<event>\n")
                lines.extend(
                    _attribute_lines(
                        [("concept:name", row[ACTIVITY])]
                        + [("time:timestamp" if k == TIMESTAMP else k, row[k]) for k in event_keys],
                        "\t\t\t",
                    )
                )
                lines.append("\t\t</event>\n")
            out.write("".join(lines))
        if current is not None:
            out.write("\t</trace>\n")
        out.write("</log>\n")


def csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV file (to suggest a mapping)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return next(_csv.reader(handle))
