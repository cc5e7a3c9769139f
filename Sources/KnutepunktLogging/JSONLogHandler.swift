import Foundation
import Logging

/// Writes each log record as one JSON object on one line: `time` (ISO 8601, UTC, milliseconds), `level`, `label`,
/// `message`, `source`, then the metadata as fields of their own (`node.id`, `region`, `sequence`…), so a log
/// collector can filter on them. Metadata never replaces the fixed fields: a clashing key is written `meta.KEY`.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let levels: LogLevelControl
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - levels: the shared, changeable level.
    ///   - write: receives each line, newline included (the executable writes to standard error).
    package init(label: String, levels: LogLevelControl, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.levels = levels
        self.write = write
    }

    package var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let fixed: Set<String> = ["time", "level", "label", "message", "source"]

    package func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": Self.timestamp(Date()),
            "level": event.level.rawValue,
            "label": label,
            "message": "\(event.message)",
            "source": event.source,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged {
            fields[Self.fixed.contains(key) ? "meta.\(key)" : key] = Self.json(value)
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): "\(convertible)"
        case .array(let items): items.map(json)
        case .dictionary(let entries): entries.mapValues(json)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        )
    }
}
