#!/usr/bin/python3
"""An independent KPN/1 and KPC/1 peer, written from docs/protocol.md and docs/events.md alone.

It drives a running Knutepunkt hub and node over CURVE, as a node (KPN/1 on the hub's ROUTER), as a viewer (KPC/1
and the event stream on the hub's control and PUB sockets) and as a coordinator (KPC/1 on the node's control
socket), and checks every answer against the documents: every command of both protocols and every reason code.

Usage: kpn_peer.py SETTINGS.json  (see PythonPeerTests.swift for the keys). Prints one JSON report on stdout:
{"failures": [...], "commands": [...], "reasons": [...], "notes": [...]}; exits 0 when there are no failures.
Every wait is bounded (RCVTIMEO); nothing waits for time to pass as a way to synchronise.
"""

import datetime
import json
import struct
import sys
import time
import uuid

import zmq

settings = json.load(open(sys.argv[1]))
context = zmq.Context()
failures = []
notes = []
commands_seen = set()
reasons_seen = set()

# --- The documents, transcribed ---------------------------------------------------------------------------------

KPN = {"HELLO": 1, "WELCOME": 2, "EVENT": 3, "ACK": 4, "NACK": 5, "RESEND": 6, "HEARTBEAT": 7, "ERROR": 8}
KPN_NAME = {v: k for k, v in KPN.items()}
KPC = {"SUBMIT": 1, "SUBMIT_RESULT": 2, "STATUS": 3, "STATUS_REPLY": 4, "GAPS": 5, "GAP_SNAPSHOT": 6,
       "PERIOD": 0x0D, "PERIOD_RESULT": 0x0E, "ERROR": 0x7F}
KPC_NAME = {v: k for k, v in KPC.items()}
REASONS = {
    1: "MALFORMED_MESSAGE", 2: "UNKNOWN_COMMAND", 3: "VERSION_UNSUPPORTED", 4: "HELLO_REQUIRED", 5: "UNKNOWN_NODE",
    6: "NOT_AUTHORIZED", 7: "RATE_LIMITED", 100: "INVALID_EVENT", 101: "MALFORMED_PAYLOAD", 102: "FOREIGN_REGION",
    103: "DUPLICATE_EVENT_ID", 104: "PERSONAL_DATA", 105: "UNSUPPORTED_SCHEMA", 106: "PAYLOAD_TOO_LARGE",
    107: "CONFLICTING_CONTENT", 108: "STALE_VERSION", 109: "PERIOD_LOCKED",
}
CANONICAL_ORDER = [
    "id", "schema", "region", "node", "kind", "date", "municipality", "target_groups", "programmes", "tier",
    "age_bands", "professions", "participants", "families", "sessions", "funding", "note",
]
LARGEST_PAYLOAD = 65536  # docs/protocol.md, "Limits"


def check(condition, what):
    if not condition:
        failures.append(what)
    return condition


def key_file(path):
    """docs/protocol.md, "Key files": the first line of exactly 40 Z85 characters."""
    z85 = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
    for line in open(path, encoding="utf-8").read().splitlines():
        line = line.strip()
        if len(line) == 40 and all(c in z85 for c in line):
            return line.encode()
    raise SystemExit(f"no key in {path}")


def curve_client(socket, secret_path, server_public_path):
    secret = key_file(secret_path)
    socket.curve_secretkey = secret
    socket.curve_publickey = zmq.curve_public(secret)
    socket.curve_serverkey = key_file(server_public_path)


def u64(value):
    return struct.pack(">Q", value)


def u16(value):
    return struct.pack(">H", value)


def header(command, major=1):
    return bytes([0x4B, 0x50, major, command])


def canonical(event):
    """docs/events.md, "The canonical form"."""
    members = []
    for name in CANONICAL_ORDER:
        if name not in event:
            continue
        value = event[name]
        if name == "id":
            value = value.lower()
        members.append(json.dumps(name) + ":" + json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    return ("{" + ",".join(members) + "}").encode()


def fodselsnummer():
    """A Norwegian national identity number with valid check digits (a made-up person)."""
    for individual in range(100, 999):
        digits = [int(c) for c in f"150190{individual}"]
        k1 = 11 - sum(w * d for w, d in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], digits)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = 11 - sum(w * d for w, d in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], digits)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(str(d) for d in digits) + str(k2)


