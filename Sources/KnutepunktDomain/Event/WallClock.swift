import Foundation

/// The wall clock the daemons take the date from: the system's, shifted by `KNUTEPUNKT_CLOCK_SKEW_SECONDS` when
/// that is set, so that a test can put a node's clock a day ahead of or behind the hub's (libfaketime cannot do it
/// for a Swift program: preloaded, it hides the program's arguments from it). Timers never read it: they use the
/// monotonic clock.
package enum WallClock {
    /// Seconds added to the system's time (0 unless `KNUTEPUNKT_CLOCK_SKEW_SECONDS` says otherwise).
    package static let skew: TimeInterval = {
        guard let text = ProcessInfo.processInfo.environment["KNUTEPUNKT_CLOCK_SKEW_SECONDS"] else { return 0 }
        return TimeInterval(text) ?? 0
    }()

    /// Now, as this daemon's clock says.
    package static func now() -> Date { Date().addingTimeInterval(skew) }
}
