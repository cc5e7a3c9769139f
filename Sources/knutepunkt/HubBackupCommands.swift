import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktStore

struct HubBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the hub's store while the hub runs.",
        discussion: """
            Reads one snapshot of the store (SQLite `VACUUM INTO`; the running hub goes on storing meanwhile) and \
            writes it, compacted, to a new file. Restore it with `knutepunkt hub restore` while the hub is stopped. \
            After a restore the nodes send again what the copy lacks (they keep delivered events for their \
            `retention` period, 30 days by default), so back up more often than that.
            """
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Option(name: .long, help: "The file to write (must not exist).")
    var out: String

    func run() throws {
        let path = try hubStorePath(config)
        let store = try SQLiteHubStore.open(path: path)
        defer { try? store.close() }
        let clock = ContinuousClock()
        let started = clock.now
        try store.backup(to: out)
        let copy = try SQLiteHubStore.open(path: out)
        defer { try? copy.close() }
        let counts = try copy.counts()
        let settled = try copy.settledProgress()
        let elapsed = clock.now - started
        print(
            "backed up \(path) to \(out) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds]))): "
                + "\(counts.total) events, \(counts.rejected) refusals, \(settled.count) nodes"
        )
    }
}

struct HubRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the hub's store with a backup (stop the hub first).",
        discussion: """
            Checks that FILE is a readable hub store, moves the current store (and its -wal and -shm files) aside to \
            STORE.before-restore-TIME, and copies FILE into its place. Start the hub afterwards: each node learns \
            from the WELCOME how far the restored store has settled its events and sends the rest again from its \
            outbox. The hub must not run meanwhile.
            """
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Option(name: .long, help: "The backup file written by `knutepunkt hub backup`.")
    var from: String

    func run() throws {
        let path = try hubStorePath(config)
        let files = FileManager.default
        guard files.fileExists(atPath: from) else { throw ValidationError("\(from) does not exist") }
        // A damaged or foreign file is refused before anything is moved.
        let backup = try SQLiteHubStore.open(path: from)
        let counts = try backup.counts()
        try backup.close()
        for suffix in ["-wal", "-shm"] where files.fileExists(atPath: from + suffix) {
            try? files.removeItem(atPath: from + suffix)
        }
        let stamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
            .replacingOccurrences(of: ":", with: "")
        let aside = "\(path).before-restore-\(stamp)"
        for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
            try files.moveItem(atPath: path + suffix, toPath: aside + suffix)
        }
        try files.copyItem(atPath: from, toPath: path)
        print("restored \(from) (\(counts.total) events) to \(path); the store it replaced is at \(aside)")
    }
}

/// The SQLite file of the hub a configuration file describes.
private func hubStorePath(_ config: String) throws -> String {
    guard case (.hub(let hub), _) = try loadDaemonConfiguration(config) else {
        throw ValidationError("\(config) configures a node; backups are of the hub's store")
    }
    guard case .sqlite(let path) = hub.storage else { throw ValidationError("unsupported storage") }
    return path
}