def event(region, node, **changes):
    day = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()
    base = {
        "id": str(uuid.uuid4()).upper(), "schema": 1, "region": region, "node": node, "kind": "TRAINING",
        "date": day, "target_groups": ["PND"], "programmes": ["COS_P"], "tier": "S", "age_bands": ["M3_12"],
        "professions": ["PHN", "PSYCH"], "participants": 14, "families": 0, "sessions": 2, "funding": "PERMANENT",
        "note": "Samspill og tilknytning, Bodø",
    }
    base.update(changes)
    return base


def spelled_freely(value):
    """A valid JSON document for `value`, not in canonical form: members reversed, spaces, non-ASCII escaped."""
    items = list(value.items())[::-1]
    return ("{ " + ", ".join(json.dumps(k) + " : " + json.dumps(v, ensure_ascii=True) for k, v in items) + " }").encode()


# --- KPN/1 as a node ---------------------------------------------------------------------------------------------


class Node:
    def __init__(self, secret, curve=True):
        self.socket = context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RCVTIMEO, 30000)
        if curve:
            curve_client(self.socket, secret, settings["hubPublic"])
        self.socket.connect(settings["hubListen"] if curve else settings["plainHubListen"])

    def send(self, frames):
        self.socket.send_multipart(frames)

    def receive(self):
        """The next message as (command name, fields); raises zmq.Again after the bound."""
        frames = self.socket.recv_multipart()
        head = frames[0]
        check(len(head) == 4 and head[:2] == b"KP" and head[2] == 1, f"bad header {head!r}")
        name = KPN_NAME.get(head[3], f"0x{head[3]:02x}")
        commands_seen.add("KPN " + name)
        if name == "WELCOME":
            check(len(frames) == 4 and len(frames[1]) == 2 and len(frames[2]) == 8, "WELCOME layout")
            return name, {"version": tuple(frames[1]), "settled": struct.unpack(">Q", frames[2])[0],
                          "hub": frames[3].decode()}
        if name == "ACK":
            check(len(frames) == 2 and len(frames[1]) == 8, "ACK layout")
            return name, {"settled": struct.unpack(">Q", frames[1])[0]}
        if name == "NACK":
            check(len(frames) == 4 and len(frames[1]) == 8 and len(frames[2]) == 2, "NACK layout")
            code = struct.unpack(">H", frames[2])[0]
            reasons_seen.add(code)
            check(100 <= code <= 199, f"NACK code {code} outside 100-199")
            return name, {"sequence": struct.unpack(">Q", frames[1])[0], "code": code, "detail": frames[3].decode()}
        if name == "RESEND":
            check(len(frames) == 2 and len(frames[1]) == 8, "RESEND layout")
            return name, {"from": struct.unpack(">Q", frames[1])[0]}
        if name == "ERROR":
            check(len(frames) == 3 and len(frames[1]) == 2, "ERROR layout")
            code = struct.unpack(">H", frames[1])[0]
            reasons_seen.add(code)
            check(1 <= code <= 99, f"ERROR code {code} outside 1-99")
            return name, {"code": code, "detail": frames[2].decode()}
        if name == "HEARTBEAT":
            check(len(frames) == 1, "HEARTBEAT layout")
            return name, {}
        failures.append(f"unexpected command {name} from the hub")
        return name, {}

    def until(self, stop, limit=1000):
        seen = []
        for _ in range(limit):
            message = self.receive()
            seen.append(message)
            if stop(message):
                return seen
        failures.append(f"no stop after {limit} messages: {seen[-3:]}")
        return seen

    def hello(self, node_id, major=1, minor=1):
        # KPN/1.1: versions of events, and the codes CONFLICTING_CONTENT and STALE_VERSION (a 1.0 peer gets
        # DUPLICATE_EVENT_ID for both, the one code it knows).
        self.send([header(KPN["HELLO"], major), bytes([major, minor]), node_id.encode(), b"python-peer/1"])

    def events(self, first, payloads):
        self.send([header(KPN["EVENT"]), u64(first)] + payloads)

    def close(self):
        self.socket.close()


def expect_error(frames, code, what, secret=None, curve=True):
    """Sends `frames` on a fresh connection (the hub sends at most one ERROR per peer per second) and expects ERROR
    `code` in answer."""
    node = Node(secret or settings["nodeSecret"], curve=curve)
    node.send(frames)
    name, fields = node.receive()
    check(name == "ERROR" and fields.get("code") == code, f"{what}: expected ERROR {REASONS[code]}, got {name} {fields}")
    node.close()
    return fields


