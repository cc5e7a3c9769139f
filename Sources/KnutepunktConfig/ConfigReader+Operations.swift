import Foundation
import KnutepunktDomain
import KnutepunktLogging
import Logging
import Yams

// Readers for the keys both daemons share for operations: the HTTP address, the log settings and trace export.
extension ConfigReader {
    /// `http: HOST:PORT`; nil when absent (no HTTP server).
    mutating func httpAddress(_ mapping: Node.Mapping?, _ name: String, at key: String) -> HTTPListenAddress? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let address = HTTPListenAddress(text) else {
            fail(
                .invalidValue,
                path(key, name),
                "\"\(text)\" is not HOST:PORT",
                fix: "Write e.g. \(name): 127.0.0.1:9464 (port 0 picks a free one), or leave the key out for no HTTP"
            )
            return nil
        }
        return address
    }

    /// `logLevel: info` (trace, debug, info, notice, warning, error, critical).
    mutating func logLevel(_ mapping: Node.Mapping?, _ name: String, at key: String) -> Logger.Level? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let level = Logger.Level(rawValue: text) else {
            let names = Logger.Level.allCases.map(\.rawValue)
            let suggestion = NearestName.suggest(text, from: names).map { "; did you mean \"\($0)\"?" } ?? ""
            fail(
                .invalidValue,
                path(key, name),
                "unknown log level \"\(text)\"\(suggestion)",
                fix: "Use one of: \(names.joined(separator: ", "))"
            )
            return nil
        }
        return level
    }

    /// `logFormat: text` or `json`.
    mutating func logFormat(_ mapping: Node.Mapping?, _ name: String, at key: String) -> LogFormat? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let format = LogFormat(rawValue: text) else {
            fail(
                .invalidValue,
                path(key, name),
                "unknown log format \"\(text)\"",
                fix: "Use text or json"
            )
            return nil
        }
        return format
    }

    /// `otlpEndpoint: http://collector.example:4318`: the OpenTelemetry collector traces are exported to over
    /// OTLP/HTTP (docs/tracing.md); nil when absent (no export).
    mutating func otlpEndpoint(_ mapping: Node.Mapping?, _ name: String, at key: String) -> String? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            fail(
                .invalidValue,
                path(key, name),
                "\"\(text)\" is not the http(s) URL of an OTLP/HTTP collector",
                fix:
                    "Write e.g. \(name): http://collector.example:4318 (traces go to its /v1/traces), or leave the key "
                    + "out for no trace export"
            )
            return nil
        }
        return text
    }
}
