// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Knutepunkt",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "knutepunkt", targets: ["knutepunkt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Traces: spans and context propagation through swift-distributed-tracing's API, exported over OTLP/HTTP by
        // swift-otel when an endpoint is configured (docs/tracing.md). Its OTLP/gRPC exporter is left out (trait).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // Only the benchmarks: measured against our CSV reader (Benchmarks/KnutepunktBench/Parsers.swift).
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
    ],
    targets: [
        // libzmq from the system (Debian: libzmq3-dev).
        .systemLibrary(
            name: "CLibZMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        // Thin, safe wrapper over the libzmq C API. No domain knowledge.
        .target(name: "KnutepunktZMQ", dependencies: ["CLibZMQ"]),
        // The domain, no I/O: the activity event and its JSON form, validation, the privacy guard, the taxonomy.
        .target(name: "KnutepunktDomain"),
        // The gap engine, no I/O: facts folded from activity counts, the rules, their lifecycle, small cells.
        .target(name: "KnutepunktGaps", dependencies: ["KnutepunktDomain"]),
        // The wire, no I/O: KPN/KPC codecs, the uplink and hub-session state machines, control bodies, reason codes.
        .target(name: "KnutepunktProtocol", dependencies: ["KnutepunktDomain", "KnutepunktGaps"]),
        // What every daemon shares: the reactor-thread service skeleton, health, readiness, start-up errors, build
        // information, log throttling.
        .target(
            name: "KnutepunktService",
            dependencies: [
                "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktZMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // Spreadsheets: the CSV form of activities and the row-by-row import check.
        .target(
            name: "KnutepunktSpreadsheet",
            dependencies: [
                "KnutepunktDomain", "KnutepunktConfig", "KnutepunktClient",
                // XLSX files are ZIP archives of XML parts (read with FoundationXML).
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Durable storage behind one protocol: the node's outbox, the hub's store on SQLite (GRDB, the default) or
        // PostgreSQL (postgres-nio), and the one way to open a hub store from its location.
        .target(
            name: "KnutepunktStore",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reading and checking configuration files (YAML).
        .target(
            name: "KnutepunktConfig",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktZMQ", "KnutepunktLogging",
                "KnutepunktStore", .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reports read from a hub's store: the gap report.
        .target(
            name: "KnutepunktReports",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktStore", "KnutepunktConfig",
            ]
        ),
        // The regional node daemon.
        .target(
            name: "KnutepunktNode",
            dependencies: [
                "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktService", "KnutepunktZMQ", "KnutepunktStore",
                "KnutepunktConfig", "KnutepunktHTTP", "KnutepunktWorkspace",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The national hub daemon.
        .target(
            name: "KnutepunktHub",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService", "KnutepunktZMQ",
                "KnutepunktStore", "KnutepunktConfig", "KnutepunktHTTP", "KnutepunktDashboard",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The daemons' HTTP server (Hummingbird): /metrics, /healthz and /readyz.
        .target(
            name: "KnutepunktHTTP",
            dependencies: [
                "KnutepunktService", "KnutepunktConfig", "KnutepunktProtocol",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTPS for the node's workspace when node.tls names a certificate and key (swift-nio-ssl).
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Trace export for the executable: swift-otel's OTLP/HTTP exporter, only when an endpoint is configured.
        .target(
            name: "KnutepunktTelemetry",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Log output for the executable: plain text or one JSON object per line, with a level that can change.
        .target(name: "KnutepunktLogging", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Client side of the control protocol (KPC): what coordinators and ops tools use to talk to daemons, and the
        // gap stream's subscriber.
        .target(
            name: "KnutepunktClient",
            dependencies: ["KnutepunktDomain", "KnutepunktProtocol", "KnutepunktZMQ"]
        ),
        // The sample national network: a year of sample activities, and a hub with its nodes as child processes.
        .target(
            name: "KnutepunktSampleNetwork",
            dependencies: [
                "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktService", "KnutepunktConfig", "KnutepunktClient",
                "KnutepunktZMQ",
            ]
        ),
        // The national centre's web dashboard: live state from the hub's store and streams, and its HTTP routes.
        .target(
            name: "KnutepunktDashboard",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService", "KnutepunktZMQ",
                "KnutepunktStore", "KnutepunktConfig", "KnutepunktClient", "KnutepunktAccess", "KnutepunktHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // Compiled into the module: the hub's binary serves the page with no files beside it.
            resources: [
                .embedInCode("Assets/dashboard.html"), .embedInCode("Assets/login.html"),
                .embedInCode("Assets/app.js"), .embedInCode("Assets/app.css"),
            ]
        ),
        // Sign-in for the web applications: access files of hashed personal tokens, roles, expiring sessions.
        .target(name: "KnutepunktAccess", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The coordinator's workspace on the node's HTTP server: sign-in, the activity form built from the taxonomy,
        // the region's activities, spreadsheet upload; it talks to its node over the control protocol.
        .target(
            name: "KnutepunktWorkspace",
            dependencies: [
                "KnutepunktAccess", "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktClient",
                "KnutepunktSpreadsheet", "KnutepunktHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Compiled into the module: the node's binary serves the page with no files beside it.
            resources: [
                .embedInCode("Assets/workspace.html"), .embedInCode("Assets/login.html"),
                .embedInCode("Assets/app.js"), .embedInCode("Assets/app.css"),
            ]
        ),
        // The one command-line tool. Thin: parses arguments and hands configurations to the libraries.
        .executableTarget(
            name: "knutepunkt",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService", "KnutepunktConfig",
                "KnutepunktNode", "KnutepunktHub", "KnutepunktClient", "KnutepunktStore", "KnutepunktHTTP",
                "KnutepunktLogging", "KnutepunktDashboard", "KnutepunktReports", "KnutepunktSpreadsheet",
                "KnutepunktSampleNetwork", "KnutepunktZMQ", "KnutepunktTelemetry", "KnutepunktWorkspace",
                "KnutepunktAccess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // Test support: loopback endpoints, fixtures, child processes, in-process daemons.
        .target(
            name: "KnutepunktTesting",
            dependencies: [
                "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktService", "KnutepunktConfig", "KnutepunktZMQ",
                "KnutepunktStore", "KnutepunktHub", "KnutepunktNode", "KnutepunktSampleNetwork", "KnutepunktHTTP",
                "KnutepunktDashboard", "KnutepunktWorkspace", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // Benchmarks (`make bench`), apart from the tests: they print JSON lines and gate nothing.
        .executableTarget(
            name: "KnutepunktBench",
            dependencies: [
                "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService", "KnutepunktStore",
                "KnutepunktClient", "KnutepunktConfig", "KnutepunktTesting", "KnutepunktZMQ", "KnutepunktHub",
                "KnutepunktSampleNetwork", "KnutepunktSpreadsheet",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            path: "Benchmarks/KnutepunktBench"
        ),

        // One test target per library module, plus the integration tests that run whole daemons.
        .testTarget(name: "KnutepunktZMQTests", dependencies: ["KnutepunktZMQ"]),
        .testTarget(name: "KnutepunktDomainTests", dependencies: ["KnutepunktDomain", "KnutepunktTesting"]),
        .testTarget(
            name: "KnutepunktGapsTests",
            dependencies: ["KnutepunktGaps", "KnutepunktDomain", "KnutepunktSampleNetwork", "KnutepunktTesting"]
        ),
        .testTarget(
            name: "KnutepunktProtocolTests",
            dependencies: ["KnutepunktProtocol", "KnutepunktDomain", "KnutepunktTesting"]
        ),
        .testTarget(name: "KnutepunktServiceTests", dependencies: ["KnutepunktService"]),
        .testTarget(
            name: "KnutepunktSpreadsheetTests",
            dependencies: [
                "KnutepunktSpreadsheet", "KnutepunktDomain", "KnutepunktTesting",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "KnutepunktConfigTests",
            dependencies: [
                "KnutepunktConfig", "KnutepunktDomain", "KnutepunktGaps", "KnutepunktZMQ", "KnutepunktTesting",
                "KnutepunktLogging", "KnutepunktStore", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KnutepunktStoreTests",
            dependencies: [
                "KnutepunktStore", "KnutepunktDomain", "KnutepunktGaps", "KnutepunktService", "KnutepunktTesting",
                "KnutepunktSampleNetwork", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KnutepunktClientTests",
            dependencies: ["KnutepunktClient", "KnutepunktGaps", "KnutepunktProtocol"]
        ),
        .testTarget(
            name: "KnutepunktLoggingTests",
            dependencies: ["KnutepunktLogging", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "KnutepunktHTTPTests",
            dependencies: [
                "KnutepunktHTTP", "KnutepunktService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "KnutepunktNodeTests", dependencies: ["KnutepunktNode"]),
        .testTarget(
            name: "KnutepunktReportsTests",
            dependencies: [
                "KnutepunktReports", "KnutepunktDomain", "KnutepunktGaps", "KnutepunktStore", "KnutepunktSampleNetwork",
                "KnutepunktTesting",
            ]
        ),
        .testTarget(
            name: "KnutepunktSampleNetworkTests",
            dependencies: ["KnutepunktSampleNetwork", "KnutepunktDomain", "KnutepunktTesting"]
        ),
        .testTarget(
            name: "KnutepunktHubTests",
            dependencies: [
                "KnutepunktHub", "KnutepunktConfig", "KnutepunktProtocol", "KnutepunktDomain", "KnutepunktGaps",
                "KnutepunktStore", "KnutepunktTesting", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KnutepunktDashboardTests",
            dependencies: [
                "KnutepunktDashboard", "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService",
                "KnutepunktConfig", "KnutepunktClient", "KnutepunktStore", "KnutepunktReports", "KnutepunktTesting",
                "KnutepunktSampleNetwork", "KnutepunktZMQ", "KnutepunktAccess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "KnutepunktAccessTests", dependencies: ["KnutepunktAccess"]),
        .testTarget(
            name: "KnutepunktWorkspaceTests",
            dependencies: [
                "KnutepunktWorkspace", "KnutepunktAccess", "KnutepunktDomain", "KnutepunktProtocol", "KnutepunktConfig",
                "KnutepunktClient", "KnutepunktNode", "KnutepunktHTTP", "KnutepunktTesting", "KnutepunktSpreadsheet",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KnutepunktIntegrationTests",
            dependencies: [
                "KnutepunktNode", "KnutepunktHub", "KnutepunktClient", "KnutepunktStore", "KnutepunktTesting",
                "KnutepunktZMQ", "KnutepunktDomain", "KnutepunktGaps", "KnutepunktProtocol", "KnutepunktService",
                "KnutepunktConfig", "KnutepunktHTTP", "KnutepunktLogging", "KnutepunktReports",
                "KnutepunktSampleNetwork", "KnutepunktTelemetry",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