def kpn_as_node():
    me, region, local = settings["nodeID"], settings["nodeRegion"], settings["localNode"]
    # Session-level refusals, each on its own connection.
    expect_error([b"\x00garbage"], 1, "a frame without the signature")
    expect_error([header(0x7E)], 2, "an unknown command")
    expect_error([header(KPN["ACK"]), u64(1)], 2, "ACK sent to the hub")
    expect_error([header(KPN["HELLO"], 2), bytes([2, 0]), me.encode(), b""], 3, "a HELLO of major version 2")
    expect_error([header(KPN["EVENT"]), u64(1), b"{}"], 4, "EVENT before HELLO")
    expect_error([header(KPN["HELLO"]), bytes([1, 0]), settings["otherNodeID"].encode(), b""], 6,
                 "a HELLO for another node's id with this node's key")
    expect_error([header(KPN["HELLO"]), bytes([1, 0]), b"NO-MARS", b""], 6,
                 "a HELLO for a node without a grant: with CURVE the key decides first")
    big = settings["hubMaxMessageBytes"] // 2 + 1
    too_large = expect_error(
        [header(KPN["HELLO"]), bytes([1, 0]), me.encode(), b"", b"x" * big, b"y" * big], 1,
        "a message whose frames add up to more than hub.maxMessageBytes")
    check("maxMessageBytes" in too_large.get("detail", ""), f"the detail names the limit: {too_large}")

    node = Node(settings["nodeSecret"])
    node.hello(me)
    name, welcome = node.until(lambda m: m[0] != "HEARTBEAT")[-1]
    check(name == "WELCOME" and welcome["version"] == (1, welcome["version"][1]) and welcome["settled"] == 0,
          f"WELCOME for {me}: {name} {welcome}")

    good = event(region, local)
    duplicate = event(region, local, id=good["id"].lower())
    payloads = [
        spelled_freely(good),                                             # 1 stored, in canonical form
        json.dumps(event(region, local, kind="NOT_A_KIND")).encode(),     # 2 INVALID_EVENT
        b"{this is not json",                                             # 3 MALFORMED_PAYLOAD
        json.dumps(event(settings["otherRegion"], settings["otherLocalNode"])).encode(),  # 4 FOREIGN_REGION
        json.dumps(duplicate).encode(),                                   # 5 DUPLICATE_EVENT_ID
        json.dumps(event(region, local, note="Ring mor, " + fodselsnummer())).encode(),  # 6 PERSONAL_DATA
        json.dumps(event(region, local, schema=99)).encode(),             # 7 UNSUPPORTED_SCHEMA
        json.dumps(event(region, local, note="x" * (LARGEST_PAYLOAD + 10))).encode(),  # 8 PAYLOAD_TOO_LARGE
    ]
    # Versions (docs/events.md, "Versions"), each in a message of its own once the one before is settled: the same
    # id with other content and no based_on; version 3, based on a version 2 this hub never held (its node's
    # version 2 was refused, say), stored; and then a version 2 based on version 1, older than the latest.
    versions = [
        json.dumps(dict(good, participants=16)).encode(),                            # 9 CONFLICTING_CONTENT
        json.dumps(dict(good, participants=16, version=3, based_on=2)).encode(),     # 10 stored as version 3
        json.dumps(dict(good, participants=18, version=2, based_on=1)).encode(),     # 11 STALE_VERSION
    ]
    last = len(payloads) + len(versions)
    expected = {2: 100, 3: 101, 4: 102, 5: 103, 6: 104, 7: 105, 8: 106, 9: 107, 11: 108}
    node.events(1, payloads)
    answers = node.until(lambda m: m[0] == "ACK" and m[1]["settled"] >= len(payloads))
    for offset, version in enumerate(versions):
        sequence = len(payloads) + 1 + offset
        node.events(sequence, [version])
        answers += node.until(lambda m: m[0] == "ACK" and m[1]["settled"] >= sequence)
    nacks = {f["sequence"]: f["code"] for n, f in answers if n == "NACK"}
    check(nacks == expected, f"NACKs {nacks}, expected {expected}")
    nack_details = " ".join(f["detail"] for n, f in answers if n == "NACK")
    check(fodselsnummer() not in nack_details, "a NACK's detail quotes the identity number")
    last_nack = max((i for i, (n, _) in enumerate(answers) if n == "NACK"), default=-1)
    first_ack = min((i for i, (n, f) in enumerate(answers) if n == "ACK" and f["settled"] >= last), default=-1)
    check(last_nack < first_ack, "the NACKs come before the ACK that settles them")

    # A gap: the hub asks for what it expects next and drops the rest of the message.
    node.events(last + 4, [json.dumps(event(region, local)).encode()])
    name, fields = node.until(lambda m: m[0] == "RESEND")[-1]
    check(fields.get("from") == last + 1, f"RESEND from {last + 1}, got {fields}")
    # A retransmission of settled events is acknowledged at once and stored nowhere.
    node.events(1, payloads[:1])
    name, fields = node.until(lambda m: m[0] == "ACK")[-1]
    check(fields.get("settled") == last, f"a duplicate answered with ACK {last}, got {fields}")
    node.send([header(KPN["HEARTBEAT"])])
    node.until(lambda m: m[0] == "HEARTBEAT")

    # Over the node's event budget: the excess is answered RATE_LIMITED and left unsettled.
    budget = settings["nodeEventsPerSecond"]
    flood = [json.dumps(event(region, local, note=f"flood {i}")).encode() for i in range(budget * 4)]
    for offset in range(0, len(flood), budget):
        node.events(last + 1 + offset, flood[offset:offset + budget])
    node.send([header(KPN["HEARTBEAT"])])
    seen = node.until(lambda m: m[0] == "HEARTBEAT")
    limited = [f for n, f in seen if n == "ERROR" and f["code"] == 7]
    check(len(limited) >= 1, f"RATE_LIMITED for the messages over the budget: {seen}")
    node.close()
    return {"stored": [canonical(good)]}


