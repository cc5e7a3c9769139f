// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Knutepunkt",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "knutepunkt", targets: ["knutepunkt"]),
        .library(name: "KnutepunktDashboard", targets: ["KnutepunktDashboard"]),
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
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
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
        // Pure domain: taxonomy, events, validation, privacy guard, wire codec, state machines. No I/O.
        .target(name: "KnutepunktCore"),
        // Reading and checking configuration files (YAML).
        .target(
            name: "KnutepunktConfig",
            dependencies: [
                "KnutepunktCore", "KnutepunktZMQ", "KnutepunktLogging", "KnutepunktStore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Durable storage: the node's outbox and the hub's event store (SQLite via GRDB).
        .target(
            name: "KnutepunktStore",
            dependencies: ["KnutepunktCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The hub's store on PostgreSQL (postgres-nio), behind the same HubStore protocol as SQLite.
        .target(
            name: "KnutepunktPostgres",
            dependencies: [
                "KnutepunktCore", "KnutepunktStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The regional node daemon.
        .target(
            name: "KnutepunktNode",
            dependencies: [
                "KnutepunktCore", "KnutepunktZMQ", "KnutepunktStore", "KnutepunktConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The national hub daemon.
        .target(
            name: "KnutepunktHub",
            dependencies: [
                "KnutepunktCore", "KnutepunktZMQ", "KnutepunktStore", "KnutepunktConfig", "KnutepunktPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The daemons' HTTP server (Hummingbird): /metrics, /healthz and /readyz today; more routes can be added.
        .target(
            name: "KnutepunktHTTP",
            dependencies: [
                "KnutepunktCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Log output for the executable: plain text or one JSON object per line, with a level that can change.
        .target(name: "KnutepunktLogging", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Client side of the control protocol: what coordinators and ops tools use to talk to daemons.
        .target(
            name: "KnutepunktClient",
            dependencies: ["KnutepunktCore", "KnutepunktZMQ", "KnutepunktConfig", "KnutepunktStore"]
        ),
        // The one command-line tool. Thin: parses arguments and hands configurations to the libraries.
        .executableTarget(
            name: "knutepunkt",
            dependencies: [
                "KnutepunktCore", "KnutepunktConfig", "KnutepunktNode", "KnutepunktHub", "KnutepunktClient",
                "KnutepunktStore", "KnutepunktHTTP", "KnutepunktLogging", "KnutepunktDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Test support: loopback endpoints, fixtures, child processes.
        .target(
            name: "KnutepunktTesting",
            dependencies: [
                "KnutepunktCore", "KnutepunktConfig", "KnutepunktZMQ", "KnutepunktClient", "KnutepunktHub",
                "KnutepunktNode",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Benchmarks (`make bench`), apart from the tests: they print JSON lines and gate nothing.
        .executableTarget(
            name: "KnutepunktBench",
            dependencies: [
                "KnutepunktCore", "KnutepunktStore", "KnutepunktClient", "KnutepunktConfig", "KnutepunktTesting",
                "KnutepunktZMQ", "KnutepunktHub", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/KnutepunktBench"
        ),
        .testTarget(name: "KnutepunktZMQTests", dependencies: ["KnutepunktZMQ"]),
        .testTarget(
            name: "KnutepunktCoreTests",
            dependencies: ["KnutepunktCore", "KnutepunktConfig", "KnutepunktTesting"]
        ),
        .testTarget(
            name: "KnutepunktConfigTests",
            dependencies: [
                "KnutepunktConfig", "KnutepunktCore", "KnutepunktZMQ", "KnutepunktTesting", "KnutepunktLogging",
                "KnutepunktStore", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KnutepunktStoreTests",
            dependencies: [
                "KnutepunktStore", "KnutepunktCore", "KnutepunktTesting", "KnutepunktPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "KnutepunktIntegrationTests",
            dependencies: [
                "KnutepunktNode", "KnutepunktHub", "KnutepunktClient", "KnutepunktStore", "KnutepunktTesting",
                "KnutepunktZMQ", "KnutepunktCore", "KnutepunktConfig", "KnutepunktHTTP", "KnutepunktLogging",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The national centre's web dashboard: live state from the hub's store and streams, and its HTTP routes.
        .target(
            name: "KnutepunktDashboard",
            dependencies: [
                "KnutepunktCore", "KnutepunktZMQ", "KnutepunktStore", "KnutepunktConfig", "KnutepunktClient",
                "KnutepunktHub", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Compiled into the module: the hub's binary serves the page with no files beside it.
            resources: [
                .embedInCode("Assets/dashboard.html"), .embedInCode("Assets/login.html"),
                .embedInCode("Assets/app.js"), .embedInCode("Assets/app.css"),
            ]
        ),
        .testTarget(
            name: "KnutepunktDashboardTests",
            dependencies: [
                "KnutepunktDashboard", "KnutepunktCore", "KnutepunktConfig", "KnutepunktClient", "KnutepunktStore",
                "KnutepunktTesting", "KnutepunktHub", "KnutepunktNode", "KnutepunktZMQ",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
