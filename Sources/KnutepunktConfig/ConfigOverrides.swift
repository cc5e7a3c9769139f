import KnutepunktDomain
import Yams

/// Values laid over a daemon file before it is read: configuration is layered file < environment < flags.
///
/// * Environment: `KNUTEPUNKT_HUB_<KEY>` for the hub's keys, `KNUTEPUNKT_NODE_<KEY>` for a node's, the key in upper
///   snake case with `_` for the dot: `KNUTEPUNKT_HUB_HTTP`, `KNUTEPUNKT_NODE_MAX_MESSAGE_BYTES`,
///   `KNUTEPUNKT_NODE_CURVE_SECRET_KEY`.
/// * Flags: `--set hub.http=127.0.0.1:9464` (any settable key), and the daemons' `--http`, `--log-level` and
///   `--log-format`.
///
/// Every single-valued key can be set (lists, such as `hub.nodes`, only in the file). A variable with the prefix that
/// names no key is an error, with a "did you mean". The values are checked like the file's own.
package struct ConfigOverrides: Sendable, Hashable {
    /// One value: the dotted key inside its section (`http`, `curve.secretKey`), the value, and where it came from.
    package struct Entry: Sendable, Hashable {
        package var section: String
        package var key: String
        package var value: String
        package var origin: String

        package init(section: String, key: String, value: String, origin: String) {
            self.section = section
            self.key = key
            self.value = value
            self.origin = origin
        }
    }

    /// Later entries win: the environment's first, then the flags'.
    package var entries: [Entry]
    /// Mistakes found while reading the environment or the flags (unknown names, malformed `--set`).
    package var errors: [ConfigError]

    package init(entries: [Entry] = [], errors: [ConfigError] = []) {
        self.entries = entries
        self.errors = errors
    }

    package static let none = ConfigOverrides()

    /// The keys each section lets the environment and flags set.
    package static let settable: [String: [String]] = [
        "hub": HubConfiguration.keys.filter { $0 != "nodes" && $0 != "curve" } + ["curve.secretKey"],
        "node": NodeConfiguration.keys.filter { $0 != "curve" && $0 != "tls" } + [
            "curve.secretKey", "curve.hubPublicKey", "tls.certificate", "tls.key",
        ],
    ]

    /// `KNUTEPUNKT_HUB_MAX_BATCH` for `hub` + `maxBatch`.
    package static func variable(section: String, key: String) -> String {
        var name = "KNUTEPUNKT_\(section.uppercased())_"
        for character in key {
            if character == "." {
                name += "_"
            } else if character.isUppercase {
                name += "_\(character)"
            } else {
                name += character.uppercased()
            }
        }
        return name
    }

    /// The `KNUTEPUNKT_HUB_*` and `KNUTEPUNKT_NODE_*` variables of `environment`.
    package static func environment(_ environment: [String: String]) -> ConfigOverrides {
        var result = ConfigOverrides()
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            for (section, keys) in settable.sorted(by: { $0.key < $1.key }) {
                let prefix = "KNUTEPUNKT_\(section.uppercased())_"
                guard name.hasPrefix(prefix) else { continue }
                let names = Dictionary(uniqueKeysWithValues: keys.map { (variable(section: section, key: $0), $0) })
                if let key = names[name] {
                    result.entries.append(Entry(section: section, key: key, value: value, origin: name))
                } else {
                    let suggestion = NearestName.suggest(name, from: Array(names.keys)).map {
                        "; did you mean \($0)?"
                    }
                    result.errors.append(
                        ConfigError(
                            code: .unknownKey,
                            file: "environment",
                            key: name,
                            message: "no \(section) setting has this name\(suggestion ?? "")",
                            fix: "Unset it, or use one of: \(names.keys.sorted().joined(separator: ", "))"
                        )
                    )
                }
            }
        }
        return result
    }

    /// Adds `section.key=value` settings (`--set`), after the environment's.
    package mutating func add(settings: [String], origin: String = "--set") {
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            let path = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
            guard parts.count == 2, path.count == 2, let keys = Self.settable[path[0]] else {
                errors.append(
                    ConfigError(
                        code: .invalidValue,
                        file: origin,
                        key: setting,
                        message: "expected SECTION.KEY=VALUE",
                        fix: "Write e.g. \(origin) hub.http=127.0.0.1:9464 or \(origin) node.logLevel=debug"
                    )
                )
                continue
            }
            guard keys.contains(path[1]) else {
                let suggestion = NearestName.suggest(path[1], from: keys).map { "; did you mean \"\($0)\"?" }
                errors.append(
                    ConfigError(
                        code: .unknownKey,
                        file: origin,
                        key: parts[0],
                        message: "no \(path[0]) setting has this name\(suggestion ?? "")",
                        fix: "Settable keys of \(path[0]): \(keys.joined(separator: ", "))"
                    )
                )
                continue
            }
            entries.append(Entry(section: path[0], key: path[1], value: parts[1], origin: "\(origin) \(parts[0])"))
        }
    }

    /// Adds one key's value from a dedicated flag (`--http`), for whichever section the file configures.
    package mutating func add(key: String, value: String?, origin: String) {
        guard let value else { return }
        for section in ["hub", "node"] {
            entries.append(Entry(section: section, key: key, value: value, origin: origin))
        }
    }

    /// `document` with this section's values laid over it.
    func apply(to document: Node, section: String) -> Node {
        guard var top = document.mapping, var mapping = top[section]?.mapping else { return document }
        for entry in entries where entry.section == section {
            let parts = entry.key.split(separator: ".").map(String.init)
            if parts.count == 2 {
                var inner = mapping[parts[0]]?.mapping ?? Node.Mapping([])
                inner[parts[1]] = Node(entry.value)
                mapping[parts[0]] = .mapping(inner)
            } else {
                mapping[entry.key] = Node(entry.value)
            }
        }
        top[section] = .mapping(mapping)
        return .mapping(top)
    }

    /// Where the value of `section.key` came from, if not from the file.
    func origin(section: String, key: String) -> String? {
        entries.last { $0.section == section && "\(section).\($0.key)" == key }?.origin
    }
}
