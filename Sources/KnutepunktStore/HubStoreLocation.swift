import Foundation
import Logging

/// Where the hub keeps its events: `sqlite:PATH` (the embedded default) or a PostgreSQL URL.
///
/// The one place that maps a configured location to a ``HubStore`` backend is ``open(environment:logger:)``: the
/// hub, the reports, the dashboard and the command-line tools all open their store through it.
package enum HubStoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    /// A PostgreSQL database, which several hubs may share (see docs/scaling.md).
    case postgres(PostgresLocation)

    /// The location without any password, for logs and status reports.
    package var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): "\(location)"
        }
    }

    /// What `storage:` (or `hub migrate --from/--to`) may say, for error messages.
    package static let forms = "sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"

    /// Reads `sqlite:PATH` (a relative path taken from `file`'s folder, or the working directory) or `postgres://…`;
    /// the error says what is wrong.
    package static func parse(
        _ text: String,
        relativeTo file: String?
    ) -> Result<HubStoreLocation, PostgresLocation.ParseFailure> {
        if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            return .success(.sqlite(path: resolve(String(text.dropFirst("sqlite:".count)), relativeTo: file ?? "")))
        }
        if PostgresLocation.isPostgresURL(text) {
            return PostgresLocation.parse(text).map { .postgres($0) }
        }
        return .failure(PostgresLocation.ParseFailure(message: "unsupported storage \"\(text)\""))
    }

    /// Opens the store this location names, creating or migrating its schema.
    package func open(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "knutepunkt.store")
    ) throws(StoreError) -> any HubStore {
        switch self {
        case .sqlite(let path): try SQLiteHubStore.open(path: path)
        case .postgres(let location): try PostgresHubStore.open(location, environment: environment, logger: logger)
        }
    }

    /// A relative path is taken from the folder of the file that names it (the working directory without one).
    private static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (file as NSString).deletingLastPathComponent
        let cwd = FileManager.default.currentDirectoryPath
        let base = folder.hasPrefix("/") ? folder : (cwd as NSString).appendingPathComponent(folder)
        return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
