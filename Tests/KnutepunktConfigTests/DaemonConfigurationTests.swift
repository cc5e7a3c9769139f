import Foundation
import KnutepunktConfig
import KnutepunktDomain
import Testing

/// Daemon files (node and hub) load together with the taxonomy they name.
@Suite struct DaemonConfigurationTests {
    /// The local network's keys are generated on its first run (or by `make test`); here once, before any file loads
    /// (a static `let` runs its initialiser once, even when the tests run in parallel).
    static let localKeys: Void = {
        do {
            _ = try KeyReferences.ensure(configurations: RepositoryFiles.localDaemonFiles)
        } catch {
            preconditionFailure("generating the local network's keys failed: \(error)")
        }
    }()

    @Test(arguments: RepositoryFiles.localDaemonFiles)
    func shippedLocalFileLoads(_ file: String) throws {
        Self.localKeys
        let (configuration, taxonomy) = try DaemonConfiguration.load(path: file)
        switch configuration {
        case .node(let node):
            #expect(taxonomy.region(node.region) != nil)
            #expect(node.defaultNode.flatMap { taxonomy.region(ofNode: $0)?.code } == node.region)
            #expect(
                node.taxonomyPath == RepositoryFiles.taxonomy || node.taxonomyPath.hasSuffix("/Configs/taxonomy.yaml")
            )
        case .hub(let hub):
            #expect(hub.nodes.map(\.region) == ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"])
        }
    }

    @Test func thereAreFiveShippedLocalFiles() {
        #expect(
            RepositoryFiles.localDaemonFiles.map { ($0 as NSString).lastPathComponent } == [
                "hub.yaml", "node-midt.yaml", "node-nord.yaml", "node-sorost.yaml", "node-vest.yaml",
            ]
        )
    }

    /// A node file for region NO-VEST, with the shipped taxonomy.
    static func nodeFile(
        hubKey: String = "hub",
        region: String = "NO-VEST",
        defaultNode: String = "NO-VEST-FONNA",
        taxonomy: String = RepositoryFiles.taxonomy
    ) -> String {
        """
        node:
          id: NO-VEST
          region: \(region)
          \(hubKey): tcp://127.0.0.1:7300
          control: tcp://127.0.0.1:*
          outbox: outbox.sqlite
          taxonomy: \(taxonomy)
          defaultNode: \(defaultNode)

        """
    }

    static func errors(loading text: String, name: String = "node.yaml") throws -> (file: String, errors: [ConfigError])
    {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(name, text)
        do {
            _ = try DaemonConfiguration.load(path: file)
            return (file, [])
        } catch {
            return (file, error.errors)
        }
    }

    @Test func aGoodNodeFileLoads() throws {
        let (_, errors) = try Self.errors(loading: Self.nodeFile())
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func aMisspeltKeyGetsADidYouMean() throws {
        let (file, errors) = try Self.errors(loading: Self.nodeFile(hubKey: "hubb"))
        let unknown = try #require(errors.first { $0.code == .unknownKey })
        #expect(unknown.key == "node.hubb")
        #expect(unknown.message.contains("did you mean \"hub\""))
        #expect(unknown.description.hasPrefix("\(file): node.hubb: unknown key; did you mean \"hub\"?"))
        #expect(unknown.fix.contains("hub"))
        // The real key is then missing, and said so.
        #expect(errors.contains { $0.code == .missingKey && $0.key == "node.hub" })
    }

    @Test func aPrimaryAndABackupHubLoadInOrder() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let text = Self.nodeFile().replacingOccurrences(
            of: "hub: tcp://127.0.0.1:7300",
            with: "hubs: [tcp://127.0.0.1:7300, tcp://127.0.0.1:7301]\n  failbackAfter: 2m"
        )
        guard case (.node(let node), _) = try DaemonConfiguration.load(path: try folder.write("node.yaml", text)) else {
            Issue.record("not a node")
            return
        }
        #expect(node.hubEndpoints == ["tcp://127.0.0.1:7300", "tcp://127.0.0.1:7301"])
        #expect(node.hubEndpoint == "tcp://127.0.0.1:7300")
        #expect(node.failbackAfter == .seconds(120))
    }

    @Test func hubAndHubsTogetherOrABadBackupEndpointAreNamed() throws {
        let both = Self.nodeFile() + "  hubs: [tcp://127.0.0.1:7301]\n"
        #expect(try Self.errors(loading: both).errors.map(\.key) == ["node.hubs"])
        let bad = Self.nodeFile().replacingOccurrences(
            of: "hub: tcp://127.0.0.1:7300",
            with: "hubs: [tcp://127.0.0.1:7300, hub.example:7301]"
        )
        #expect(try Self.errors(loading: bad).errors.map(\.key) == ["node.hubs[1]"])
    }

    @Test func anUnknownRegionIsNamed() throws {
        let (file, errors) = try Self.errors(loading: Self.nodeFile(region: "NO-WEST"))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.file == file && error.key == "node.region" && error.message.contains("NO-WEST"))
    }

    @Test func aDefaultNodeOfAnotherRegionIsNamed() throws {
        let (_, errors) = try Self.errors(loading: Self.nodeFile(defaultNode: "NO-NORD-UNN"))
        #expect(errors.map(\.key) == ["node.defaultNode"])
        #expect(errors.first?.fix.contains("NO-VEST-FONNA") == true)
    }

    @Test func aBrokenTaxonomyIsReportedAgainstItsOwnFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let taxonomy = try folder.write("taxonomy.yaml", SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [X]"))
        let file = try folder.write("node.yaml", Self.nodeFile(taxonomy: "taxonomy.yaml"))
        do {
            _ = try DaemonConfiguration.load(path: file)
            Issue.record("loaded with a broken taxonomy")
        } catch {
            #expect(error.errors.map(\.file) == [taxonomy])
            #expect(error.errors.map(\.key) == ["programmes[0].tiers[0]"])
        }
    }

    @Test func aMisspeltHubKeyInTheHubFile() throws {
        let text = """
            hub:
              id: NO-HUB
              listen: tcp://127.0.0.1:7300
              publish: tcp://127.0.0.1:7301
              control: tcp://127.0.0.1:7302
              storage: sqlite:hub.sqlite
              taxonomy: \(RepositoryFiles.taxonomy)
              sesionTimeout: 10s
              nodes:
                - {id: NO-VEST, region: NO-VEST}
                - {id: NO-NORD, regoin: NO-NORD}

            """
        let (_, errors) = try Self.errors(loading: text, name: "hub.yaml")
        #expect(errors.map(\.key) == ["hub.sesionTimeout", "hub.nodes[1].regoin", "hub.nodes[1].region"])
        #expect(errors.first?.message.contains("did you mean \"sessionTimeout\"?") == true)
        #expect(errors.dropFirst().first?.message.contains("did you mean \"region\"?") == true)
    }
}
