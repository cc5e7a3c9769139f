#!/usr/bin/env python3
"""The peers' payloads: a year of sample activities per region, as canonical JSON, one event a line.

The same shape as Knutepunkt's own ingest payloads (Sources/KnutepunktSampleNetwork/SampleActivities.swift, cycled
with fresh time-ordered ids by Benchmarks/KnutepunktBench/Ingest.swift): schema-1 events with the members in
canonical order, compact, a lower-case id first, the sample's mix of kinds, target groups, programmes, age bands,
professions and notes, about 385 bytes each. Not byte-for-byte the Swift sample (another random generator), but
the same vocabulary, profile sizes and rules, so the sizes and the bytes a peer carries match.

The drivers (Benchmarks/Peers/*.c) read these files, cycle the events to the count they send and give every event
a fresh version-7 id before the clock starts, as the Swift benchmark does.

    python3 payloads.py DIR        writes DIR/sample-<REGION>.jsonl for the four Norwegian regions
"""

import datetime
import json
import os
import random
import sys

REGIONS = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"]

# (code, town) of each region's local nodes, from Configs/taxonomy.yaml.
NODES = {
    "NO-SOROST": [("NO-SOROST-OUS", "Oslo"), ("NO-SOROST-AHUS", "Lørenskog"), ("NO-SOROST-OSTFOLD", "Fredrikstad"),
                  ("NO-SOROST-VESTREVIKEN", "Drammen"), ("NO-SOROST-INNLANDET", "Hamar"),
                  ("NO-SOROST-VESTFOLD", "Tønsberg"), ("NO-SOROST-TELEMARK", "Skien"),
                  ("NO-SOROST-SORLANDET", "Kristiansand")],
    "NO-VEST": [("NO-VEST-STAVANGER", "Stavanger"), ("NO-VEST-FONNA", "Haugesund"), ("NO-VEST-BERGEN", "Bergen"),
                ("NO-VEST-FORDE", "Førde")],
    "NO-MIDT": [("NO-MIDT-STOLAV", "Trondheim"), ("NO-MIDT-NORDTRONDELAG", "Levanger"),
                ("NO-MIDT-MOREROMSDAL", "Ålesund")],
    "NO-NORD": [("NO-NORD-BODO", "Bodø"), ("NO-NORD-HELGELAND", "Mo i Rana"), ("NO-NORD-UNN", "Tromsø"),
                ("NO-NORD-FINNMARK", "Hammerfest")],
}

MUNICIPALITIES = {
    "Oslo": "0301", "Lørenskog": "3222", "Fredrikstad": "3107", "Drammen": "3301", "Hamar": "3403",
    "Tønsberg": "3905", "Skien": "4003", "Kristiansand": "4204", "Stavanger": "1103", "Haugesund": "1106",
    "Bergen": "4601", "Førde": "4647", "Trondheim": "5001", "Levanger": "5037", "Ålesund": "1508",
    "Bodø": "1804", "Mo i Rana": "1833", "Tromsø": "5501", "Hammerfest": "5603",
}

# events, emphasis, absent, temporary share, physicians, infant day (SampleActivities.profile)
PROFILES = {
    "NO-SOROST": (430, {"MIGRANT": 4, "HICONF": 1}, {"PRISON", "SAMI"}, 0.15, True, True),
    "NO-VEST": (240, {"PRISON": 3}, {"HICONF", "SAMI"}, 0.25, True, True),
    "NO-MIDT": (150, {}, {"HICONF", "PRISON", "SAMI"}, 0.15, True, False),
    "NO-NORD": (45, {"SAMI": 4}, {"HICONF", "PRISON", "ASD"}, 0.7, False, True),
}

TARGET_GROUP_WEIGHTS = [
    ("ALL", 22), ("PREG_MH", 8), ("PND", 12), ("PAR_MH", 9), ("SUBST", 4), ("PRETERM", 4), ("ASD", 2),
    ("KG_START", 3), ("HICONF", 0), ("PRISON", 0), ("VIOLENCE", 3), ("CW_CARE", 6), ("YOUNG_FIRST", 5),
    ("MIGRANT", 3), ("REGUL", 7), ("FATHERS", 3), ("SAMI", 0),
]

