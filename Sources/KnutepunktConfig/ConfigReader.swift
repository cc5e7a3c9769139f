import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import Yams

/// Reads one YAML configuration file into typed values, collecting every mistake with its key path instead of
/// stopping at the first, so `knutepunkt config check` can list them all.
struct ConfigReader {
    let file: String
    var errors: [ConfigError] = []

    init(file: String) {
        self.file = file
    }

    /// Loads and parses the file's top-level mapping.
    static func document(at path: String) throws(ConfigError) -> Node {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(
                code: .fileNotFound,
                file: path,
                key: nil,
                message: "no such file",
                fix: "Check the path; example files live in Configs/"
            )
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                code: .unreadable,
                file: path,
                key: nil,
                message: "cannot read the file: \(error)",
                fix: "Check the file's permissions and that it is UTF-8 text"
            )
        }
        return try document(text: text, file: path)
    }

    /// Parses `text` (the contents of `path`, or a document received from elsewhere that `path` names in messages).
    static func document(text: String, file path: String) throws(ConfigError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(
                    code: .syntax,
                    file: path,
                    key: nil,
                    message: "the file is empty",
                    fix: "Start from an example in Configs/"
                )
            }
            return node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: path)
        } catch {
            throw ConfigError(
                code: .syntax,
                file: path,
                key: nil,
                message: "not valid YAML: \(error)",
                fix: "Fix the YAML syntax at the position shown"
            )
        }
    }

    /// A YAML error on one line, with its position (Yams' own descriptions span lines, and for duplicate keys
    /// include the whole file).
    static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        func located(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ConfigError {
            let found = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return ConfigError(
                code: .syntax,
                file: file,
                key: nil,
                message: "not valid YAML at line \(mark.line), column \(mark.column): \(problem)\(found)",
                fix: "Fix the YAML near line \(mark.line): check the indentation, closing brackets and quotes"
            )
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(context, problem, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ConfigError(
                code: .duplicate,
                file: file,
                key: nil,
                message: "key \(keys) appears more than once in one mapping (near line \(context.mark.line))",
                fix: "Keep one of them, or merge their values"
            )
        default:
            let text = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
            return ConfigError(
                code: .syntax,
                file: file,
                key: nil,
                message: "not valid YAML: \(text)",
                fix: "Fix the YAML syntax at the position shown"
            )
        }
    }

    mutating func fail(_ code: ConfigError.Code, _ key: String, _ message: String, fix: String) {
        errors.append(ConfigError(code: code, file: file, key: key, message: message, fix: fix))
    }

    /// The mapping at `key`, reporting keys not in `allowed` (with a suggestion).
    mutating func mapping(_ node: Node?, at key: String, allowed: [String]) -> Node.Mapping? {
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            fail(.wrongType, key, "expected a mapping of keys to values", fix: "Indent the keys below \(key):")
            return nil
        }
        for (name, _) in mapping {
            let name = name.string ?? "?"
            if !allowed.contains(name) {
                let path = key.isEmpty ? name : "\(key).\(name)"
                let suggestion = NearestName.suggest(name, from: allowed).map { "did you mean \"\($0)\"?" }
                fail(
                    .unknownKey,
                    path,
                    "unknown key" + (suggestion.map { "; \($0)" } ?? ""),
                    fix: "Allowed keys here: \(allowed.joined(separator: ", "))"
                )
            }
        }
        return mapping
    }

    mutating func string(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = true) -> String? {
        guard let value = mapping?[name] else {
            if required, mapping != nil {
                fail(.missingKey, path(key, name), "missing", fix: "Add \(name): to \(key.isEmpty ? "the file" : key)")
            }
            return nil
        }
        guard let scalar = value.scalar else {
            fail(.wrongType, path(key, name), "expected text", fix: "Write a single value, e.g. \(name): VALUE")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ mapping: Node.Mapping?, _ name: String, at key: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            fail(
                .invalidValue,
                path(key, name),
                "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"",
                fix: "Write a number such as \(range.lowerBound)"
            )
            return nil
        }
        return value
    }

    /// A duration such as `250ms`, `2s`, `5m`, `12h` or `30d`.
    mutating func duration(_ mapping: Node.Mapping?, _ name: String, at key: String) -> Duration? {
        guard let text = string(mapping, name, at: key, required: false) else { return nil }
        guard let value = Self.parseDuration(text) else {
            fail(
                .invalidValue,
                path(key, name),
                "expected a duration like 500ms, 2s, 5m, 12h or 30d, found \"\(text)\"",
                fix: "Write a number followed by ms, s, m, h or d"
            )
            return nil
        }
        return value
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millis) in units where text.hasSuffix(suffix) {
            guard let number = Int64(text.dropLast(suffix.count)), number > 0 else { return nil }
            return .milliseconds(number * millis)
        }
        return nil
    }

    /// A path relative to the configuration file's folder, made absolute.
    mutating func path(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = true) -> String? {
        guard let text = string(mapping, name, at: key, required: required) else { return nil }
        return Self.resolve(text, relativeTo: file)
    }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (file as NSString).deletingLastPathComponent
        let cwd = FileManager.default.currentDirectoryPath
        let base = folder.hasPrefix("/") ? folder : (cwd as NSString).appendingPathComponent(folder)
        return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// A ZeroMQ endpoint: `tcp://HOST:PORT` or `ipc://PATH`.
    mutating func endpoint(_ mapping: Node.Mapping?, _ name: String, at key: String) -> String? {
        guard let text = string(mapping, name, at: key) else { return nil }
        return checkedEndpoint(text, at: path(key, name))
    }

    /// `text` if it is a ZeroMQ endpoint (`tcp://HOST:PORT` or `ipc://PATH`); otherwise reports it at `fullKey`.
    mutating func checkedEndpoint(_ text: String, at fullKey: String) -> String? {
        if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            if let colon = rest.lastIndex(of: ":"), !rest[..<colon].isEmpty {
                let port = rest[rest.index(after: colon)...]
                if port == "*" || (Int(port).map { (1...65535).contains($0) } ?? false) { return text }
            }
        } else if text.hasPrefix("ipc://"), text.count > "ipc://".count {
            return text
        }
        fail(
            .invalidValue,
            fullKey,
            "\"\(text)\" is not a ZeroMQ endpoint",
            fix: "Write tcp://HOST:PORT (e.g. tcp://127.0.0.1:7300) or ipc:///run/knutepunkt/NAME.sock"
        )
        return nil
    }

    func path(_ key: String, _ name: String) -> String { key.isEmpty ? name : "\(key).\(name)" }
}
