import Foundation
import KnutepunktTesting

/// docs/protocol.md, read from the source tree, so tests can hold the document to what the code does.
enum ProtocolDocument {
    static func text() throws -> String {
        try String(contentsOf: Repository.url("docs/protocol.md"), encoding: .utf8)
    }
}
