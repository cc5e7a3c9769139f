import Foundation
import KnutepunktDomain
import KnutepunktGaps
import Yams

/// Reads `Configs/gaps.yaml` (the `gaps:` section: the thresholds of the gap rules, DOMAIN.md §4) into
/// ``GapThresholds``. Absent keys keep their defaults; every mistake is reported at once with its key and fix.
package enum GapThresholdsFile {
    /// Every key the `gaps:` section takes.
    static let keys = [
        "windowMonths", "rateAmberFactor", "rateRedFactor", "rateSignificance", "minimumExpected",
        "requiredProfessions", "physicianGroup", "professionCoverageRed", "professionCoverageAmber",
        "professionMinimumEvents", "temporaryShareAmber", "temporaryShareRed", "shareMinimumEvents",
        "lighthouseMinProgrammes", "declineFraction", "declineMinDrop", "inequityRatioAmber",
        "inequityCVAmber", "inequityRatioRed", "staleDays", "infantDayAmberMonth", "infantDayAmberDay",
        "timelyDays",
    ]

    /// The thresholds in `path`, checked for range and, when `taxonomy` is given, for known profession codes.
    package static func load(path: String, taxonomy: Taxonomy? = nil) throws(ConfigErrors) -> GapThresholds {
        let document: Node
        do {
            document = try ConfigReader.document(at: path)
        } catch {
            throw ConfigErrors([error])
        }
        var reader = ConfigReader(file: path)
        let top = reader.mapping(document, at: "", allowed: ["gaps"])
        let m = reader.mapping(top?["gaps"], at: "gaps", allowed: keys)
        if top != nil, top?["gaps"] == nil {
            reader.fail(.missingKey, "gaps", "missing", fix: "Put the thresholds under gaps:")
        }
        var t = GapThresholds()
        func fraction(_ name: String, _ range: ClosedRange<Double>, _ target: inout Double) {
            guard let text = reader.string(m, name, at: "gaps", required: false) else { return }
            guard let value = Double(text), range.contains(value) else {
                reader.fail(
                    .invalidValue,
                    "gaps.\(name)",
                    "expected a number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"",
                    fix: "Write a decimal number such as \(target)"
                )
                return
            }
            target = value
        }
        func whole(_ name: String, _ range: ClosedRange<Int>, _ target: inout Int) {
            if let value = reader.int(m, name, at: "gaps", range: range) { target = value }
        }
        whole("windowMonths", 1...120, &t.windowMonths)
        fraction("rateAmberFactor", 0...1, &t.rateAmberFactor)
        fraction("rateRedFactor", 0...1, &t.rateRedFactor)
        fraction("rateSignificance", 0...1, &t.rateSignificance)
        fraction("minimumExpected", 0...1000, &t.minimumExpected)
        if let professions = reader.texts(m, "requiredProfessions", at: "gaps", required: false) {
            t.requiredProfessions = professions
        }
        if let group = reader.string(m, "physicianGroup", at: "gaps", required: false) { t.physicianGroup = group }
        fraction("professionCoverageRed", 0...1, &t.professionCoverageRed)
        fraction("professionCoverageAmber", 0...1, &t.professionCoverageAmber)
        whole("professionMinimumEvents", 0...1000, &t.professionMinimumEvents)
        fraction("temporaryShareAmber", 0...1, &t.temporaryShareAmber)
        fraction("temporaryShareRed", 0...1, &t.temporaryShareRed)
        whole("shareMinimumEvents", 1...100_000, &t.shareMinimumEvents)
        whole("lighthouseMinProgrammes", 1...100, &t.lighthouseMinProgrammes)
        fraction("declineFraction", -1...0, &t.declineFraction)
        whole("declineMinDrop", 0...1_000_000, &t.declineMinDrop)
        fraction("inequityRatioAmber", 1...1000, &t.inequityRatioAmber)
        fraction("inequityCVAmber", 0...100, &t.inequityCVAmber)
        fraction("inequityRatioRed", 1...1000, &t.inequityRatioRed)
        whole("staleDays", 1...3650, &t.staleDays)
        whole("infantDayAmberMonth", 1...12, &t.infantDayAmberMonth)
        whole("infantDayAmberDay", 1...31, &t.infantDayAmberDay)
        whole("timelyDays", 0...365, &t.timelyDays)
        if t.rateRedFactor > t.rateAmberFactor {
            reader.fail(
                .inconsistent,
                "gaps.rateRedFactor",
                "RED factor \(t.rateRedFactor) is above the AMBER factor \(t.rateAmberFactor)",
                fix: "RED marks the larger shortfall: keep rateRedFactor ≤ rateAmberFactor"
            )
        }
        if t.professionCoverageRed > t.professionCoverageAmber {
            reader.fail(
                .inconsistent,
                "gaps.professionCoverageRed",
                "RED coverage \(t.professionCoverageRed) is above AMBER coverage \(t.professionCoverageAmber)",
                fix: "Keep professionCoverageRed ≤ professionCoverageAmber"
            )
        }
        if let taxonomy {
            let known = Set(taxonomy.professions.map(\.code)).union(taxonomy.professionGroups.keys)
            for (index, code) in t.requiredProfessions.enumerated() where !known.contains(code) {
                reader.fail(
                    .unknownReference,
                    "gaps.requiredProfessions[\(index)]",
                    "unknown profession \"\(code)\"",
                    fix: "Use a profession or profession group from the taxonomy"
                        + (NearestName.suggest(code, from: Array(known)).map { "; did you mean \($0)?" } ?? "")
                )
            }
        }
        guard reader.errors.isEmpty else { throw ConfigErrors(reader.errors) }
        return t
    }

    /// Whether `file` is a thresholds file (its top-level key is `gaps:`).
    static func isThresholds(_ file: String) -> Bool {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let node = try? Yams.compose(yaml: text), let mapping = node.mapping
        else { return false }
        return mapping["gaps"] != nil
    }
}
