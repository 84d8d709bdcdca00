#!/usr/bin/python3
"""Reads pm-account-stream's data with Confluent's own Python client and prints what it saw.

Independent of our Java code: Confluent's client (confluent-kafka-python, librdkafka) reads the
topics, its schema-registry client fetches the writer schemas by id, and Apache Avro's Python
library decodes them; pandas loads the CSV export. Debian packages, installed with

    apt-get install -y python3-confluent-kafka python3-avro python3-requests python3-pandas

into /usr/bin/python3 (not a pyenv or virtualenv python).

    /usr/bin/python3 tools/interop/confluent_read.py \\
        --bootstrap-servers 127.0.0.1:9092 \\
        --schema-registry-url http://127.0.0.1:8081/apis/ccompat/v7 \\
        --topic pm.account.snapshots --topic pm.account.status-transitions \\
        --topic pm.account.low-unimmr --topic pm.account.latest \\
        --topic pm.account.risk-level-changes \\
        --avro-file replay.status-transitions.avro --csv-file export.csv \\
        --csv-schema schemas/AccountStatus.avsc --csv-schema schemas/AccountSnapshot.avsc

prints one JSON document on stdout:

    {"client": {...versions...},
     "topics": {"pm.account.snapshots": {"records": 12, "types": {...}, "rows": [...]}, ...},
     "avroFiles": {...}, "csvFiles": {...}}

"types" maps "<key>" and every value field to the sorted Python types seen, with the decimal
scale and the time zone: "Decimal(scale=8)", "datetime(UTC)", "str", "int", "null". "rows" hold
every record in read order (each partition in offset order), decimals as exact plain strings
("1.15000000"), datetimes as "2026-12-01T09:15:00.123Z". Topics are read from the beginning to
the end offsets found at start, so the run is bounded; any topic in the list works (the push topic
pm.account.risk-level-changes too). Exit status 2 for a usage or read error, 3 when the
Debian packages are missing.
"""

import argparse
import datetime
import decimal
import json
import sys

INSTALL_HINT = (
    "apt-get update && apt-get install -y python3-confluent-kafka python3-avro"
    " python3-requests python3-pandas (they install into /usr/bin/python3)"
)

try:
    import avro
    import avro.datafile
    import avro.io
    import avro.schema
    import confluent_kafka
    import pandas
    import requests
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.avro import CachedSchemaRegistryClient
    from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
    from confluent_kafka.serialization import StringDeserializer
except ImportError as missing:
    print(
        f"confluent_read.py: {missing} in {sys.executable}; install: {INSTALL_HINT}",
        file=sys.stderr,
    )
    sys.exit(3)

UTC = datetime.timedelta(0)
KEY = "<key>"


def type_tag(value):
    """The Python type of a decoded value, with what matters for exactness."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, decimal.Decimal):
        return f"Decimal(scale={-value.as_tuple().exponent})"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return "datetime(naive)"
        offset = value.utcoffset()
        return "datetime(UTC)" if offset == UTC else f"datetime({offset})"
    if isinstance(value, (list, tuple)):
        return "list[" + ",".join(sorted({type_tag(v) for v in value})) + "]"
    return type(value).__name__


def render(value):
    """A JSON value that keeps every digit: decimals as plain strings, datetimes in UTC."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    return repr(value)


class Summary:
    """Counts, types and rows of one source."""

    def __init__(self):
        self.records = 0
        self.types = {}
        self.rows = []

    def add(self, fields, row):
        self.records += 1
        for name, value in fields.items():
            self.types.setdefault(name, set()).add(type_tag(value))
        self.rows.append(row)

    def to_json(self, **extra):
        result = {
            "records": self.records,
            "types": {name: sorted(tags) for name, tags in sorted(self.types.items())},
        }
        result.update(extra)
        result["rows"] = self.rows
        return result


def read_topic(consumer_config, serializer, topic, timeout_s):
    """Every record of the topic up to the end offsets found at start, values through the registry."""
    consumer = Consumer(consumer_config)
    keys = StringDeserializer("utf_8")
    try:
        metadata = consumer.list_topics(topic, timeout=timeout_s)
        described = metadata.topics.get(topic)
        if described is None or described.error is not None:
            error = "no such topic" if described is None else described.error
            raise RuntimeError(f"topic {topic}: {error}")
        remaining = {}
        assignment = []
        for partition in sorted(described.partitions):
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=timeout_s
            )
            if high > low:
                remaining[partition] = high
                assignment.append(TopicPartition(topic, partition, low))
        summary = Summary()
        if not assignment:
            return summary
        consumer.assign(assignment)
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=timeout_s)
        while remaining:
            if datetime.datetime.now() > deadline:
                raise RuntimeError(f"topic {topic}: end offsets {remaining} not reached in {timeout_s} s")
            message = consumer.poll(0.5)
            if message is not None and message.error() is not None:
                raise RuntimeError(f"topic {topic}: {message.error()}")
            if message is not None and message.offset() < remaining.get(message.partition(), -1):
                add(summary, keys, serializer, message)
            # The position passes transaction markers too, which are never delivered as messages.
            for position in consumer.position([TopicPartition(topic, p) for p in list(remaining)]):
                if position.offset >= remaining[position.partition]:
                    del remaining[position.partition]
        return summary
    finally:
        consumer.close()


