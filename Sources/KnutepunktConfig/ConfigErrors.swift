/// Every problem found in one configuration file, each naming the file, the key and the fix.
package struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    package var errors: [ConfigError]

    package init(_ errors: [ConfigError]) { self.errors = errors }

    package var description: String { errors.map(\.description).joined(separator: "\n") }
}
