import Foundation

/// Encodes and decodes control-protocol bodies (JSON). The control plane is not the hot path: Codable is fine here.
package enum JSONBody {
    package static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return [UInt8](try encoder.encode(value))
        } catch {
            preconditionFailure("control bodies are plain Codable structs and always encode: \(error)")
        }
    }

    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
