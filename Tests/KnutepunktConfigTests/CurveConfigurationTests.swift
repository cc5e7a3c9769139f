import Foundation
import KnutepunktConfig
import KnutepunktZMQ
import Testing

/// CURVE keys in daemon configurations: key files as `keys generate` writes them, every mistake reported with file,
/// key and fix.
@Suite struct CurveConfigurationTests {
    static func hubFile(nodeKeys: String, secretKey: String = "keys/hub.key") -> String {
        """
        hub:
          id: NO-HUB
          listen: tcp://127.0.0.1:7300
          publish: tcp://127.0.0.1:7301
          control: tcp://127.0.0.1:7302
          storage: sqlite:hub.sqlite
          taxonomy: \(RepositoryFiles.taxonomy)
          curve:
            secretKey: \(secretKey)
          nodes:
            - id: NO-VEST
              region: NO-VEST
        \(nodeKeys)
        """
    }

    static func load(_ folder: ScratchFolder, _ text: String) -> Result<DaemonConfiguration, ConfigErrors> {
        do {
            let file = try folder.write("hub.yaml", text)
            return .success(try DaemonConfiguration.load(path: file).0)
        } catch let errors as ConfigErrors {
            return .failure(errors)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    @Test func generatedKeysLoadAndANodeMayHoldTwoWhileRotating() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keys = "\(folder.path)/keys"
        let hub = try ZMQCurveKeyPair.generate()
        let old = try ZMQCurveKeyPair.generate()
        let new = try ZMQCurveKeyPair.generate()
        _ = try CurveKeyFile.write(hub, folder: keys, name: "hub")
        _ = try CurveKeyFile.write(old, folder: keys, name: "NO-VEST")
        _ = try CurveKeyFile.write(new, folder: keys, name: "NO-VEST-2")
        let text = Self.hubFile(nodeKeys: "      publicKeys: [keys/NO-VEST.pub, keys/NO-VEST-2.pub]")
        guard case .success(.hub(let configuration)) = Self.load(folder, text) else {
            Issue.record("\(Self.load(folder, text))")
            return
        }
        #expect(configuration.curve?.publicKey == hub.publicKey)
        #expect(configuration.curve?.secretKey == hub.secretKey)
        #expect(configuration.nodes.first?.publicKeys == [old.publicKey, new.publicKey])
        #expect(configuration.keyring.owner(of: new.publicKey)?.node == "NO-VEST")
        #expect(configuration.keyring.isViewer(hub.publicKey), "tools on the hub's machine follow it as the hub")
    }

    @Test func missingKeyFilesAndNodesWithoutKeysAreReportedWithAFix() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        guard case .failure(let errors) = Self.load(folder, Self.hubFile(nodeKeys: "")) else {
            Issue.record("a hub with CURVE and no key files loaded")
            return
        }
        let secret = try #require(errors.errors.first { $0.key == "hub.curve.secretKey" })
        #expect(secret.code == .notInPlace, "a key not generated yet is an installation step")
        #expect(secret.fix.contains("knutepunkt keys generate"))
        let keyless = try #require(errors.errors.first { $0.key == "hub.nodes[NO-VEST].publicKeys" })
        #expect(keyless.code == .missingKey)
        #expect(keyless.message.contains("can never connect"))
    }

    @Test func aSecretKeyOthersMayReadIsRefused() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keys = "\(folder.path)/keys"
        let written = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "hub")
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: keys, name: "NO-VEST")
        chmod(written.secret, 0o644)
        guard
            case .failure(let errors) = Self.load(
                folder,
                Self.hubFile(nodeKeys: "      publicKeys: [keys/NO-VEST.pub]")
            )
        else {
            Issue.record("a world-readable secret key was accepted")
            return
        }
        let problem = try #require(errors.errors.first { $0.key == "hub.curve.secretKey" })
        #expect(problem.message.contains("may be read by others (mode 644)"))
        #expect(problem.fix == "Run chmod 600 \(written.secret)")
    }

    @Test func keyFilesAreNeverOverwrittenAndTheSecretIsPrivate() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let first = try ZMQCurveKeyPair.generate()
        let written = try CurveKeyFile.write(first, folder: folder.path, name: "NO-NORD")
        let mode = try FileManager.default.attributesOfItem(atPath: written.secret)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(throws: CurveKeyFile.KeyFileExists.self) {
            try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: folder.path, name: "NO-NORD")
        }
        #expect(try CurveKeyFile.read(written.secret).get() == first.secretKey)
        #expect(try CurveKeyFile.read(written.public).get() == first.publicKey)
    }

    @Test func aKeyThatBeginsWithAHashIsStillAKey() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        // `#` is a Z85 character; only lines of exactly 40 Z85 characters are keys, whatever they begin with.
        let key = "#" + String(repeating: "a", count: 39)
        let file = try folder.write("k.pub", "# a comment line\n\(key)\n")
        #expect(try CurveKeyFile.read(file).get() == key)
        let bad = try folder.write("bad.pub", "# only a comment\nnot a key\n")
        #expect(CurveKeyFile.read(bad) == .failure(.notAKey))
    }

    @Test func keysEnsureGeneratesWhatConfigurationsReferTo() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let hub = try folder.write("hub.yaml", Self.hubFile(nodeKeys: "      publicKeys: [keys/NO-VEST.pub]"))
        let node = try folder.write(
            "node.yaml",
            "node:\n  curve:\n    secretKey: keys/NO-VEST.key\n    hubPublicKey: keys/hub.pub\n"
        )
        let outcomes = try KeyReferences.ensure(configurations: [hub, node])
        #expect(outcomes.count == 2)
        #expect(try KeyReferences.ensure(configurations: [hub, node]).isEmpty, "existing keys are left alone")
        guard
            case .success(.hub(let configuration)) = Self.load(
                folder,
                Self.hubFile(nodeKeys: "      publicKeys: [keys/NO-VEST.pub]")
            )
        else {
            Issue.record("the generated keys do not load")
            return
        }
        #expect(configuration.nodes.first?.publicKeys.count == 1)
    }
}
