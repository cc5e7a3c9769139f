#!/usr/bin/env python3
"""How cost grows with the store: reads the `scale.stored_events` figures of `KnutepunktBench scale` runs (JSON
lines; other lines are skipped), writes docs/figures/scale.dat (one block per number of cores, for gnuplot), draws
docs/figures/scale.png with docs/figures/scale.gp and prints the table for docs/performance.md.

    python3 Benchmarks/scale-report.py Benchmarks/results/scale-latest.jsonl
"""
import json
import subprocess
import sys


def figures(paths):
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    figure = json.loads(line)
                except ValueError:
                    continue
                if figure.get("benchmark") == "scale.stored_events":
                    yield figure


def main():
    rows = list(figures(sys.argv[1:] or ["Benchmarks/results/scale-latest.jsonl"]))
    if not rows:
        sys.exit("no scale.stored_events figures in " + " ".join(sys.argv[1:]))
    by_cores = {}
    for row in rows:
        by_cores.setdefault(row["cores"], {})[row["stored_events"]] = row
    columns = ["stored_events", "ingest_events_per_s", "hub_cpu_us_per_event", "peak_rss_mib",
               "restart_peak_rss_mib", "first_start_ready_s", "restart_ready_s", "gap_evaluation_ms",
               "fold_counters_s"]
    with open("docs/figures/scale.dat", "w", encoding="utf-8") as out:
        out.write("# " + " ".join(columns) + "\n")
        # Block 0: two cores; block 1: one core (taskset -c 0), as gnuplot's `index`.
        for cores in sorted(by_cores, reverse=True):
            out.write(f"# {cores} core(s)\n")
            for stored in sorted(by_cores[cores]):
                row = by_cores[cores][stored]
                out.write(" ".join(f"{row[c]:.6g}" for c in columns) + "\n")
            out.write("\n\n")
    subprocess.run(["gnuplot", "docs/figures/scale.gp"], check=True)
    print("| stored events | cores | ingest, events/s (4 nodes) | hub CPU µs/event | peak RSS, first start / restart "
          "| start-up, first / restart (exec → ready) | gap evaluation | fold of the counters |")
    print("|---|---|---|---|---|---|---|---|")
    for cores in sorted(by_cores, reverse=True):
        for stored in sorted(by_cores[cores]):
            r = by_cores[cores][stored]
            print(f"| {stored:,} | {cores} | {r['ingest_events_per_s']:,.0f} | {r['hub_cpu_us_per_event']:.1f} "
                  f"| {r['peak_rss_mib']:.1f} / {r['restart_peak_rss_mib']:.1f} MiB "
                  f"| {r['first_start_ready_s']:.2f} / {r['restart_ready_s']:.2f} s "
                  f"| {r['gap_evaluation_ms']:.2f} ms | {r['fold_counters_s']:.2f} s |")


if __name__ == "__main__":
    main()
