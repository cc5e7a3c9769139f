import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktStore

struct HubMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a hub's store into another (e.g. SQLite into PostgreSQL) and verify the copy.",
        discussion: """
            Copies everything the hub holds: events, refusals, each node's settled progress, the activity counters \
            and the gap lifecycle with its history. At the end the counts and an order-independent checksum of every \
            event (source, sequence, event id, payload) must match, and so must the rest. Safe to rerun: inserts \
            skip what is already there. Stop the hub first. Storage is written as in hub.storage: \
            \(HubConfiguration.Storage.forms); without a password in the URL, KNUTEPUNKT_POSTGRES_PASSWORD or \
            PGPASSWORD is used. See docs/scaling.md.
            """
    )

    @Option(name: .long, help: "The store to copy from: sqlite:PATH or postgres://…")
    var from: String

    @Option(name: .long, help: "The store to copy into: sqlite:PATH or postgres://…")
    var to: String

    func run() throws {
        let source = try Self.storage(from, option: "--from")
        let target = try Self.storage(to, option: "--to")
        guard source != target else { throw ValidationError("--from and --to name the same store") }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--from \(path) does not exist")
        }
        let from = try source.open()
        defer { try? from.close() }
        let into = try target.open()
        defer { try? into.close() }
        let bar = ProgressBar(label: "copying events")
        let clock = ContinuousClock()
        let started = clock.now
        let report = try HubStoreMigration.run(from: from, to: into) { bar.show(done: $0, of: $1) }
        bar.finish()
        let elapsed = clock.now - started
        print(
            "copied \(source) into \(target) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds]))): "
                + "\(report.sourceEvents) events (\(report.inserted) new, "
                + "\(report.sourceEvents - report.inserted) already there)"
        )
        print("  checksum \(report.sourceChecksum) over \(report.sourceChecksum.count) events")
        guard report.verified else {
            for mismatch in report.mismatches { print("  MISMATCH: \(mismatch)") }
            throw ExitCode(2)
        }
        print("  verified: counts, checksums, refusals, settled progress, counters and gaps match")
    }

    static func storage(_ text: String, option: String) throws -> HubConfiguration.Storage {
        switch HubConfiguration.Storage.parse(text, relativeTo: nil) {
        case .success(let storage): return storage
        case .failure(let failure):
            throw ValidationError("\(option) \(failure.message); write \(HubConfiguration.Storage.forms)")
        }
    }
}
