import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktZMQ

/// Follows the hub's gaps live, the Clone way: subscribe to `gap.` first, then ask for the snapshot (GAPS), then
/// apply only the published changes of the same epoch numbered above the snapshot, in order. A change of epoch (the
/// hub restarted) or a missing number (a dropped message) makes it ask for a fresh snapshot, so nothing is missed or
/// applied twice.
///
/// Blocking: run it on its own thread (``ControlClient`` style).
package struct GapWatch {
    package var publish: String
    package var control: String
    package var timeout: Duration
    /// CURVE towards the hub (nil: plaintext).
    package var curve: ZMQCurveClient?

    package init(publish: String, control: String, timeout: Duration = .seconds(5), curve: ZMQCurveClient? = nil) {
        self.publish = publish
        self.control = control
        self.timeout = timeout
        self.curve = curve
    }

    /// What the watcher has seen.
    package enum Event: Sendable {
        /// A (fresh) snapshot: replace everything known with it.
        case snapshot(GapSnapshot)
        /// One change after the snapshot.
        case update(GapUpdate)
    }

    /// Runs until `handle` returns false, or `idle` passes without any message (nil: never).
    package func run(idle: Duration? = nil, _ handle: (Event) -> Bool) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let subscriber = try context.makeSocket(.sub)
        defer { subscriber.close() }
        if let curve { try subscriber.configureCurveClient(curve) }
        try subscriber.setOption(.subscribe, Array("gap.".utf8))
        try subscriber.connect(publish)
        let client = try ControlClient(endpoint: control, timeout: timeout, curve: curve)
        defer { client.close() }

        func snapshot() throws -> GapSnapshot { try client.gapSnapshot() }

        var clone = GapCloneStateMachine()
        let first = try snapshot()
        clone.snapshot(first)
        guard handle(.snapshot(first)) else { return }
        while true {
            var poller = ZMQPoller()
            _ = poller.add(subscriber)
            let ready = try poller.poll(timeout: idle ?? .seconds(1))
            guard ready.first?.contains(.readable) == true else {
                if idle != nil { return }
                continue
            }
            guard let message = try subscriber.receive(dontWait: true), message.frames.count == 2,
                let update = try? JSONBody.decode(GapUpdate.self, from: message.frames[1])
            else { continue }
            switch clone.receive(update) {
            case .ignore:
                continue
            case .resnapshot:
                // The hub restarted, or a change was dropped: start again from a snapshot.
                let fresh = try snapshot()
                clone.snapshot(fresh)
                guard handle(.snapshot(fresh)) else { return }
            case .apply:
                guard handle(.update(update)) else { return }
            }
        }
    }
}