def kpn_plaintext():
    """A hub run with --insecure has no keys to decide who a peer is: a HELLO for a node without a grant gets
    UNKNOWN_NODE there (with CURVE, NOT_AUTHORIZED comes first, above)."""
    expect_error([header(KPN["HELLO"]), bytes([1, 0]), b"NO-MARS", b""], 5, "a HELLO for a node without a grant",
                 curve=False)


def malformed_flood(count):
    """Many malformed messages on one connection: every one costs the hub a decode, the log one line per interval."""
    node = Node(settings["nodeSecret"])
    for _ in range(count):
        node.send([b"\x01\x02\x03"])
    node.send([header(KPN["HELLO"]), bytes([1, 0]), settings["nodeID"].encode(), b"python-peer/1"])
    node.until(lambda m: m[0] == "WELCOME")
    node.close()


# --- KPC/1 ---------------------------------------------------------------------------------------------------------


class Control:
    def __init__(self, endpoint, secret=None, server=None):
        self.socket = context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RCVTIMEO, 60000)
        self.socket.setsockopt(zmq.MAXMSGSIZE, -1)
        if secret:
            curve_client(self.socket, secret, server)
        self.socket.connect(endpoint)

    def raw(self, frames):
        """Sends frames as they are (a DEALER: no envelope) and returns (command name, body)."""
        self.socket.send_multipart(frames)
        reply = self.socket.recv_multipart()
        check(len(reply) == 2 and reply[0][:3] == b"KC\x01", f"KPC reply layout {reply[:1]!r}")
        name = KPC_NAME.get(reply[0][3], f"0x{reply[0][3]:02x}")
        commands_seen.add("KPC " + name)
        return name, json.loads(reply[1])

    def request(self, command, body):
        commands_seen.add("KPC " + command)
        return self.raw([b"KC\x01" + bytes([KPC[command]]), json.dumps(body).encode()])


def daemon_events(status, node_id):
    """The events the hub holds from one node daemon (STATUS_REPLY `nodes[]`)."""
    return next((n.get("events", 0) for n in status.get("nodes", []) if n.get("id") == node_id), 0)


