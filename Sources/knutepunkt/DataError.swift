import ArgumentParser
import Foundation

/// A problem with what a command was given to read, not with how it was called: a file that cannot be read, is not
/// JSON or CSV, holds no events, or a configuration file with problems. Printed as `error: …` on standard error,
/// without the usage text (the command line was right), and ends the command with its own exit status, distinct from
/// a usage error's 64 (sysexits.h):
///
/// | status | meaning |
/// |---|---|
/// | 0 | done |
/// | 1 | the daemon could not be reached, or another failure |
/// | 2 | the node refused events or rows (each is listed with every problem) |
/// | 64 | usage: an unknown option, a missing argument (the usage text follows) |
/// | 65 | data: the input is not what the command reads (not JSON, not CSV, no events; JSON by line and column) |
/// | 66 | no input: a file that does not exist or cannot be read |
/// | 78 | configuration: the configuration file has problems (each named with its key and fix) |
struct DataError: Error, CustomStringConvertible {
    struct Kind: Sendable {
        var exitCode: Int32
        static let data = Kind(exitCode: 65)
        static let noInput = Kind(exitCode: 66)
        static let configuration = Kind(exitCode: 78)
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind = .data, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }

    /// A file that cannot be read.
    static func unreadable(_ file: String) -> DataError {
        DataError(.noInput, "cannot read \(file): no such file or not readable")
    }

    /// Prints the error and ends the process with its status.
    func exit() -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(kind.exitCode)
    }
}
