/// How log lines are written: plain text for a terminal, or one JSON object per line for a log collector.
package enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case text
    case json
}