def add(summary, keys, serializer, message):
    """One record: the key as a plain string, the value through the registry."""
    key = keys(message.key(), None)
    value = serializer.decode_message(message.value(), is_key=False)
    fields = {KEY: key}
    fields.update(value)
    _, timestamp_ms = message.timestamp()
    summary.add(
        fields,
        {
            "partition": message.partition(),
            "offset": message.offset(),
            "timestamp": timestamp_ms,
            "key": key,
            "value": {name: render(v) for name, v in value.items()},
        },
    )


def read_avro_file(path):
    """An Avro object container file (replay/export output) with Apache Avro's DataFileReader."""
    summary = Summary()
    with open(path, "rb") as stream:
        reader = avro.datafile.DataFileReader(stream, avro.io.DatumReader())
        try:
            schema = json.loads(reader.get_meta("avro.schema").decode("utf-8"))
            for record in reader:
                summary.add(record, {name: render(v) for name, v in record.items()})
        finally:
            reader.close()
    return summary.to_json(schema=schema.get("namespace", "") + "." + schema["name"])


def csv_converters(schema_paths):
    """pandas converters from the Avro schema: decimals to Decimal, timestamps to UTC datetimes.

    The last path is the record's schema; those before it define the named types it uses."""
    names = avro.schema.Names()
    for path in schema_paths:
        with open(path, "rb") as stream:
            schema = avro.schema.make_avsc_object(json.loads(stream.read().decode("utf-8")), names)
    converters = {}
    for field in schema.fields:
        branches = field.type.schemas if isinstance(field.type, avro.schema.UnionSchema) else [field.type]
        branch = next(b for b in branches if b.type != "null")
        nullable = len(branches) > 1
        logical = branch.props.get("logicalType")
        if logical == "decimal":
            convert = decimal.Decimal
        elif logical == "timestamp-millis":
            convert = parse_utc
        elif branch.type in ("int", "long"):
            convert = int
        else:
            convert = str
        converters[field.name] = nullable_cell(convert) if nullable else convert
    return converters


def nullable_cell(convert):
    return lambda cell: None if cell == "" else convert(cell)


def parse_utc(cell):
    """ISO-8601 with a Z, as our CSV writes it, to an aware UTC datetime."""
    return datetime.datetime.fromisoformat(cell.replace("Z", "+00:00"))


def read_csv_file(path, schema_paths):
    """The CSV export with pandas: every cell as text first, so no decimal ever becomes a float."""
    converters = csv_converters(schema_paths)
    frame = pandas.read_csv(
        path, dtype=str, keep_default_na=False, converters=converters, encoding="utf-8"
    )
    summary = Summary()
    for record in frame.to_dict(orient="records"):
        summary.add(record, {name: render(v) for name, v in record.items()})
    return summary.to_json(columns=list(frame.columns))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers")
    parser.add_argument("--schema-registry-url")
    parser.add_argument("--topic", action="append", default=[], help="repeat for each topic")
    parser.add_argument("--avro-file", action="append", default=[], help="repeat for each file")
    parser.add_argument("--csv-file", action="append", default=[], help="repeat for each file")
    parser.add_argument(
        "--csv-schema",
        action="append",
        default=[],
        help="the .avsc of the CSV's records (which columns are decimals and timestamps); repeat,"
        " named types it uses first: schemas/AccountStatus.avsc schemas/AccountSnapshot.avsc",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per topic")
    parser.add_argument("--versions", action="store_true", help="print the client versions only")
    args = parser.parse_args(argv)

    client = {
        "python": sys.version.split()[0],
        "confluent_kafka": confluent_kafka.version()[0],
        "librdkafka": confluent_kafka.libversion()[0],
        "avro": getattr(avro, "__version__", "unknown"),
        "pandas": pandas.__version__,
        "requests": requests.__version__,
    }
    result = {"client": client}
    if args.versions:
        print(json.dumps(result, indent=2))
        return 0
    if args.topic and not (args.bootstrap_servers and args.schema_registry_url):
        parser.error("--topic needs --bootstrap-servers and --schema-registry-url")
    if args.csv_file and not args.csv_schema:
        parser.error("--csv-file needs --csv-schema")

    try:
        topics = {}
        if args.topic:
            registry = CachedSchemaRegistryClient({"url": args.schema_registry_url})
            serializer = MessageSerializer(registry)
            consumer_config = {
                "bootstrap.servers": args.bootstrap_servers,
                "group.id": "pm-account-stream-interop",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
            }
            for topic in args.topic:
                topics[topic] = read_topic(consumer_config, serializer, topic, args.timeout).to_json()
        result["topics"] = topics
        result["avroFiles"] = {path: read_avro_file(path) for path in args.avro_file}
        result["csvFiles"] = {path: read_csv_file(path, args.csv_schema) for path in args.csv_file}
    except Exception as error:  # report any reader failure as one clear line
        print(f"confluent_read.py: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
