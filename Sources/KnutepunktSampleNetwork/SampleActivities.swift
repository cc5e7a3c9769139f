import Foundation
import KnutepunktDomain

/// About a year of realistic activity events for each region, as coordinators would publish them.
///
/// Not uniform on purpose: the sample carries the service gaps the source documents describe, so the hub has
/// something true to find.
/// - High-conflict families (`HICONF`) are served only in `NO-SOROST`; families affected by imprisonment (`PRISON`)
///   only by a pilot in `NO-VEST`. Every other region has nothing for them.
/// - `NO-NORD` reports far fewer activities per birth than the others, mostly on temporary project money, and its
///   consultations and trainings never include physicians.
/// - `NO-MIDT` held no infant day.
/// - The last local node of `NO-NORD` fell silent four months ago.
///
/// Each region's first activity falls on the first day, so the store covers the sample's year from its first month.
///
/// Deterministic: the same taxonomy, start date and seed give the same events with the same ids, so publishing the
/// sample twice stores nothing twice.
package struct SampleActivities: Sendable {
    package var taxonomy: Taxonomy
    /// The first day of the year the sample covers; the last is `start + 364`.
    package var start: LocalDate
    package var seed: UInt64

    package init(taxonomy: Taxonomy, start: LocalDate, seed: UInt64) {
        self.taxonomy = taxonomy
        self.start = start
        self.seed = seed
    }

    /// How a region's sample is shaped.
    struct Profile {
        /// Activities in the year.
        var events: Int
        /// Extra weight on target groups (relative to the national mix).
        var emphasis: [String: Int] = [:]
        /// Target groups this region does not serve at all.
        var absent: Set<String> = []
        /// Share of activities on temporary project funding.
        var temporaryShare: Double = 0.15
        /// Whether consultations and trainings include physicians.
        var physicians = true
        var infantDay = true
        /// Days before the end of the year since the region's last local node last reported (nil: all report).
        var silentLastNodeDays: Int?
    }

    static func profile(region: String) -> Profile {
        switch region {
        case "NO-SOROST":
            return Profile(events: 430, emphasis: ["MIGRANT": 4, "HICONF": 1], absent: ["PRISON", "SAMI"])
        case "NO-VEST":
            return Profile(events: 240, emphasis: ["PRISON": 3], absent: ["HICONF", "SAMI"], temporaryShare: 0.25)
        case "NO-MIDT":
            return Profile(events: 150, absent: ["HICONF", "PRISON", "SAMI"], infantDay: false)
        case "NO-NORD":
            return Profile(
                events: 45,
                emphasis: ["SAMI": 4],
                absent: ["HICONF", "PRISON", "ASD"],
                temporaryShare: 0.7,
                physicians: false,
                silentLastNodeDays: 120
            )
        default:
            return Profile(events: 60, absent: ["HICONF", "PRISON", "SAMI"])
        }
    }

    /// National mix of target groups (weights). `HICONF`, `PRISON` and `SAMI` only appear where a profile says.
    static let targetGroupWeights: [(String, Int)] = [
        ("ALL", 22), ("PREG_MH", 8), ("PND", 12), ("PAR_MH", 9), ("SUBST", 4), ("PRETERM", 4), ("ASD", 2),
        ("KG_START", 3), ("HICONF", 0), ("PRISON", 0), ("VIOLENCE", 3), ("CW_CARE", 6), ("YOUNG_FIRST", 5),
        ("MIGRANT", 3), ("REGUL", 7), ("FATHERS", 3), ("SAMI", 0),
    ]

    /// Programmes commonly used for each target group (empty: activities without a named programme).
    static let programmesFor: [String: [String]] = [
        "ALL": ["NBO", "ICDP", "COS_P", "EPDS", "MARTE_MEO"], "PREG_MH": ["MAMMA_MIA", "EPDS", "MTB"],
        "PND": ["EPDS", "MAMMA_MIA", "COS_P", "VIPP"], "PAR_MH": ["COS_V", "CPP", "VIPP", "COS_P"],
        "SUBST": ["MTB", "ABC", "CPP"], "PRETERM": ["MITP", "NBO"], "ASD": [], "KG_START": ["TIK", "COS_P"],
        "HICONF": [], "PRISON": ["ICDP"], "VIOLENCE": ["CPP"], "CW_CARE": ["ABC", "COS_V", "CPP"],
        "YOUNG_FIRST": ["NFP", "MTB"], "MIGRANT": ["ICDP", "COS_P"], "REGUL": ["NBO", "MARTE_MEO"],
        "FATHERS": ["ICDP", "COS_P"], "SAMI": ["ICDP", "NBO"],
    ]

    static let kindWeights: [(String, Int)] = [
        ("DELIVERY", 36), ("TRAINING", 15), ("CONSULT_COLLAB", 13), ("SCREENING", 11), ("NETWORK_MEETING", 9),
        ("EVALUATION", 4), ("RESEARCH_COLLAB", 4), ("CERTIFICATION", 4), ("PILOT", 4),
    ]

    static let notes: [String: [String]] = [
        "DELIVERY": [
            "Group sessions for parents", "Home visits by the family team", "Parent-infant sessions at the clinic",
        ],
        "TRAINING": ["Training for public health nurses", "Course for kindergarten staff", "Workshop for midwives"],
        "CONSULT_COLLAB": ["Consultation with child welfare", "Case consultation across services"],
        "SCREENING": ["EPDS screening at the well-baby clinic", "Screening at the six-week check"],
        "NETWORK_MEETING": ["Regional network meeting", "Meeting of municipal contact persons"],
        "EVALUATION": ["Evaluation of the local implementation"], "RESEARCH_COLLAB": ["Data collection for a study"],
        "CERTIFICATION": ["Certification of group leaders"], "PILOT": ["Pilot with a new partner service"],
        "INFANT_DAY": ["Annual infant day conference"],
    ]

    /// Municipality numbers of the nodes' towns, where known (2024 numbering).
    static let municipalities: [String: String] = [
        "Oslo": "0301", "Lørenskog": "3222", "Fredrikstad": "3107", "Drammen": "3301", "Hamar": "3403",
        "Tønsberg": "3905", "Skien": "4003", "Kristiansand": "4204", "Stavanger": "1103", "Haugesund": "1106",
        "Bergen": "4601", "Førde": "4647", "Trondheim": "5001", "Levanger": "5037", "Ålesund": "1508",
        "Bodø": "1804", "Mo i Rana": "1833", "Tromsø": "5501", "Hammerfest": "5603",
    ]

    /// The sample events of one region, as canonical JSON text, in date order.
    package func events(region: String) -> [String] {
        activities(region: region).map { String(decoding: $0.canonicalJSON(), as: UTF8.self) }
    }

    /// The sample events of one region, in date order.
    package func activities(region: String) -> [ActivityEvent] {
        let nodes = taxonomy.nodes(inRegion: region)
        guard !nodes.isEmpty else { return [] }
        let profile = Self.profile(region: region)
        var random = SampleRandom(seed: seed ^ Self.hash(region))
        var result: [ActivityEvent] = []
        result.reserveCapacity(profile.events + 1)
        let weights = Self.targetGroupWeights.compactMap { group, weight -> (String, Int)? in
            guard !profile.absent.contains(group), taxonomy.contains(group, in: .targetGroup) else { return nil }
            return (group, weight + (profile.emphasis[group] ?? 0))
        }
        for index in 0..<profile.events {
            var nodeIndex = random.int(0...(nodes.count - 1))
            var day = random.int(0...364)
            // Every region reports from the sample's first day, so the store covers the whole year for it.
            if index == 0 { day = 0 }
            if let silent = profile.silentLastNodeDays, nodeIndex == nodes.count - 1, day > 364 - silent {
                // The silent node's late reports never happened; another node of the region has the activity.
                nodeIndex = nodes.count > 1 ? random.int(0...(nodes.count - 2)) : nodeIndex
                if nodes.count == 1 { day = random.int(0...(364 - silent)) }
            }
            let kind = random.weighted(Self.kindWeights)
            result.append(
                activity(
                    index: index,
                    region: region,
                    node: nodes[nodeIndex],
                    kind: kind,
                    day: day,
                    groups: weights,
                    profile: profile,
                    random: &random
                )
            )
        }
        if profile.infantDay, let host = nodes.first {
            // One infant day a year, in mid-October; for a calendar year the sample only partly covers, on the
            // covered day nearest to it.
            let end = start.adding(days: 364)
            for (offset, year) in (start.year...end.year).enumerated() {
                let october = LocalDate(year: year, month: 10, day: 15) ?? start
                let day = min(364, max(0, start.days(to: min(max(october, start), end))))
                result.append(
                    activity(
                        index: profile.events + offset,
                        region: region,
                        node: host,
                        kind: "INFANT_DAY",
                        day: day,
                        groups: [("ALL", 1)],
                        profile: profile,
                        random: &random
                    )
                )
            }
        }
        return result.sorted { ($0.date, $0.id.uuidString) < ($1.date, $1.id.uuidString) }
    }

    private func activity(
        index: Int,
        region: String,
        node: Taxonomy.LocalNode,
        kind: String,
        day: Int,
        groups: [(String, Int)],
        profile: Profile,
        random: inout SampleRandom
    ) -> ActivityEvent {
        var targetGroups = [random.weighted(groups)]
        if targetGroups[0] != "ALL", random.chance(0.25) {
            let second = random.weighted(groups)
            if second != "ALL", second != targetGroups[0] { targetGroups.append(second) }
        }
        let usesProgramme = ["DELIVERY", "TRAINING", "CERTIFICATION", "SCREENING", "EVALUATION", "PILOT"].contains(kind)
        let candidates = (Self.programmesFor[targetGroups[0]] ?? []).filter { taxonomy.programme($0) != nil }
        var programmes: [String] = []
        if usesProgramme, !candidates.isEmpty {
            programmes = [candidates[random.int(0...(candidates.count - 1))]]
        }
        if kind == "SCREENING", taxonomy.programme("EPDS") != nil { programmes = ["EPDS"] }
        let programme = programmes.first.flatMap { taxonomy.programme($0) }
        let tier: String
        if kind == "RESEARCH_COLLAB" {
            tier = "NA"
        } else if let tiers = programme?.tiers, !tiers.isEmpty {
            tier = tiers[random.int(0...(tiers.count - 1))]
        } else {
            tier = targetGroups == ["ALL"] ? "U" : (random.chance(0.6) ? "S" : "I")
        }
        var ageBands = programme?.ageBands ?? []
        if ageBands.isEmpty {
            ageBands = ["PREG_MH", "PND"].contains(targetGroups[0]) ? ["PREG", "M0_3"] : ["M0_3", "M3_12", "Y1_3"]
        }
        ageBands = random.some(ageBands, count: random.int(1...2))
        var pool = ["MIDWIFE", "PHN", "PSYCH", "CW", "KG_TEACHER", "FAMTHER", "SOCW"]
        if profile.physicians { pool += ["GP", "PAED", "PSYCHIATRIST", "OBGYN"] }
        if targetGroups.contains("PRETERM") { pool.append("NEONATAL_NURSE") }
        if targetGroups.contains("PRISON") { pool.append("PRISON_STAFF") }
        var professions = random.some(pool, count: random.int(1...4))
        if profile.physicians, ["CONSULT_COLLAB", "TRAINING"].contains(kind), random.chance(0.5),
            !professions.contains("GP")
        {
            professions.append("GP")
        }
        let participants: Int
        var families = 0
        var sessions = 1
        switch kind {
        case "INFANT_DAY": participants = random.int(80...260)
        case "DELIVERY":
            families = random.int(3...14)
            participants = families + random.int(0...families)
            sessions = random.int(4...12)
        case "SCREENING":
            families = random.int(10...60)
            participants = families
        case "TRAINING", "CERTIFICATION":
            participants = random.int(6...30)
            sessions = random.int(1...4)
        default: participants = random.int(3...18)
        }
        let notes = Self.notes[kind] ?? []
        let note = notes.isEmpty || random.chance(0.2) ? nil : notes[random.int(0...(notes.count - 1))]
        return ActivityEvent(
            id: Self.id(seed: seed, region: region, index: index),
            region: region,
            node: node.code,
            kind: kind,
            date: start.adding(days: day),
            municipality: Self.municipalities[node.town],
            targetGroups: targetGroups,
            programmes: programmes,
            tier: tier,
            ageBands: ageBands,
            professions: professions,
            participants: participants,
            families: families,
            sessions: sessions,
            funding: random.chance(profile.temporaryShare) ? "TEMPORARY_PROJECT" : "PERMANENT",
            note: note
        )
    }

    /// A version-4-shaped UUID derived from (seed, region, index): the same inputs give the same id.
    static func id(seed: UInt64, region: String, index: Int) -> UUID {
        var random = SampleRandom(seed: seed ^ hash(region) ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let high = random.next()
        let low = random.next()
        var bytes =
            (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }

    /// FNV-1a, to mix a region code into the seed.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
