import Foundation

/// Where a PostgreSQL database is: parsed from `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`.
///
/// The password may be left out of the URL (it is then read from `KNUTEPUNKT_POSTGRES_PASSWORD` or `PGPASSWORD` when
/// the store opens); `description` never shows it.
package struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted (libpq's names).
    package enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (the default: loopback, a private network or a sidecar proxy).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection (a managed PostgreSQL across a network).
        case require
    }

    package var host: String
    package var port: Int
    package var user: String
    package var password: String?
    package var database: String
    package var tls: TLSMode

    package init(
        host: String,
        port: Int = 5432,
        user: String,
        password: String? = nil,
        database: String,
        tls: TLSMode = .disable
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// The URL without the password, for logs and status reports.
    package var description: String {
        let mode = tls == .disable ? "" : "?sslmode=\(tls.rawValue)"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)\(mode)"
    }

    /// The password to connect with: the URL's, else `KNUTEPUNKT_POSTGRES_PASSWORD`, else `PGPASSWORD`, else none
    /// (trust or peer authentication).
    package func resolvedPassword(environment: [String: String]) -> String? {
        password ?? environment["KNUTEPUNKT_POSTGRES_PASSWORD"] ?? environment["PGPASSWORD"]
    }

    /// Why a URL could not be read, in words that say what to write instead.
    package struct ParseFailure: Error, Sendable, Hashable {
        package var message: String
        package init(message: String) { self.message = message }
    }

    /// Whether `text` names a PostgreSQL database (it may still be malformed).
    package static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`; user, password and
    /// database may be percent-encoded.
    package static func parse(_ text: String) -> Result<PostgresLocation, ParseFailure> {
        func fail(_ message: String) -> Result<PostgresLocation, ParseFailure> {
            .failure(ParseFailure(message: message))
        }
        guard let schemeEnd = text.range(of: "://"), isPostgresURL(text) else {
            return fail("expected a URL beginning postgres://")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { return fail("no database: end the URL with /DATABASE") }
        let authority = rest[..<slash]
        guard let database = String(rest[rest.index(after: slash)...]).removingPercentEncoding, !database.isEmpty,
            !database.contains("/")
        else { return fail("no database: end the URL with /DATABASE") }
        guard let at = authority.lastIndex(of: "@") else { return fail("no user: write postgres://USER@HOST/DATABASE") }
        let credentials = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        var user = String(credentials)
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = String(credentials[..<colon])
            password = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
        }
        guard let decodedUser = user.removingPercentEncoding, !decodedUser.isEmpty else {
            return fail("no user: write postgres://USER@HOST/DATABASE")
        }
        var host = String(hostPort)
        var port = 5432
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return fail("unclosed [ in the host") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return fail("bad port") }
                port = number
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let number = Int(hostPort[hostPort.index(after: colon)...]) else {
                return fail("the port must be a number")
            }
            port = number
        }
        guard !host.isEmpty else { return fail("no host: write postgres://USER@HOST/DATABASE") }
        guard (1...65_535).contains(port) else { return fail("the port must be 1 to 65535") }
        var tls = TLSMode.disable
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "sslmode" else {
                return fail("unknown URL option \(pair): only sslmode=disable|prefer|require is understood")
            }
            guard let mode = TLSMode(rawValue: parts[1]) else {
                return fail("sslmode must be disable, prefer or require, not \(parts[1])")
            }
            tls = mode
        }
        return .success(
            PostgresLocation(
                host: host,
                port: port,
                user: decodedUser,
                password: password,
                database: database,
                tls: tls
            )
        )
    }
}
