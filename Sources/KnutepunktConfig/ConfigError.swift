/// One mistake in a configuration or taxonomy file: which file, which key (a dotted path such as
/// `programmes[3].ratings[0].system`), what is wrong and what to do about it.
///
/// Printed as `FILE: KEY: MESSAGE. Fix: FIX`, the form `knutepunkt config check` lists.
package struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake. Extensible: new codes may appear, so don't switch over it exhaustively.
    package struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The file does not exist.
        package static let fileNotFound = Code(rawValue: "fileNotFound")
        /// The file exists but cannot be read as UTF-8 text.
        package static let unreadable = Code(rawValue: "unreadable")
        /// The file is not valid YAML (or is empty).
        package static let syntax = Code(rawValue: "syntax")
        /// A key the file's layout does not have (often a misspelling; the message suggests the likely one).
        package static let unknownKey = Code(rawValue: "unknownKey")
        /// A required key is absent.
        package static let missingKey = Code(rawValue: "missingKey")
        /// A value has the wrong shape (a list where a mapping belongs, text where a number belongs).
        package static let wrongType = Code(rawValue: "wrongType")
        /// A value has the right shape but is not allowed (out of range, malformed code, off-scale rating).
        package static let invalidValue = Code(rawValue: "invalidValue")
        /// A code or entry appears twice.
        package static let duplicate = Code(rawValue: "duplicate")
        /// A code refers to something the file (or the taxonomy) does not define.
        package static let unknownReference = Code(rawValue: "unknownReference")
        /// Entries contradict each other.
        package static let inconsistent = Code(rawValue: "inconsistent")
        /// A file the configuration names that this machine does not hold yet, as on a fresh install: a key pair not
        /// generated here yet, or a public key not yet received from the other side's operators. The file itself is
        /// fine; the daemon cannot start until the file is in place (`knutepunkt config check --ready`).
        package static let notInPlace = Code(rawValue: "notInPlace")
        /// An example value the shipped files carry, to be replaced on installation (the example hub address
        /// `hub.knutepunkt.example`). The daemon would run, but never reach anyone.
        package static let placeholder = Code(rawValue: "placeholder")

        package var description: String { rawValue }
    }

    package var code: Code
    /// The file, as the path it was opened by.
    package var file: String
    /// Where in the file, as a dotted path (`hub.nodes[2].region`); nil for the file as a whole.
    package var key: String?
    package var message: String
    /// What to do about it.
    package var fix: String

    package init(code: Code, file: String, key: String?, message: String, fix: String) {
        self.code = code
        self.file = file
        self.key = key
        self.message = message
        self.fix = fix
    }

    /// Whether this is something a fresh installation has still to do (``Code/notInPlace``,
    /// ``Code/placeholder``) rather than a mistake in the file: `knutepunkt config check` lists these apart, and fails
    /// on them only with `--ready`. A daemon refuses to start on them all the same.
    package var isInstallationStep: Bool { code == .notInPlace || code == .placeholder }

    package var description: String {
        var text = file + ": "
        if let key, !key.isEmpty { text += key + ": " }
        text += [".", "?", "!"].contains(where: message.hasSuffix) ? message : message + "."
        return text + " Fix: " + fix
    }
}
