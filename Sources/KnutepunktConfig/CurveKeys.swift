import Foundation
import KnutepunktDomain
import KnutepunktZMQ

/// CURVE key files as `knutepunkt keys generate` writes them: `NAME.pub` holds the public key, `NAME.key` the secret
/// key (mode 0600), each as a line of 40 Z85 characters below a `#` comment line.
package enum CurveKeyFile {
    /// Why a key file cannot be used.
    package enum Problem: Error, Equatable {
        case missing
        case unreadable(String)
        case notAKey
        case readableByOthers(mode: Int)
    }

    /// The key in the file at `path`.
    package static func read(_ path: String) -> Result<String, Problem> {
        guard FileManager.default.fileExists(atPath: path) else { return .failure(.missing) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return .failure(.unreadable("\(error.localizedDescription)"))
        }
        // The key is the first line of exactly 40 Z85 characters. Not "the first line without #": `#` is a Z85
        // character, so a key may begin with it; comment lines have spaces, which Z85 lacks.
        let key = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.utf8.count == 40 && $0.utf8.allSatisfy(ZMQCurveKeyPair.isZ85) }
        guard let key else { return .failure(.notAKey) }
        return .success(key)
    }

    /// The secret key in the file at `path`, refused when others than its owner may read the file.
    package static func readSecret(_ path: String) -> Result<String, Problem> {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0
        {
            return .failure(.readableByOthers(mode: mode))
        }
        return read(path)
    }

    /// Writes a new key pair as `folder/name.key` (0600) and `folder/name.pub`; refuses to overwrite either.
    package static func write(
        _ keys: ZMQCurveKeyPair,
        folder: String,
        name: String
    ) throws -> (secret: String, public: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let secretPath = (folder as NSString).appendingPathComponent("\(name).key")
        let publicPath = (folder as NSString).appendingPathComponent("\(name).pub")
        for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw KeyFileExists(path: path)
        }
        try create(
            secretPath,
            mode: 0o600,
            "# Knutepunkt CURVE secret key of \(name). Keep it on this machine only; never copy it elsewhere.\n"
                + keys.secretKey + "\n"
        )
        try create(
            publicPath,
            mode: 0o644,
            "# Knutepunkt CURVE public key of \(name). Give it to the hub's operators (hub.nodes[].publicKeys).\n"
                + keys.publicKey + "\n"
        )
        return (secretPath, publicPath)
    }

    /// A key file is already there; keys are never overwritten (a lost secret key cuts a node off).
    package struct KeyFileExists: Error, CustomStringConvertible {
        package var path: String
        package var description: String {
            "\(path) already exists; keys are never overwritten. Choose another --name, or move the old key away first"
        }
    }

    /// Creates `path` exclusively (O_EXCL) with `mode`, so a file that appeared meanwhile is not overwritten either.
    private static func create(_ path: String, mode: mode_t, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw KeyFileExists(path: path) }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { Foundation.close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        _ = fchmod(descriptor, mode)
    }
}

extension ConfigReader {
    /// A public key file at `path`, which `sender` gives this machine's operators (e.g. "the operators of node
    /// NO-VEST"): never generated here, since the secret key that belongs to it is on the other side.
    mutating func publicKeyFile(_ path: String, at key: String, from sender: String) -> String? {
        keyFile(CurveKeyFile.read(path), path: path, at: key, origin: .received(from: sender))
    }

    /// The secret key file at `path` (this daemon's own, generated on its machine), and the public key that belongs
    /// to it.
    mutating func secretKeyFile(_ path: String, at key: String) -> (secret: String, public: String)? {
        guard let secret = keyFile(CurveKeyFile.readSecret(path), path: path, at: key, origin: .own) else {
            return nil
        }
        guard let publicKey = try? ZMQCurveKeyPair.publicKey(fromSecret: secret) else {
            fail(.invalidValue, key, "\(path) is not a CURVE secret key", fix: ownKeyFix(path))
            return nil
        }
        return (secret, publicKey)
    }

    /// Where a key file comes from, which decides what to do when it is missing.
    enum KeyOrigin {
        /// This daemon's own pair, generated on its machine.
        case own
        /// Another party's public key, sent by its operators.
        case received(from: String)
    }

    /// How to make this daemon's own key pair, whose secret key is (to be) at `path`.
    func ownKeyFix(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return "Generate it on this machine: `knutepunkt keys generate --out \(folder) --name \(name)`, then "
            + "`chown knutepunkt: \(folder)/\(name).key` (the daemon's user) and send \(name).pub to the other side; "
            + "on a test machine that runs every daemon, `knutepunkt keys ensure \(file)` makes every missing pair"
    }

    /// How to get another party's public key to `path`.
    func receivedKeyFix(_ path: String, from sender: String) -> String {
        "Ask \(sender) for \((path as NSString).lastPathComponent) and put it at \(path) (never generate it here: its "
            + "secret key stays on their machine); on a test machine that runs every daemon, `knutepunkt keys ensure "
            + "\(file)` makes every missing pair"
    }

    private mutating func keyFile(
        _ result: Result<String, CurveKeyFile.Problem>,
        path: String,
        at key: String,
        origin: KeyOrigin
    ) -> String? {
        let kind: String
        let fix: String
        switch origin {
        case .own:
            kind = "secret"
            fix = ownKeyFix(path)
        case .received(let sender):
            kind = "public"
            fix = receivedKeyFix(path, from: sender)
        }
        switch result {
        case .success(let value):
            return value
        case .failure(.missing):
            missingKeyFile(path, at: key, kind: kind, origin: origin, fix: fix)
        case .failure(.unreadable(let why)):
            fail(.unreadable, key, "the \(kind) key file \(path) cannot be read: \(why)", fix: "Check its permissions")
        case .failure(.notAKey):
            fail(.invalidValue, key, "\(path) holds no CURVE \(kind) key (a line of 40 Z85 characters)", fix: fix)
        case .failure(.readableByOthers(let mode)):
            fail(
                .invalidValue,
                key,
                "the secret key file \(path) may be read by others (mode \(String(mode, radix: 8)))",
                fix: "Run chmod 600 \(path)"
            )
        }
        return nil
    }

    /// A key file that is not there. Where its folder holds a key file of a near name, the path is most likely
    /// misspelt: a mistake in the file. Otherwise the key is simply not in place yet, as on a fresh install (its
    /// folder may not even exist): an installation step, which `config check` lists apart.
    private mutating func missingKeyFile(
        _ path: String,
        at key: String,
        kind: String,
        origin: KeyOrigin,
        fix: String
    ) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let suffix = (name as NSString).pathExtension
        var isFolder: ObjCBool = false
        let folderExists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
        if folderExists {
            let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { ($0 as NSString).pathExtension == suffix && $0 != name }
            if let near = present.first(where: { NearestName.isSlip($0, name) }) {
                fail(
                    .fileNotFound,
                    key,
                    "the \(kind) key file \(path) does not exist, but \(near) is beside it: is the name misspelt?",
                    fix: "Write the key file's name as it is (\(near)), or put \(name) there"
                )
                return
            }
        }
        let whose: String
        switch origin {
        case .own: whose = "this daemon's key pair is generated on its machine"
        case .received(let sender): whose = "it comes from \(sender)"
        }
        let state = folderExists ? "" : " (nor does its folder)"
        fail(
            .notInPlace,
            key,
            "the \(kind) key file \(path) does not exist yet\(state): expected on a fresh install, \(whose)",
            fix: fix
        )
    }
}