PROGRAMMES_FOR = {
    "ALL": ["NBO", "ICDP", "COS_P", "EPDS", "MARTE_MEO"], "PREG_MH": ["MAMMA_MIA", "EPDS", "MTB"],
    "PND": ["EPDS", "MAMMA_MIA", "COS_P", "VIPP"], "PAR_MH": ["COS_V", "CPP", "VIPP", "COS_P"],
    "SUBST": ["MTB", "ABC", "CPP"], "PRETERM": ["MITP", "NBO"], "ASD": [], "KG_START": ["TIK", "COS_P"],
    "HICONF": [], "PRISON": ["ICDP"], "VIOLENCE": ["CPP"], "CW_CARE": ["ABC", "COS_V", "CPP"],
    "YOUNG_FIRST": ["NFP", "MTB"], "MIGRANT": ["ICDP", "COS_P"], "REGUL": ["NBO", "MARTE_MEO"],
    "FATHERS": ["ICDP", "COS_P"], "SAMI": ["ICDP", "NBO"],
}

# tiers, age bands (Configs/taxonomy.yaml, programmes)
PROGRAMMES = {
    "NBO": (["U", "S"], ["M0_3"]), "CPP": (["I", "T"], ["M0_3", "M3_12", "Y1_3", "Y3_6"]),
    "NFP": (["S"], ["PREG", "M0_3", "M3_12", "Y1_3"]), "MARTE_MEO": (["U", "S", "I"], ["M0_3", "M3_12", "Y1_3", "Y3_6"]),
    "TIK": (["U", "S"], ["Y3_6"]), "COS_V": (["I"], ["M3_12", "Y1_3"]), "COS_VG": (["S"], ["M3_12", "Y1_3"]),
    "COS_P": (["U", "S", "I"], ["M3_12", "Y1_3", "Y3_6"]), "ABC": (["I"], ["M3_12", "Y1_3"]),
    "MAMMA_MIA": (["U"], ["PREG", "M0_3", "M3_12"]), "EPDS": (["U", "I"], ["PREG", "M0_3", "M3_12"]),
    "ICDP": (["U", "S", "I"], ["M3_12", "Y1_3", "Y3_6"]), "VIPP": (["S", "I"], ["M3_12", "Y1_3", "Y3_6"]),
    "MTB": (["S"], ["PREG", "M0_3", "M3_12", "Y1_3"]), "MITP": (["S", "I"], ["M0_3"]),
}

KIND_WEIGHTS = [
    ("DELIVERY", 36), ("TRAINING", 15), ("CONSULT_COLLAB", 13), ("SCREENING", 11), ("NETWORK_MEETING", 9),
    ("EVALUATION", 4), ("RESEARCH_COLLAB", 4), ("CERTIFICATION", 4), ("PILOT", 4),
]

NOTES = {
    "DELIVERY": ["Group sessions for parents", "Home visits by the family team", "Parent-infant sessions at the clinic"],
    "TRAINING": ["Training for public health nurses", "Course for kindergarten staff", "Workshop for midwives"],
    "CONSULT_COLLAB": ["Consultation with child welfare", "Case consultation across services"],
    "SCREENING": ["EPDS screening at the well-baby clinic", "Screening at the six-week check"],
    "NETWORK_MEETING": ["Regional network meeting", "Meeting of municipal contact persons"],
    "EVALUATION": ["Evaluation of the local implementation"], "RESEARCH_COLLAB": ["Data collection for a study"],
    "CERTIFICATION": ["Certification of group leaders"], "PILOT": ["Pilot with a new partner service"],
    "INFANT_DAY": ["Annual infant day conference"],
}


def weighted(rng, items):
    total = sum(max(0, w) for _, w in items)
    pick = rng.randrange(total)
    for item, w in items:
        pick -= max(0, w)
        if pick < 0:
            return item
    return items[-1][0]


def some(rng, items, count):
    if count >= len(items):
        return list(items)
    chosen = set(rng.sample(range(len(items)), count))
    return [item for i, item in enumerate(items) if i in chosen]


