import Foundation
import KnutepunktDomain
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// The sample year `make run` publishes: valid, reproducible, and shaped with the gaps the source documents describe.
@Suite struct SampleActivitiesTests {
    static let today = LocalDate(iso: "2026-12-01")!
    static let sample = SampleActivities(
        taxonomy: InProcessDaemons.taxonomy,
        start: today.adding(days: -364),
        seed: 2026
    )

    @Test func everySampleEventIsValidAtTheHub() {
        let validator = EventValidator(taxonomy: InProcessDaemons.taxonomy)
        for region in ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"] {
            let events = Self.sample.events(region: region)
            #expect(events.count > 40, "\(region) has a year of activities")
            for text in events {
                guard let object = try? JSONValue.parse(Array(text.utf8)) else {
                    Issue.record("\(region): not JSON: \(text.prefix(80))")
                    continue
                }
                if case .failure(let failure) = validator.validate(object, defaults: .hub, today: Self.today) {
                    Issue.record("\(region): \(failure.issues.map(\.message))")
                }
            }
        }
    }

    @Test func theSameSeedGivesTheSameEventsWithTheSameIds() {
        let again = SampleActivities(
            taxonomy: InProcessDaemons.taxonomy,
            start: Self.today.adding(days: -364),
            seed: 2026
        )
        #expect(again.events(region: "NO-VEST") == Self.sample.events(region: "NO-VEST"))
        let other = SampleActivities(taxonomy: InProcessDaemons.taxonomy, start: Self.today.adding(days: -364), seed: 7)
        #expect(other.events(region: "NO-VEST") != Self.sample.events(region: "NO-VEST"))
    }

    @Test func theKnownGapsAreInTheSample() {
        func serves(_ region: String, _ group: String) -> Bool {
            Self.sample.activities(region: region).contains { $0.targetGroups.contains(group) }
        }
        // High-conflict families only in Sør-Øst; families affected by imprisonment only by a pilot in Vest.
        #expect(serves("NO-SOROST", "HICONF") && !serves("NO-NORD", "HICONF") && !serves("NO-MIDT", "HICONF"))
        #expect(serves("NO-VEST", "PRISON") && !serves("NO-SOROST", "PRISON") && !serves("NO-NORD", "PRISON"))
        // Nord reports far fewer activities than Sør-Øst.
        #expect(Self.sample.activities(region: "NO-NORD").count * 2 < Self.sample.activities(region: "NO-SOROST").count)
    }
}