def kpc_hub(stored):
    viewer = Control(settings["hubControl"], settings["hubSecret"], settings["hubPublic"])
    name, status = viewer.request("STATUS", {"waitForTotal": 1, "timeoutMillis": 60000})
    check(name == "STATUS_REPLY" and status.get("role") == "hub", f"hub STATUS: {name} {status}")
    check(daemon_events(status, settings["nodeID"]) >= 1,
          f"the hub holds the event of {settings['nodeID']}: {status.get('nodes')}")
    name, gaps = viewer.request("GAPS", {})
    check(name == "GAP_SNAPSHOT" and "epoch" in gaps and "sequence" in gaps and isinstance(gaps.get("gaps"), list),
          f"GAPS: {name} {str(gaps)[:200]}")
    name, failure = viewer.raw([b"KC\x01\x03"])
    check(name == "ERROR" and failure.get("code") == "MALFORMED_REQUEST", f"one frame: {name} {failure}")
    name, failure = viewer.raw([b"KX\x01\x03", b"{}"])
    check(name == "ERROR" and failure.get("code") == "MALFORMED_REQUEST", f"bad signature: {name} {failure}")
    name, failure = viewer.request("SUBMIT", [])
    check(name == "ERROR" and failure.get("code") == "MALFORMED_REQUEST", f"SUBMIT to the hub: {name} {failure}")
    name, failure = viewer.raw([b"KC\x01\x03", b" " * (settings["hubControlRequestBytes"] + 1)])
    check(name == "ERROR" and failure.get("code") == "TOO_LARGE", f"an oversized request: {name} {failure}")
    for _ in range(settings["floodCount"]):
        viewer.raw([b"\x00"])
    name, status = viewer.request("STATUS", {})
    check(name == "STATUS_REPLY", "the hub still answers after a flood of malformed requests")
    viewer.socket.close()


def event_stream(subscriber, stored, coordinated):
    """Every stored event on `event.<REGION>`, in canonical form, numbered 1, 2, 3, … Read until the coordinated
    event (stored last, long after the subscription was made); the event this peer sent in a free spelling is
    checked too when the subscription was live in time for it (ZeroMQ's slow joiner)."""
    last = 0
    for _ in range(10000):
        topic, body, number = subscriber.recv_multipart()
        check(len(number) == 8, "the stream's number is a u64")
        value = struct.unpack(">Q", number)[0]
        check(value > last, f"the stream's numbers go up: {last} then {value}")
        last = value
        received = json.loads(body)
        sent = json.loads(coordinated)
        if received.get("id") == sent["id"]:
            # The node adds what the coordinator does not write (docs/events.md: the submitter members, and the
            # schema version they need); everything the coordinator wrote comes back as written.
            check(topic == ("event." + settings["coordinatedRegion"]).encode(), f"topic {topic!r}")
            for member, value in sent.items():
                if member != "schema":
                    check(received.get(member) == value, f"the coordinated event's {member}: {received.get(member)!r}")
            return
        if received.get("id") == json.loads(stored[0])["id"] and received.get("version", 1) == 1:
            check(body == stored[0], f"the stream carries the canonical form:\n  {body!r}\n  {stored[0]!r}")
            notes.append("the freely spelled event came back canonical on the stream")
    failures.append("the coordinated event never came on the stream")