def activity(rng, region, node, kind, date, groups, profile):
    _, _, _, temporary_share, physicians, _ = profile
    target_groups = [weighted(rng, groups)]
    if target_groups[0] != "ALL" and rng.random() < 0.25:
        second = weighted(rng, groups)
        if second not in ("ALL", target_groups[0]):
            target_groups.append(second)
    uses = kind in ("DELIVERY", "TRAINING", "CERTIFICATION", "SCREENING", "EVALUATION", "PILOT")
    candidates = PROGRAMMES_FOR.get(target_groups[0], [])
    programmes = [rng.choice(candidates)] if uses and candidates else []
    if kind == "SCREENING":
        programmes = ["EPDS"]
    programme = PROGRAMMES.get(programmes[0]) if programmes else None
    if kind == "RESEARCH_COLLAB":
        tier = "NA"
    elif programme:
        tier = rng.choice(programme[0])
    else:
        tier = "U" if target_groups == ["ALL"] else ("S" if rng.random() < 0.6 else "I")
    bands = list(programme[1]) if programme else []
    if not bands:
        bands = ["PREG", "M0_3"] if target_groups[0] in ("PREG_MH", "PND") else ["M0_3", "M3_12", "Y1_3"]
    bands = some(rng, bands, rng.randint(1, 2))
    pool = ["MIDWIFE", "PHN", "PSYCH", "CW", "KG_TEACHER", "FAMTHER", "SOCW"]
    if physicians:
        pool += ["GP", "PAED", "PSYCHIATRIST", "OBGYN"]
    if "PRETERM" in target_groups:
        pool.append("NEONATAL_NURSE")
    if "PRISON" in target_groups:
        pool.append("PRISON_STAFF")
    professions = some(rng, pool, rng.randint(1, 4))
    if physicians and kind in ("CONSULT_COLLAB", "TRAINING") and rng.random() < 0.5 and "GP" not in professions:
        professions.append("GP")
    families, sessions = 0, 1
    if kind == "INFANT_DAY":
        participants = rng.randint(80, 260)
    elif kind == "DELIVERY":
        families = rng.randint(3, 14)
        participants = families + rng.randint(0, families)
        sessions = rng.randint(4, 12)
    elif kind == "SCREENING":
        families = rng.randint(10, 60)
        participants = families
    elif kind in ("TRAINING", "CERTIFICATION"):
        participants = rng.randint(6, 30)
        sessions = rng.randint(1, 4)
    else:
        participants = rng.randint(3, 18)
    notes = NOTES.get(kind, [])
    note = None if not notes or rng.random() < 0.2 else rng.choice(notes)
    event = {"id": "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                    0x8000 | rng.getrandbits(14), rng.getrandbits(48)),
             "schema": 1, "region": region, "node": node[0], "kind": kind, "date": date.isoformat()}
    if node[1] in MUNICIPALITIES:
        event["municipality"] = MUNICIPALITIES[node[1]]
    event.update({"target_groups": target_groups, "programmes": programmes, "tier": tier, "age_bands": bands,
                  "professions": professions, "participants": participants, "families": families,
                  "sessions": sessions, "funding": "TEMPORARY_PROJECT" if rng.random() < temporary_share else "PERMANENT"})
    if note is not None:
        event["note"] = note
    return event


def sample(region, seed=7):
    """The year of sample events of `region`, in date order, as canonical JSON lines (bytes)."""
    profile = PROFILES[region]
    count, emphasis, absent, _, _, infant_day = profile
    rng = random.Random(seed * 1_000_003 + REGIONS.index(region))
    nodes = NODES[region]
    start = datetime.date.today() - datetime.timedelta(days=364)
    groups = [(g, w + emphasis.get(g, 0)) for g, w in TARGET_GROUP_WEIGHTS if g not in absent]
    events = []
    for _ in range(count):
        node = nodes[rng.randrange(len(nodes))]
        day = rng.randrange(365)
        kind = weighted(rng, KIND_WEIGHTS)
        events.append(activity(rng, region, node, kind, start + datetime.timedelta(days=day), groups, profile))
    if infant_day:
        october = datetime.date(start.year if start.month <= 10 else start.year + 1, 10, 15)
        events.append(activity(rng, region, nodes[0], "INFANT_DAY", min(october, start + datetime.timedelta(days=364)),
                               [("ALL", 1)], profile))
    events.sort(key=lambda e: (e["date"], e["id"]))
    return [json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode() for e in events]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: payloads.py DIR")
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    for region in REGIONS:
        lines = sample(region)
        with open(os.path.join(folder, "sample-%s.jsonl" % region), "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        print("%s: %d events, %.1f bytes mean" % (region, len(lines), sum(map(len, lines)) / len(lines)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
