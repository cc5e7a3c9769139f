#!/usr/bin/env python3
"""Peers in the same run: NATS JetStream, Mosquitto and the C ceiling, measured as Knutepunkt's ingest is.

`make bench-peers` builds the C drivers (Benchmarks/Peers/*.c) into .build-peers/ and runs this script, which on
127.0.0.1 only, with servers on ports the kernel chose:

1. starts Debian's nats-server with JetStream (file store in a temporary directory) and runs nats_js twice per
   client count: async publishes with a Nats-Msg-Id header (the event id; the stream has a 2-minute duplicate
   window, so JetStream deduplicates), then without the header; stops the server;
2. starts Mosquitto (persistence on, to a temporary directory), subscribes a persistent session (QoS 1, then
   offline, so the broker must hold every message for it), runs mqtt_qos1's QoS 1 publishes, restarts the broker
   and counts what the session still gets (every event, once); stops it;
3. runs zmq_ceiling: DEALER clients → one ROUTER server process appending to a file, fdatasync per group, ACK after.

Payloads, counts, windows and batches are the ingest benchmark's (BENCH_INGEST_EVENTS, BENCH_NODE_WINDOW,
BENCH_HUB_MAX_BATCH, batches of 256, 1 and 4 clients). Each figure is printed as one JSON line, as KnutepunktBench
prints its own. With BENCH_RESULT_FILE naming a Benchmarks/results/DATE.json file (or "newest": the newest one),
the lines are merged into its "results", with ratio lines when that file holds Knutepunkt's ingest figures of
the same run; otherwise they go to Benchmarks/results/peers-DATE.jsonl. A driver that finds the server holding
anything but what it sent fails the run (exit status 1, nothing written). Every server started here is stopped
on the way out, on failure, Ctrl-C or SIGTERM too (and, should this script be killed, by PR_SET_PDEATHSIG).

Environment: BENCH_PEERS_LIST ("jetstream mosquitto ceiling"), BENCH_PEERS_CLIENTS ("1 4").
"""

import ctypes
import datetime
import glob
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import payloads  # noqa: E402  (Benchmarks/Peers/payloads.py)

NATS_SERVER = os.environ.get("NATS_SERVER", "/usr/sbin/nats-server")
MOSQUITTO = os.environ.get("MOSQUITTO", "/usr/sbin/mosquitto")
DRIVER_TIMEOUT = 900  # seconds; the drivers bound their own loops to 600 s
START_TIMEOUT = 15


def env_int(name, default):
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return default


EVENTS = env_int("BENCH_INGEST_EVENTS", 200_000)
WINDOW = env_int("BENCH_NODE_WINDOW", 16_384)
GROUP = env_int("BENCH_HUB_MAX_BATCH", 8_192)
BATCH = 256
CLIENTS = [int(c) for c in os.environ.get("BENCH_PEERS_CLIENTS", "1 4").split()]
PEERS = os.environ.get("BENCH_PEERS_LIST", "jetstream mosquitto ceiling").split()


class Failure(Exception):
    pass


def log(text):
    print(text, file=sys.stderr, flush=True)


# ---- processes ----

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: the server gets SIGTERM if this script dies without its cleanup (SIGKILL).
    _libc.prctl(1, signal.SIGTERM, 0, 0, 0)


started = []  # every server process this script started and has not stopped yet


def start_server(argv, log_path, cwd):
    out = open(log_path, "ab")
    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                               preexec_fn=_die_with_parent)
    out.close()
    started.append(process)
    return process


