import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktZMQ

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage CURVE keys for the links between nodes and the hub.",
        subcommands: [KeysGenerateCommand.self, KeysEnsureCommand.self]
    )
}

struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub (public).",
        discussion: """
            The secret key stays on the machine that uses it (node.curve.secretKey or hub.curve.secretKey). The \
            public key goes to the other side: a node's into the hub's hub.nodes[].publicKeys, the hub's into each \
            node's node.curve.hubPublicKey. Existing files are never overwritten.
            """
    )

    @Option(name: .long, help: "The folder to write the two files into (created when missing).")
    var out: String

    @Option(name: .long, help: "The key's name, e.g. the node id (NO-VEST) or hub.")
    var name: String

    func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
            !name.hasPrefix(".")
        else {
            throw ValidationError("--name \(name) must be letters, digits, '-', '_' or '.', e.g. NO-VEST")
        }
    }

    func run() throws {
        let keys = try ZMQCurveKeyPair.generate()
        do {
            let written = try CurveKeyFile.write(keys, folder: out, name: name)
            print("secret key: \(written.secret)  (mode 0600: keep it on this machine only)")
            print("public key: \(written.public)  \(keys.publicKey)")
        } catch let error as CurveKeyFile.KeyFileExists {
            throw ValidationError(error.description)
        }
    }
}

struct KeysEnsureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensure",
        abstract: "Generate every key pair the given daemon configurations refer to that does not exist yet.",
        discussion: """
            Reads hub.curve.secretKey, hub.curve.viewers, hub.nodes[].publicKeys, node.curve.secretKey and \
            node.curve.hubPublicKey. A reference to NAME.key or NAME.pub names the pair NAME.key/NAME.pub. Existing \
            keys are never replaced. Meant for one machine that runs every daemon (the local network); across \
            machines, generate each secret key where it is used (`keys generate`) and copy only public keys.
            """
    )

    @Argument(help: "Daemon configuration files, or folders of them.")
    var paths: [String]

    func run() throws {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("\(path) does not exist")
            }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.filter { $0.hasSuffix(".yaml") }.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        let outcomes = try KeyReferences.ensure(configurations: files)
        for outcome in outcomes {
            switch outcome {
            case .generated(let secret, let publicFile): print("generated \(secret) and \(publicFile)")
            case .derivedPublic(let publicFile): print("wrote \(publicFile) from its secret key")
            }
        }
        if outcomes.isEmpty { print("every key the configurations refer to exists") }
    }
}
