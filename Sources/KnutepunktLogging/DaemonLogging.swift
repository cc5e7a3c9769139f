import Foundation
import Logging

/// The log handlers the executable bootstraps: plain text (swift-log's stream handler) or JSON lines, both on
/// standard error and both reading one shared, changeable level.
package enum DaemonLogging {
    /// A handler for `label` in `format`, at the level `levels` holds (now and after any change).
    package static func handler(label: String, format: LogFormat, levels: LogLevelControl) -> any LogHandler {
        switch format {
        case .json:
            return JSONLogHandler(label: label, levels: levels) { line in
                FileHandle.standardError.write(Data(line.utf8))
            }
        case .text:
            return LevelledHandler(base: StreamLogHandler.standardError(label: label), levels: levels)
        }
    }
}

/// Another handler whose level is the shared one.
struct LevelledHandler: LogHandler {
    var base: any LogHandler
    let levels: LogLevelControl

    var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        base.log(event: event)
    }
}
