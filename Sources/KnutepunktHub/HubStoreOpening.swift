import Foundation
import KnutepunktConfig
import KnutepunktPostgres
import KnutepunktStore
import Logging

extension HubConfiguration.Storage {
    /// Opens the hub's store this storage names (creating or migrating its schema): the one place that maps a
    /// configured storage to a ``HubStore`` backend.
    package func openStore(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "knutepunkt.store")
    ) throws(StoreError) -> any HubStore {
        switch self {
        case .sqlite(let path): try SQLiteHubStore.open(path: path)
        case .postgres(let location): try PostgresHubStore.open(location, environment: environment, logger: logger)
        }
    }
}
