/// The text `/metrics` serves: the registry's exposition with a `# HELP` line before every family's `# TYPE` line.
///
/// The daemons make their metrics through swift-metrics (so libraries never depend on the Prometheus client), whose
/// factory cannot carry help text; each daemon therefore declares its metrics' help beside them (`HubMetrics.help`,
/// `NodeMetrics.help`), and it is added here. A family without declared help still gets a HELP line naming it, so
/// every family has both lines.
package enum MetricsExposition {
    package static func annotate(_ exposition: String, help: [String: String]) -> String {
        var lines: [Substring] = []
        var helped: Set<Substring> = []
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# HELP ") {
                helped.insert(name(in: line.dropFirst("# HELP ".count)))
            } else if line.hasPrefix("# TYPE ") {
                let family = name(in: line.dropFirst("# TYPE ".count))
                if !helped.contains(family) {
                    let text = help[String(family)] ?? "\(family.replacingOccurrences(of: "_", with: " "))"
                    lines.append("# HELP \(family) \(escaped(text))")
                    helped.insert(family)
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func name(in rest: Substring) -> Substring {
        rest.prefix { $0 != " " }
    }

    /// HELP text escapes backslashes and line feeds (Prometheus text format 0.0.4).
    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
