import Logging
import Synchronization

/// The process's log level, shared by every handler the executable bootstraps, so a SIGHUP can change it while the
/// daemon runs (`logLevel` in the daemon's configuration).
package final class LogLevelControl: Sendable {
    private let current: Mutex<Logger.Level>

    package init(_ level: Logger.Level) {
        current = Mutex(level)
    }

    package var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
