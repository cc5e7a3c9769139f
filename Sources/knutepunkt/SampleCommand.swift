import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktSampleNetwork

struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a year of sample activities for one region as a JSON array."
    )

    @Option(name: .long, help: "Region code, e.g. NO-VEST.")
    var region: String

    @Option(name: .long, help: "The taxonomy file.")
    var taxonomy: String = "Configs/taxonomy.yaml"

    @Option(name: .long, help: "Seed (the same seed gives the same events).")
    var seed: UInt64 = 2026

    @Option(name: .long, help: "Output file, or - for standard output.")
    var out: String = "-"

    func run() async throws {
        let loaded: Taxonomy
        do {
            loaded = try TaxonomyFile.load(path: taxonomy)
        } catch {
            throw ValidationError("\(error)")
        }
        guard loaded.region(region) != nil else {
            throw ValidationError(
                "unknown region \(region); known: \(loaded.regions.map(\.code).joined(separator: ", "))"
            )
        }
        let events = SampleActivities(taxonomy: loaded, start: LocalDate.today().adding(days: -364), seed: seed)
            .events(region: region)
        let text = "[\n" + events.joined(separator: ",\n") + "\n]\n"
        if out == "-" {
            print(text, terminator: "")
        } else {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(events.count) events to \(out)")
        }
    }
}
