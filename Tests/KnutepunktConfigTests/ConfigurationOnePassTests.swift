import Foundation
import KnutepunktConfig
import KnutepunktZMQ
import Testing

/// `knutepunkt config check` reports every problem of a file in one run: a wrong key does not hide an unknown region,
/// a broken taxonomy does not hide a missing key file, and clashes are found whatever else is wrong. What an
/// installation still has to do (key files, the example hub address) is told apart from mistakes.
@Suite struct ConfigurationOnePassTests {
    /// A node file with eight problems of five kinds, none depending on another.
    static let brokenNode = """
        node:
          id: no-vest
          region: NO-WEST
          hub: tcp://hub.knutepunkt.example:7300
          control: tcp://127.0.0.1:7310
          http: 127.0.0.1:7310
          outbox: outbox.sqlite
          taxonomy: taxonomy.yaml
          window: lots
          retension: 30d
          curve:
            secretKey: keys/NO-VEST.key
            hubPublicKey: keys/hub.pub

        """

    @Test func oneRunListsEveryProblemOfANodeFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        // The taxonomy beside it has a mistake of its own, which used to hide every check of the node file's codes.
        try folder.write("taxonomy.yaml", SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [Q]"))
        let file = try folder.write("node.yaml", Self.brokenNode)
        let report = ConfigurationCheck.report(for: file)
        let errors = report.errors.map { "\($0.key ?? "") \($0.code)" }
        #expect(
            Set(errors) == [
                "node.id invalidValue",  // lower case
                "node.window invalidValue",  // not a number
                "node.retension unknownKey",  // misspelt
                "node.http inconsistent",  // on control's port
                "programmes[0].tiers[0] unknownReference",  // the taxonomy's own, naming the taxonomy file
                "node.region invalidValue",  // not in the taxonomy
            ],
            "\(report.errors.map(\.description).joined(separator: "\n"))"
        )
        #expect(report.errors.contains { $0.file.hasSuffix("taxonomy.yaml") && $0.key == "programmes[0].tiers[0]" })
        // Installation steps, apart from the mistakes: two key files, one example address.
        #expect(
            Set(report.pending.map { "\($0.key ?? "") \($0.code)" }) == [
                "node.hub placeholder", "node.curve.secretKey notInPlace", "node.curve.hubPublicKey notInPlace",
            ]
        )
        #expect(!report.passed && !report.ready)
        // And a daemon refuses it with the same list.
        #expect(throws: ConfigErrors.self) { try DaemonConfiguration.load(path: file) }
        do {
            _ = try DaemonConfiguration.load(path: file)
        } catch {
            #expect(error.errors.count == report.errors.count + report.pending.count)
        }
    }

    @Test func oneRunListsEveryProblemOfAHubFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keys = "\(folder.path)/keys"
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "hub")
        let file = try folder.write(
            "hub.yaml",
            """
            hub:
              id: NO-HUB
              listen: tcp://127.0.0.1:7300
              publish: tcp://127.0.0.1:7300
              control: tcp://127.0.0.1:7302
              storage: mysql:hub
              taxonomy: \(RepositoryFiles.taxonomy)
              sessionTimout: 10s
              curve:
                secretKey: keys/hub.key
              nodes:
                - id: NO-VEST
                  publicKeys: [keys/NO-VEST.pub]
                - id: NO-NORD
                  region: NO-NORTH
                  publicKeys: [keys/NO-NORD.pub]

            """
        )
        let report = ConfigurationCheck.report(for: file)
        #expect(
            Set(report.errors.map { "\($0.key ?? "") \($0.code)" }) == [
                "hub.publish inconsistent",  // listen's port
                "hub.storage invalidValue",  // no such kind
                "hub.sessionTimout unknownKey",
                "hub.nodes[0].region missingKey",
                "hub.nodes[1].region invalidValue",  // not in the taxonomy
            ],
            "\(report.errors.map(\.description).joined(separator: "\n"))"
        )
        // The entry without a region still has its key file checked; both keys come from the nodes' operators.
        #expect(
            Set(report.pending.map { "\($0.key ?? "") \($0.code)" }) == [
                "hub.nodes[0].publicKeys[0] notInPlace", "hub.nodes[1].publicKeys[0] notInPlace",
            ]
        )
        for step in report.pending {
            #expect(step.message.contains("expected on a fresh install"), "\(step)")
        }
    }

    @Test func aKeyFromTheOtherSideIsAskedForNeverGenerated() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write("taxonomy.yaml", SmallTaxonomy.text)
        let file = try folder.write(
            "node.yaml",
            """
            node:
              id: NO-VEST
              region: NO-VEST
              hub: tcp://127.0.0.1:7300
              control: tcp://127.0.0.1:7310
              outbox: outbox.sqlite
              taxonomy: taxonomy.yaml
              curve:
                secretKey: keys/NO-VEST.key
                hubPublicKey: keys/hub.pub

            """
        )
        let report = ConfigurationCheck.report(for: file)
        #expect(report.errors.isEmpty && report.passed && !report.ready, "\(report.errors)")
        let own = try #require(report.pending.first { $0.key == "node.curve.secretKey" })
        let received = try #require(report.pending.first { $0.key == "node.curve.hubPublicKey" })
        #expect(own.message.contains("generated on its machine") && own.message.contains("(nor does its folder)"))
        #expect(own.fix.hasPrefix("Generate it on this machine: `knutepunkt keys generate --out "))
        #expect(own.fix.contains("--name NO-VEST`"))
        #expect(received.message.contains("it comes from the hub's operators"), "\(received)")
        #expect(received.fix.hasPrefix("Ask the hub's operators for hub.pub and put it at "), "\(received)")
        #expect(received.fix.contains("never generate it here"), "a public key from the other side")
        #expect(received.fix.hasSuffix("`knutepunkt keys ensure \(file)` makes every missing pair"))
    }

    @Test func aKeyFileNameOneSlipFromOneBesideItIsAMistake() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keys = "\(folder.path)/keys"
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "hub")
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "NO-VEST")
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "NO-MIDT")
        let text =
            CurveConfigurationTests.hubFile(nodeKeys: "      publicKeys: [keys/NO-VSET.pub]")
            + "\n    - id: NO-NORD\n      region: NO-NORD\n      publicKeys: [keys/NO-NORD.pub]\n"
        let file = try folder.write("hub.yaml", text)
        let report = ConfigurationCheck.report(for: file)
        // NO-VSET.pub beside NO-VEST.pub: a misspelling, a mistake in the file.
        let misspelt = try #require(report.errors.first)
        #expect(report.errors.count == 1)
        #expect(misspelt.code == .fileNotFound && misspelt.key == "hub.nodes[0].publicKeys[0]")
        #expect(misspelt.message.contains("NO-VEST.pub is beside it"), "\(misspelt)")
        // NO-NORD.pub beside NO-MIDT.pub is just not there yet.
        #expect(report.pending.map(\.key) == ["hub.nodes[1].publicKeys[0]"])
        #expect(report.pending.first?.code == .notInPlace)
    }

    @Test func clashesBetweenFilesAreFoundWhateverElseIsWrong() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write("taxonomy.yaml", SmallTaxonomy.text)
        let first = try folder.write(
            "node-a.yaml",
            DaemonConfigurationTests.nodeFile(taxonomy: "taxonomy.yaml")
                .replacingOccurrences(of: "tcp://127.0.0.1:*", with: "tcp://127.0.0.1:7310") + "  windw: 5\n"
        )
        let second = try folder.write(
            "node-b.yaml",
            DaemonConfigurationTests.nodeFile(region: "NO-NORD", taxonomy: "taxonomy.yaml")
                .replacingOccurrences(of: "tcp://127.0.0.1:*", with: "tcp://127.0.0.1:7310")
        )
        let reports = ConfigurationCheck.reports(for: [first, second])
        #expect(reports[0].report.errors.map(\.code) == [.unknownKey])
        let keys = reports[1].report.errors.map { "\($0.key ?? "") \($0.code)" }
        #expect(Set(keys) == ["node.control inconsistent", "node.region invalidValue"], "\(keys)")
    }

    /// The shipped production files, on a machine where nothing is installed yet (a fresh checkout): they pass, and
    /// what waits is exactly the key files and the example hub address.
    @Test func theProductionFilesPassOnAFreshCheckoutAndSayWhatWaits() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        for name in ["hub.yaml", "node.yaml", "taxonomy.yaml"] {
            // Read through the link: production/taxonomy.yaml is a link to the shared taxonomy.
            try folder.write(
                name,
                String(contentsOfFile: "\(RepositoryFiles.configs)/production/\(name)", encoding: .utf8)
            )
        }
        let reports = ConfigurationCheck.reports(for: ["hub", "node", "taxonomy"].map { "\(folder.path)/\($0).yaml" })
        for (file, report) in reports {
            #expect(report.passed, "\(file): \(report.errors)")
        }
        let hub = reports[0].report.pending
        let node = reports[1].report.pending
        #expect(hub.count == 5 && hub.allSatisfy { $0.code == .notInPlace }, "\(hub)")
        #expect(hub.filter { $0.key == "hub.curve.secretKey" }.count == 1)
        #expect(node.map(\.code) == [.placeholder, .notInPlace, .notInPlace], "\(node)")
        #expect(reports[2].report.ready)
    }
}
