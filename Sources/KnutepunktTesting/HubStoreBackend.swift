import Foundation
import KnutepunktConfig
import KnutepunktHub
import KnutepunktStore

/// The hub store backends every store conformance test and end-to-end test runs against.
package enum HubStoreBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// A fresh, empty storage of this backend: a file in a new temporary folder, or a new database on the test
    /// process's PostgreSQL server (``PostgresTestServer``).
    package func makeStorage(in folder: TemporaryDirectory) async throws -> HubConfiguration.Storage {
        switch self {
        case .sqlite: .sqlite(path: folder.file("hub/hub.sqlite"))
        case .postgres: .postgres(try await PostgresTestServer.makeDatabase())
        }
    }

    package var description: String { rawValue }
}

/// A fresh storage of one backend that a test opens (and reopens) as the hub would.
package struct HubStoreFixture: Sendable {
    package let backend: HubStoreBackend
    package let folder: TemporaryDirectory
    package let storage: HubConfiguration.Storage

    package init(_ backend: HubStoreBackend) async throws {
        self.backend = backend
        folder = try TemporaryDirectory(prefix: "knutepunkt-store")
        storage = try await backend.makeStorage(in: folder)
    }

    /// Opens the store as the hub does (creating or migrating its schema).
    package func open() throws -> any HubStore {
        try storage.open()
    }

    package func remove() { folder.remove() }
}
