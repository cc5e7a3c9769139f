import KnutepunktConfig
import KnutepunktStore
import Testing

/// `hub.storage`: `sqlite:PATH` (the default kind) or a PostgreSQL URL, read and checked by `config check`.
@Suite struct HubStorageConfigurationTests {
    static func hubFile(storage: String) -> String {
        """
        hub:
          id: NO-HUB
          listen: tcp://127.0.0.1:7300
          publish: tcp://127.0.0.1:7301
          control: tcp://127.0.0.1:7302
          storage: \(storage)
          taxonomy: \(RepositoryFiles.taxonomy)
          nodes:
            - {id: NO-VEST, region: NO-VEST}

        """
    }

    static func load(storage: String) throws -> (HubConfiguration?, [ConfigError]) {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("hub.yaml", hubFile(storage: storage))
        do {
            guard case (.hub(let hub), _) = try DaemonConfiguration.load(path: file) else { return (nil, []) }
            return (hub, [])
        } catch {
            return (nil, error.errors)
        }
    }

    @Test func aPostgresURLIsRead() throws {
        let (hub, errors) = try Self.load(
            storage: "postgres://knutepunkt:s%40cret@db.example.org:5433/hub?sslmode=require"
        )
        #expect(errors.isEmpty, "\(errors)")
        let expected = PostgresLocation(
            host: "db.example.org",
            port: 5433,
            user: "knutepunkt",
            password: "s@cret",
            database: "hub",
            tls: .require
        )
        #expect(hub?.storage == .postgres(expected))
        // The password never shows in logs or status.
        #expect("\(hub?.storage as Any)".contains("s@cret") == false)
        #expect(hub.map { "\($0.storage)" } == "postgres://knutepunkt@db.example.org:5433/hub?sslmode=require")
    }

    @Test func theDefaultPortAndNoPassword() throws {
        let location = try PostgresLocation.parse("postgresql://hub@127.0.0.1/knutepunkt").get()
        #expect(location == PostgresLocation(host: "127.0.0.1", port: 5432, user: "hub", database: "knutepunkt"))
        #expect(
            location.resolvedPassword(environment: ["KNUTEPUNKT_POSTGRES_PASSWORD": "a", "PGPASSWORD": "b"]) == "a"
        )
        #expect(location.resolvedPassword(environment: ["PGPASSWORD": "b"]) == "b")
        #expect(location.resolvedPassword(environment: [:]) == nil)
        let ipv6 = try PostgresLocation.parse("postgres://hub@[::1]:6000/k").get()
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 6000)
        #expect(ipv6.description == "postgres://hub@[::1]:6000/k")
    }

    @Test(arguments: [
        ("postgres://db.example.org/hub", "no user"),
        ("postgres://hub@db.example.org", "no database"),
        ("postgres://hub@db.example.org:99999/hub", "port"),
        ("postgres://hub@db.example.org:x/hub", "port"),
        ("postgres://hub@db.example.org/hub?sslmode=verify-full", "sslmode"),
        ("postgres://hub@db.example.org/hub?timeout=3", "unknown URL option"),
        ("mysql://hub@db/hub", "unsupported storage"),
    ])
    func aBadStorageIsReportedWithTheForms(_ storage: String, _ says: String) throws {
        let (_, errors) = try Self.load(storage: storage)
        #expect(errors.map(\.key) == ["hub.storage"])
        #expect(errors.first?.message.contains(says) == true, "\(errors)")
        #expect(errors.first?.fix.contains("postgres://") == true)
    }

    @Test func sqliteStaysTheDefaultKind() throws {
        let (hub, errors) = try Self.load(storage: "sqlite:/var/lib/knutepunkt/hub.sqlite")
        #expect(errors.isEmpty)
        #expect(hub?.storage == .sqlite(path: "/var/lib/knutepunkt/hub.sqlite"))
    }
}