def stop_server(process):
    """SIGTERM, up to 20 s for a clean exit (Mosquitto saves its database then), SIGKILL otherwise."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process in started:
        started.remove(process)
    return process.returncode


def stop_all():
    for process in list(started):
        try:
            stop_server(process)
        except Exception as error:  # keep stopping the others
            log("could not stop process %d: %s" % (process.pid, error))


def on_signal(number, frame):
    raise KeyboardInterrupt("signal %d" % number)


def run_driver(argv, cwd, expect_result=True):
    """Runs a driver, returns the JSON object it printed; a non-zero exit is a failure."""
    log("  $ " + " ".join(argv))
    try:
        result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=DRIVER_TIMEOUT,
                                preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise Failure("%s: no result within %d s" % (os.path.basename(argv[0]), DRIVER_TIMEOUT))
    stderr = result.stderr.decode(errors="replace").strip()
    if stderr:
        log("    " + stderr.replace("\n", "\n    "))
    if result.returncode != 0:
        raise Failure("%s exited with %d: %s" % (os.path.basename(argv[0]), result.returncode, stderr[-500:]))
    lines = [line for line in result.stdout.decode().splitlines() if line.startswith("{")]
    if not expect_result:
        return None
    if not lines:
        raise Failure("%s printed no result" % os.path.basename(argv[0]))
    return json.loads(lines[-1])


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, what):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure("%s exited at start (status %s)" % (what, process.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise Failure("%s did not listen on 127.0.0.1:%d within %d s" % (what, port, START_TIMEOUT))


def version(argv, pattern):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(pattern, out)
    return match.group(1) if match else "unknown"


def clients_label(k):
    return "%d_client%s" % (k, "" if k == 1 else "s")


def figure(benchmark, result, details):
    """One line as KnutepunktBench prints it: benchmark, value (2 decimals), unit, details."""
    line = {"benchmark": benchmark, "value": round(result["rate"], 2), "unit": "messages/s"}
    for key in ("clients", "messages", "seconds", "window", "batch", "payload_bytes_mean",
                "driver_cpu_us_per_message", "server_cpu_us_per_message", "driver_cpu_seconds",
                "server_cpu_seconds", "acknowledged"):
        if key in result:
            line[key] = result[key]
    load = details.pop("_load", None)
    line.update(details)
    if load is not None:
        line["load_1min_before"] = round(load, 2)
    line = {key: value for key, value in line.items() if value is not None}
    print(json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":")), flush=True)
    return line


# ---- the peers ----

def jetstream(bin_dir, work, samples):
    lines = []
    version_text = version([NATS_SERVER, "--version"], r"v?(\d+\.\d+\.\d+)")
    folder = os.path.join(work, "nats")
    os.makedirs(folder)
    process = start_server([NATS_SERVER, "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", os.path.join(folder, "js"),
                            "--ports_file_dir", folder, "-l", os.path.join(folder, "nats.log")],
                           os.path.join(folder, "stdout.log"), folder)
    try:
        ports_file = os.path.join(folder, "nats-server_%d.ports" % process.pid)
        deadline = time.monotonic() + START_TIMEOUT
        port = None
        while port is None:
            if process.poll() is not None:
                raise Failure("nats-server exited at start (status %s)" % process.returncode)
            if time.monotonic() > deadline:
                raise Failure("nats-server wrote no ports file within %d s" % START_TIMEOUT)
            try:
                with open(ports_file) as f:
                    port = int(json.load(f)["nats"][0].rsplit(":", 1)[1])
            except (OSError, ValueError, KeyError, IndexError):
                time.sleep(0.05)
        wait_for_port(port, process, "nats-server")
        log("nats-server %s (pid %d) on 127.0.0.1:%d, JetStream file store in %s" %
            (version_text, process.pid, port, folder))
        for dedupe in (1, 0):
            for k in CLIENTS:
                name = "peers.jetstream_%s%s" % ("dedupe_" if dedupe else "", clients_label(k))
                stream = "KP_%s_%d" % ("DEDUPE" if dedupe else "PLAIN", k)
                load = os.getloadavg()[0]
                result = run_driver([os.path.join(bin_dir, "nats_js"), "--port", str(port), "--server-pid",
                                     str(process.pid), "--samples", samples, "--events", str(EVENTS), "--clients",
                                     str(k), "--window", str(WINDOW), "--batch", str(BATCH), "--stream", stream,
                                     "--dedupe", str(dedupe)], folder)
                lines.append(figure(name, result, {
                    "_load": load,
                    "server": "nats-server %s" % version_text,
                    "client": "Benchmarks/Peers/nats_js.c (NATS text protocol, HPUB/PUB with a reply inbox per message)",
                    "dedupe": bool(dedupe),
                    "duplicate_window_s": 120,
                    "stream_messages": result["stream_messages"],
                    "dedupe_recheck": result.get("dedupe_recheck") if dedupe else None,
                    "dedupe_recheck_duplicates": result.get("dedupe_recheck_duplicates") if dedupe else None,
                    "lost": 0, "duplicated": 0,
                    "durability": "JetStream file store, 1 replica; the PubAck does not wait for an fsync "
                                  "(the file store syncs its files in the background, on an interval)",
                }))
    finally:
        stop_server(process)
    return lines


def mosquitto(bin_dir, work, samples):
    lines = []
    version_text = version([MOSQUITTO, "-h"], r"mosquitto version (\d+\.\d+\.\d+)")
    driver = os.path.join(bin_dir, "mqtt_qos1")
    for k in CLIENTS:
        folder = os.path.join(work, "mosquitto-%d" % k)
        os.makedirs(os.path.join(folder, "db"))
        config = os.path.join(folder, "mosquitto.conf")
        port = free_port()
        with open(config, "w") as f:
            f.write("\n".join([
                "listener %d 127.0.0.1" % port,
                "allow_anonymous true",
                "persistence true",
                "persistence_location %s/" % os.path.join(folder, "db"),
                "persistence_file mosquitto.db",
                "autosave_interval 1800",
                "max_inflight_messages %d" % WINDOW,
                "max_queued_messages 0",
                "log_dest file %s" % os.path.join(folder, "mosquitto.log"),
                "",
            ]))
        if os.geteuid() == 0:
            # Started as root, Mosquitto drops to the user "mosquitto", which must be able to write here.
            try:
                user = pwd.getpwnam("mosquitto")
            except KeyError:
                user = None
            if user:
                os.chmod(work, 0o755)  # mkdtemp made it 0700
                for directory, _, files in os.walk(folder):
                    os.chown(directory, user.pw_uid, user.pw_gid)
                    for name in files:
                        os.chown(os.path.join(directory, name), user.pw_uid, user.pw_gid)
            else:
                with open(config, "a") as f:
                    f.write("user root\n")
        process = start_server([MOSQUITTO, "-c", config], os.path.join(folder, "stdout.log"), folder)
        try:
            wait_for_port(port, process, "mosquitto")
            log("mosquitto %s (pid %d) on 127.0.0.1:%d, persistence in %s" % (version_text, process.pid, port, folder))
            run_driver([driver, "--phase", "subscribe", "--port", str(port)], folder, expect_result=False)
            load = os.getloadavg()[0]
            result = run_driver([driver, "--phase", "publish", "--port", str(port), "--server-pid", str(process.pid),
                                 "--samples", samples, "--events", str(EVENTS), "--clients", str(k), "--window",
                                 str(WINDOW), "--batch", str(BATCH)], folder)
            # What the broker holds survives a restart: stop it (it writes mosquitto.db), start it again.
            status = stop_server(process)
            if status != 0:
                raise Failure("mosquitto exited with %s when stopped" % status)
            database = os.path.join(folder, "db", "mosquitto.db")
            database_bytes = os.path.getsize(database) if os.path.exists(database) else 0
            process = start_server([MOSQUITTO, "-c", config], os.path.join(folder, "stdout.log"), folder)
            wait_for_port(port, process, "mosquitto (restarted)")
            held = run_driver([driver, "--phase", "verify", "--port", str(port), "--events",
                               str(result["messages"])], folder)
        finally:
            stop_server(process)
        lines.append(figure("peers.mosquitto_qos1_%s" % clients_label(k), result, {
            "_load": load,
            "server": "mosquitto %s" % version_text,
            "client": "libmosquitto %s, MQTT 3.1.1, QoS 1" % version_text,
            "held_after_restart": held["distinct"],
            "redelivered_twice": held["duplicates"],
            "database_bytes": database_bytes,
            "lost": 0, "duplicated": 0,
            "durability": "persistence on; the messages queued for a persistent QoS 1 session are written to "
                          "mosquitto.db at exit and every autosave_interval (1800 s), not before the PUBACK",
        }))
    return lines


def ceiling(bin_dir, work, samples):
    lines = []
    zmq_version = version(["pkg-config", "--modversion", "libzmq"], r"(\d+\.\d+\.\d+)")
    folder = os.path.join(work, "ceiling")
    os.makedirs(folder)
    for k in CLIENTS:
        load = os.getloadavg()[0]
        result = run_driver([os.path.join(bin_dir, "zmq_ceiling"), "--samples", samples, "--dir", folder, "--events",
                             str(EVENTS), "--clients", str(k), "--window", str(WINDOW), "--batch", str(BATCH),
                             "--group", str(GROUP)], folder)
        lines.append(figure("peers.zmq_ceiling_%s" % clients_label(k), result, {
            "_load": load,
            "server": "Benchmarks/Peers/zmq_ceiling.c, libzmq %s ROUTER, one thread" % zmq_version,
            "group_max": result["group_max"],
            "file_records": result["file_records"],
            "lost": result["lost"], "duplicated": result["duplicated"],
            "durability": "each batch appended to a file (one write), fdatasync once per group, then a cumulative "
                          "ACK per client; no database",
        }))
    return lines


# ---- results ----

RATIOS = [
    # (Knutepunkt figure, peer figure, target from issue 20 or None)
    ("ingest.durable_4_nodes", "peers.jetstream_dedupe_4_clients", 2.0),
    ("ingest.durable_4_nodes_curve", "peers.jetstream_dedupe_4_clients", 1.5),
    ("ingest.durable_1_node", "peers.jetstream_dedupe_1_client", None),
    ("ingest.durable_4_nodes", "peers.jetstream_4_clients", None),
    ("ingest.durable_4_nodes", "peers.mosquitto_qos1_4_clients", None),
    ("ingest.durable_1_node", "peers.mosquitto_qos1_1_client", None),
    ("ingest.durable_4_nodes", "peers.zmq_ceiling_4_clients", None),
    ("ingest.durable_1_node", "peers.zmq_ceiling_1_client", None),
]


def ratio_lines(knutepunkt, peers):
    ours = {line.get("benchmark"): line for line in knutepunkt}
    theirs = {line["benchmark"]: line for line in peers}
    lines = []
    for numerator, denominator, target in RATIOS:
        a, b = ours.get(numerator), theirs.get(denominator)
        if not a or not b or not b.get("value"):
            continue
        line = {
            "benchmark": "ratio.%s/%s" % (numerator, denominator),
            "value": round(a["value"] / b["value"], 3),
            "unit": "ratio (%s over %s)" % (a.get("unit", "events/s"), b.get("unit", "messages/s")),
            "numerator": numerator, "numerator_value": a["value"],
            "denominator": denominator, "denominator_value": b["value"],
        }
        if target is not None:
            line["target"] = target
            line["target_met"] = line["value"] >= target
        for key in ("hub_cpu_us_per_event", "server_cpu_us_per_event", "server_cpu_us_per_message"):
            if key in a and b.get("server_cpu_us_per_message"):
                line["server_cpu_per_message_ratio"] = round(a[key] / b["server_cpu_us_per_message"], 3)
                break
        print(json.dumps(line, sort_keys=True, separators=(",", ":")), flush=True)
        lines.append(line)
    return lines


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = 0.0
    try:
        with open("/proc/meminfo") as f:
            memory = int(f.readline().split()[1]) / (1 << 20)
    except (OSError, ValueError, IndexError):
        pass
    pretty = "unknown"
    try:
        with open("/etc/os-release") as f:
            pretty = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l).get("PRETTY_NAME", "").strip('"')
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "kernel": platform.release(), "os": pretty}


def commit():
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=20).stdout.decode().strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # What this run measured is the drivers and the servers: +dirty if the drivers have changes not committed.
    return head + ("+dirty" if git("status", "--porcelain", "--", "Benchmarks/Peers") else "")


def result_file():
    name = os.environ.get("BENCH_RESULT_FILE", "").strip()
    if not name:
        return None
    if name == "newest":
        candidates = sorted(glob.glob(os.path.join(ROOT, "Benchmarks", "results", "2*.json")))
        if not candidates:
            raise Failure("BENCH_RESULT_FILE=newest, but Benchmarks/results holds no DATE.json file")
        return candidates[-1]
    if not os.path.isfile(name):
        raise Failure("BENCH_RESULT_FILE=%s is not a file" % name)
    return name


def write_results(lines, started_at, target):
    if target:
        with open(target) as f:
            run = json.load(f)
        kept = [r for r in run.get("results", [])
                if not str(r.get("benchmark", "")).startswith(("peers.", "ratio."))]
        # Ratios only within one sitting: Knutepunkt's figures from a run that started at most 6 hours before.
        hours = None
        try:
            knutepunkt_date = datetime.datetime.strptime(run.get("date", ""), "%Y-%m-%dT%H:%M:%SZ")
            hours = (started_at.replace(tzinfo=None) - knutepunkt_date).total_seconds() / 3600
        except ValueError:
            pass
        if hours is not None and 0 <= hours <= 6:
            ratios = ratio_lines(kept, lines)
        else:
            ratios = []
            log("no ratios: %s is not a run of the last 6 hours (%s)" % (target, run.get("date")))
        run["results"] = kept + lines + ratios
        run["peers"] = {"date": started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": commit(),
                        "command": "make bench-peers", "machine": machine(),
                        "hours_after_knutepunkt_run": round(hours, 2) if hours is not None else None}
        temporary = target + ".tmp"
        with open(temporary, "w") as f:
            json.dump(run, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")
        os.replace(temporary, target)
        log("results: merged into %s (%d peer lines, %d ratios)" % (target, len(lines), len(ratios)))
        return
    folder = os.path.join(ROOT, "Benchmarks", "results")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "peers-%s.jsonl" % started_at.strftime("%Y-%m-%dT%H%M%SZ"))
    header = {"benchmark": "peers.run", "value": os.cpu_count(), "unit": "cores", "commit": commit(),
              "date": started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(), "command": "make bench-peers",
              "note": "no Knutepunkt figures in this file: set BENCH_RESULT_FILE to merge into a run of make bench "
                      "and get the ratios"}
    with open(path, "w") as f:
        for line in [header] + lines:
            f.write(json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    log("results: %s" % path)


def main():
    bin_dir = os.path.join(ROOT, ".build-peers")
    if "--bin" in sys.argv:
        bin_dir = os.path.abspath(sys.argv[sys.argv.index("--bin") + 1])
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    started_at = datetime.datetime.now(datetime.timezone.utc)
    target = result_file()
    work = tempfile.mkdtemp(prefix="knutepunkt-peers-")
    lines = []
    current = "setup"
    try:
        samples = os.path.join(work, "samples")
        os.makedirs(samples)
        for region in payloads.REGIONS:
            with open(os.path.join(samples, "sample-%s.jsonl" % region), "wb") as f:
                f.write(b"\n".join(payloads.sample(region)) + b"\n")
        log("peers: %d events per run, window %d, batch %d, group %d, clients %s; work in %s" %
            (EVENTS, WINDOW, BATCH, GROUP, CLIENTS, work))
        if not CLIENTS or any(k < 1 or k > 4 for k in CLIENTS):
            raise Failure("BENCH_PEERS_CLIENTS must name client counts from 1 to 4")
        runs = {"jetstream": jetstream, "mosquitto": mosquitto, "ceiling": ceiling}
        for name in PEERS:
            if name not in runs:
                raise Failure("unknown peer %r; choose from %s" % (name, " ".join(runs)))
            current = name
            lines += runs[name](bin_dir, work, samples)
        current = "results"
        write_results(lines, started_at, target)
    except (Failure, KeyboardInterrupt, OSError, ValueError, KeyError) as error:
        log("benchmark peers %s FAILED: %s" % (current, error))
        return 1
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
