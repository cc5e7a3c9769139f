import Foundation
import HummingbirdTesting
import NIOCore

/// Reads one sample from Prometheus' text format: the value of `name` with exactly these labels (in any order).
struct PrometheusText {
    let text: String

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let value = Double(line[line.index(after: space)...])
            var seriesName = Substring(series)
            var seriesLabels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{"), series.hasSuffix("}") {
                seriesName = series[..<brace]
                let inside = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                for pair in inside.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    seriesLabels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            if seriesName == name, seriesLabels == labels { return value }
        }
        return nil
    }
}

/// GETs a path from a daemon's HTTP server on loopback, over a real socket.
enum OperationsHTTP {
    static func get(port: Int, _ path: String) async throws -> (status: Int, body: String) {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.get(path)
            return (Int(response.status.code), response.body.map { String(buffer: $0) } ?? "")
        }
    }

    static func metrics(port: Int) async throws -> PrometheusText {
        let (status, body) = try await get(port: port, "/metrics")
        guard status == 200 else { throw PeerFailure("/metrics answered \(status)") }
        return PrometheusText(text: body)
    }
}
