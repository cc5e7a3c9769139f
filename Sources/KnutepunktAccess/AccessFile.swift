import Crypto
import Foundation

/// Who may use a web application: one entry per token, each kept only as the SHA-256 of the token, never the token.
///
/// Tokens are long random secrets (``makeToken()`` makes 32 random bytes), so a plain SHA-256 is enough to keep a
/// leaked access file from granting access; a slow password hash would only slow every request down.
///
/// The access file has one entry per line, `ROLE NAME SHA256-HEX`; `#` starts a comment:
///
///     # role    name       sha256 of the token
///     viewer    ops-screen 3f0c…
///     analyst   kari       9a41…
///
/// The dashboard (`DashboardAccess`) and the node's workspace each read one, with their own roles.
package struct AccessFile<Role: AccessRole>: Sendable, Hashable {
    package struct Entry: Sendable, Hashable {
        package var user: AccessUser<Role>
        /// The SHA-256 of the token, 32 bytes.
        package var digest: [UInt8]

        package init(user: AccessUser<Role>, digest: [UInt8]) {
            self.user = user
            self.digest = digest
        }
    }

    package var entries: [Entry]

    package init(entries: [Entry]) { self.entries = entries }

    /// The user `token` belongs to, or nil. Compares digests in constant time over every entry.
    package func user(forToken token: String) -> AccessUser<Role>? {
        guard !token.isEmpty else { return nil }
        let digest = Self.digest(of: token)
        var found: AccessUser<Role>?
        for entry in entries where Self.constantTimeEqual(entry.digest, digest) && found == nil {
            found = entry.user
        }
        return found
    }

    /// The SHA-256 of a token.
    package static func digest(of token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// The hex SHA-256 of a token, as the access file holds it.
    package static func hexDigest(of token: String) -> String {
        hex(digest(of: token))
    }

    /// A new random token: 32 bytes from the system's secure generator, hex.
    package static func makeToken() -> String {
        randomHex(bytes: 32)
    }

    /// `count` bytes from the system's secure generator, hex (tokens and session ids).
    package static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Whether two byte strings are equal, in time that depends only on their length.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Reads an access file's text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(AccessFileError) -> AccessFile {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            let place = "\(file):\(index + 1)"
            guard fields.count == 3 else {
                throw AccessFileError(
                    message: "\(place): expected ROLE NAME SHA256-HEX; make an entry with `\(Role.tokenCommand)`"
                )
            }
            guard let (role, region) = Role.parse(String(fields[0])) else {
                throw AccessFileError(message: "\(place): unknown role \(fields[0]); use \(Role.fieldsHelp)")
            }
            guard let digest = Self.bytes(hex: fields[2]), digest.count == 32 else {
                throw AccessFileError(
                    message: "\(place): the third field must be 64 hex digits (the SHA-256 of the token, not the token)"
                )
            }
            entries.append(
                Entry(user: AccessUser(name: String(fields[1]), role: role, region: region), digest: digest)
            )
        }
        return AccessFile(entries: entries)
    }

    /// Reads an access file.
    package static func load(path: String) throws(AccessFileError) -> AccessFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AccessFileError(
                message: "cannot read the access file \(path): \(error); make one with `\(Role.tokenCommand)`"
            )
        }
        return try parse(text, file: path)
    }

    /// The line an access file holds for a new token: `ROLE NAME SHA256-HEX` (the role as `ROLE:REGION` when it is
    /// tied to a region).
    package static func line(role: Role, region: String? = nil, name: String, token: String) -> String {
        "\(role.rawValue)\(region.map { ":\($0)" } ?? "") \(name) \(hexDigest(of: token))\n"
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
