#!/usr/bin/env python3
"""Where a JFR recording's CPU samples go, by layer.

    bench/jfr-summary.py derive.jfr [--thread SUBSTRING] [--top N]

Reads `jfr print --json --events jdk.ExecutionSample`. Each sample is attributed to the first
frame, from the top, outside the JDK (java.*, jdk.*, sun.*): that frame's layer (Kafka Streams,
the producer, Avro, our serde, ...) is what the sample costs. Prints the layers' shares and the
hottest such frames. A summary for reading, not a measurement: JFR samples every 10-20 ms.
"""
import argparse
import collections
import json
import subprocess
import sys

LAYERS = [
    ("io.pmaccountstream.serde.", "our serde"),
    ("io.pmaccountstream.derivation.", "derivation logic"),
    ("io.pmaccountstream.streams.", "our topology glue"),
    ("io.pmaccountstream.replay.", "replay"),
    ("io.pmaccountstream.avro.", "Avro generated classes"),
    ("io.pmaccountstream.", "pm-account-stream, other"),
    ("org.apache.avro.", "Avro"),
    ("org.apache.kafka.streams.state.", "Streams state stores"),
    ("org.apache.kafka.streams.", "Kafka Streams"),
    ("org.rocksdb.", "RocksDB (JNI)"),
    ("org.apache.kafka.clients.producer.", "producer"),
    ("org.apache.kafka.clients.consumer.", "consumer"),
    ("org.apache.kafka.common.record.", "record batches (common)"),
    ("org.apache.kafka.common.metrics.", "Kafka metrics"),
    ("org.apache.kafka.", "Kafka clients, other"),
    ("ch.qos.logback.", "logging"),
    ("org.slf4j.", "logging"),
]
JDK = ("java.", "jdk.", "sun.", "javax.")


def layer(type_name):
    for prefix, name in LAYERS:
        if type_name.startswith(prefix):
            return name
    return "other: " + ".".join(type_name.split(".")[:3])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("recording")
    p.add_argument("--thread", default="", help="only threads whose name contains this")
    p.add_argument("--top", type=int, default=15)
    a = p.parse_args()
    out = subprocess.run(
        ["jfr", "print", "--json", "--events", "jdk.ExecutionSample", a.recording],
        check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    layers, frames, threads = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for e in events:
        v = e["values"]
        thread = (v.get("sampledThread") or {}).get("javaName") or "?"
        if a.thread not in thread:
            continue
        stack = (v.get("stackTrace") or {}).get("frames") or []
        total += 1
        threads[thread] += 1
        chosen = None
        for f in stack:
            t = f["method"]["type"]["name"].replace("/", ".")
            if not t.startswith(JDK):
                chosen = f
                break
        if chosen is None:
            top = stack[0]["method"]["type"]["name"].replace("/", ".") if stack else "?"
            layers["JDK only: " + ".".join(top.split(".")[:2])] += 1
            continue
        t = chosen["method"]["type"]["name"].replace("/", ".")
        layers[layer(t)] += 1
        frames[t + "." + chosen["method"]["name"]] += 1
    if total == 0:
        sys.exit("no samples" + (" on threads matching " + a.thread if a.thread else ""))
    print(f"{total} samples" + (f" on threads matching '{a.thread}'" if a.thread else ""))
    print("\nthreads:")
    for name, n in threads.most_common(8):
        print(f"  {100.0 * n / total:5.1f} %  {name}")
    print("\nlayers (first frame outside the JDK):")
    for name, n in layers.most_common():
        print(f"  {100.0 * n / total:5.1f} %  {name}")
    print(f"\ntop {a.top} frames:")
    for name, n in frames.most_common(a.top):
        print(f"  {100.0 * n / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