def kpc_node():
    me, region = settings["coordinatedNode"], settings["coordinatedRegion"]
    coordinator = Control(settings["nodeControl"])
    first = event(region, settings["coordinatedLocalNode"])
    del first["region"]  # the node fills in its region
    name, results = coordinator.request("SUBMIT", [first, event(region, settings["coordinatedLocalNode"], kind="?")])
    check(name == "SUBMIT_RESULT" and [r.get("status") for r in results] == ["queued", "invalid"],
          f"SUBMIT: {name} {results}")
    check(results[1].get("issues") and results[1]["issues"][0].get("field") == "kind", f"issues {results}")
    name, again = coordinator.request("SUBMIT", [first])
    check(name == "SUBMIT_RESULT" and again[0].get("existing") is True, f"the same id again: {again}")
    name, status = coordinator.request("STATUS", {"waitForDrained": True, "timeoutMillis": 60000})
    check(name == "STATUS_REPLY" and status.get("role") == "node" and status["outbox"]["backlog"] == 0,
          f"node STATUS: {name} {status}")
    name, failure = coordinator.raw([b"KC\x01\x01", b"[not json"])
    check(name == "ERROR" and failure.get("code") == "MALFORMED_REQUEST", f"bad JSON: {name} {failure}")
    name, failure = coordinator.request("GAPS", {})
    check(name == "ERROR" and failure.get("code") == "MALFORMED_REQUEST", f"GAPS to a node: {name} {failure}")
    huge = [event(region, settings["coordinatedLocalNode"], note="n" * 200)] * (
        settings["nodeMaxMessageBytes"] // 500 + 10)
    name, failure = coordinator.request("SUBMIT", huge)
    check(name == "ERROR" and failure.get("code") == "TOO_LARGE", f"an oversized SUBMIT: {name} {failure}")
    for _ in range(settings["floodCount"]):
        coordinator.raw([b"\xff"])
    name, status = coordinator.request("STATUS", {})
    check(name == "STATUS_REPLY" and status["outbox"]["lastSequence"] == 1, f"after the flood: {status}")
    coordinator.socket.close()
    return canonical(dict(first, region=region))


def period_locked():
    """docs/protocol.md, "PERIOD": the region's lead signs last month off, the national analyst accepts it, and an
    event dated in it is NACKed PERIOD_LOCKED, naming the month; reopened with a reason, the month is open again."""
    region, local = settings["nodeRegion"], settings["localNode"]
    last_day = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    month = last_day.strftime("%Y-%m")
    viewer = Control(settings["hubControl"], settings["hubSecret"], settings["hubPublic"])
    steps = [
        {"step": "sign-off", "by": "liv", "role": "lead", "actorRegion": region},
        {"step": "accept", "by": "nina", "role": "analyst"},
    ]
    for step in steps:
        name, result = viewer.request("PERIOD", dict(step, region=region, month=month))
        check(name == "PERIOD_RESULT", f"PERIOD {step['step']}: {name} {result}")
    check(result.get("locked") is True, f"accepted, the month is locked: {result}")
    node = Node(settings["nodeSecret"])
    node.hello(settings["nodeID"])
    name, welcome = node.until(lambda m: m[0] != "HEARTBEAT")[-1]
    sequence = welcome.get("settled", 0) + 1
    payload = json.dumps(event(region, local, date=last_day.replace(day=10).isoformat())).encode()
    # The flood before left this node's event budget in debt (a token bucket refilled per second): RATE_LIMITED
    # leaves the message unsettled, to be sent again once the budget has refilled.
    for _ in range(120):
        node.events(sequence, [payload])
        answers = node.until(lambda m: (m[0] == "ACK" and m[1]["settled"] >= sequence)
                             or (m[0] == "ERROR" and m[1]["code"] == 7))
        if answers[-1][0] == "ACK":
            break
        # Time is the thing under test here: the hub's budget refills with time, and nothing else signals it.
        time.sleep(0.25)
    nacks = [f for n, f in answers if n == "NACK"]
    check([f["code"] for f in nacks] == [109], f"an event in a locked month: NACK PERIOD_LOCKED, got {answers}")
    check(all(month in f["detail"] and "nina" in f["detail"] for f in nacks), f"the detail names it: {nacks}")
    node.close()
    name, result = viewer.request(
        "PERIOD", {"region": region, "month": month, "step": "reopen", "by": "nina", "role": "analyst",
                   "reason": "interoperability test"})
    check(name == "PERIOD_RESULT" and result.get("locked") is False, f"reopened: {name} {result}")
    viewer.socket.close()


def main():
    viewer_stream = context.socket(zmq.SUB)
    viewer_stream.setsockopt(zmq.LINGER, 0)
    viewer_stream.setsockopt(zmq.RCVTIMEO, 30000)
    curve_client(viewer_stream, settings["hubSecret"], settings["hubPublic"])
    viewer_stream.setsockopt(zmq.SUBSCRIBE, b"event.")
    viewer_stream.connect(settings["hubPublish"])
    stored = kpn_as_node()["stored"]
    if settings.get("plainHubListen"):
        kpn_plaintext()
    malformed_flood(settings["floodCount"])
    kpc_hub(stored)
    period_locked()
    coordinated = kpc_node()
    viewer = Control(settings["hubControl"], settings["hubSecret"], settings["hubPublic"])
    name, status = viewer.request("STATUS", {})
    check(daemon_events(status, settings["coordinatedNode"]) == 1,
          f"the coordinated event reached the hub: {status.get('nodes')}")
    check(status["events"]["byNode"].get(settings["coordinatedLocalNode"]) == 1,
          f"byNode counts the local node an event names: {status['events']}")
    viewer.socket.close()
    event_stream(viewer_stream, stored, coordinated)
    viewer_stream.close()
    missing_commands = {"KPN " + n for n in KPN if n not in ("HELLO", "EVENT")} | {"KPC " + n for n in KPC}
    missing_commands -= commands_seen
    check(not missing_commands, f"commands never exchanged: {sorted(missing_commands)}")
    missing_reasons = set(REASONS) - reasons_seen
    check(not missing_reasons, f"reason codes never seen: {sorted(REASONS[c] for c in missing_reasons)}")
    report = {"failures": failures, "commands": sorted(commands_seen), "reasons": sorted(reasons_seen),
              "notes": notes, "freelySpelled": stored[0].decode()}
    print(json.dumps(report))
    context.destroy(linger=0)
    sys.exit(1 if failures else 0)


main()
