import Foundation

/// Host names reserved for examples (RFC 2606 and RFC 6761: `.example`, `.invalid`, `example.com`, `example.net`,
/// `example.org`), which the shipped files use where an installation must write its own address
/// (`hub.knutepunkt.example`). None of them ever resolves to a real machine.
enum PlaceholderAddress {
    /// Whether the host of a `tcp://HOST:PORT` endpoint is reserved for examples.
    static func isPlaceholder(endpoint: String) -> Bool {
        guard endpoint.hasPrefix("tcp://") else { return false }
        let rest = endpoint.dropFirst("tcp://".count)
        let host = rest.lastIndex(of: ":").map { rest[..<$0] } ?? rest
        return isPlaceholder(host: String(host))
    }

    static func isPlaceholder(host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: ["."])
        let reservedDomains = ["example", "invalid", "example.com", "example.net", "example.org"]
        return reservedDomains.contains { name == $0 || name.hasSuffix("." + $0) }
    }
}
