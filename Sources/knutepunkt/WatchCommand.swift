import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktProtocol
import KnutepunktZMQ
import Synchronization

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the hub's gaps live: the open gaps first, then every change as it happens (Ctrl-C stops).",
        discussion: """
            Subscribes to the hub's gap.<REGION>.<RULE> topics, then asks for the open gaps, and applies every later \
            change once, in order (a restarted hub or a dropped change makes it start again from the open gaps).
            """
    )

    @Option(name: .long, help: "The hub's configuration file (its publish and control endpoints are read from it).")
    var config: String

    @Option(name: .long, help: "Only this region's gaps (national ones are always shown).")
    var region: String?

    @Option(name: .long, help: "Stop after this many changes (default: run until Ctrl-C).")
    var count: Int?

    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false

    func run() async throws {
        guard case (.hub(let hub), _) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; watch follows the hub's configuration")
        }
        let watch = GapWatch(publish: hub.publishEndpoint, control: hub.controlEndpoint, curve: hub.viewerCurve)
        let region = region
        let count = count
        let json = json
        let box = ThreadResult()
        let thread = ZMQThread.start(name: "knutepunkt-watch") {
            var changes = 0
            box.set(
                Result {
                    try watch.run { event in
                        switch event {
                        case .snapshot(let snapshot):
                            let gaps = snapshot.gaps.filter { region == nil || $0.region == nil || $0.region == region }
                            say(
                                json
                                    ? String(decoding: JSONBody.encode(snapshot), as: UTF8.self)
                                    : "\(gaps.count) open gaps (as of change \(snapshot.sequence)):"
                            )
                            if !json { for gap in gaps { say("  \(Self.line(gap))") } }
                        case .update(let update):
                            guard region == nil || update.gap.region == nil || update.gap.region == region else {
                                return true
                            }
                            changes += 1
                            say(
                                json
                                    ? String(decoding: JSONBody.encode(update), as: UTF8.self)
                                    : "#\(update.sequence) \(update.change.padding(toLength: 7, withPad: " ", startingAt: 0)) \(Self.line(update.gap))"
                            )
                        }
                        return count.map { changes < $0 } ?? true
                    }
                }
            )
        }
        await thread.join()
        try box.get()
    }

    static func line(_ gap: GapRecord) -> String {
        "\(gap.severity.padding(toLength: 5, withPad: " ", startingAt: 0)) \(gap.rule.padding(toLength: 4, withPad: " ", startingAt: 0)) \(gap.message)"
    }
}

/// Hands the watcher thread's outcome back to the command.
final class ThreadResult: Sendable {
    private let stored = Mutex<Result<Void, any Error>>(.success(()))
    func set(_ result: Result<Void, any Error>) { stored.withLock { $0 = result } }
    func get() throws { try stored.withLock { $0 }.get() }
}
