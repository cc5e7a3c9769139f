import Logging

/// The handler of the logger swift-otel is given for its own complaints: it forwards to the daemon's logger but keeps
/// a level of its own. swift-otel sets the level of the logger it gets (`diagnosticLogLevel`), and the executable's
/// handlers share one process-wide level (`LogLevelControl`, which SIGHUP changes): handing it the daemon's logger
/// would set the whole daemon's level.
struct DiagnosticLogHandler: LogHandler {
    let target: Logger
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata?,
        source: String,
        file: String,
        function: String,
        line: UInt
    ) {
        let merged = self.metadata.merging(metadata ?? [:]) { _, new in new }
        target.log(
            level: level,
            message,
            metadata: merged,
            source: source,
            file: file,
            function: function,
            line: line
        )
    }

    /// A logger for swift-otel that writes through `target` without sharing its level.
    static func logger(forwardingTo target: Logger) -> Logger {
        Logger(label: target.label) { _ in DiagnosticLogHandler(target: target) }
    }
}
