import Foundation
import KnutepunktGaps

extension GapFinding {
    /// The finding as every store keeps it: JSON with sorted keys, G12's infinite max/min kept as strings (plain JSON
    /// has no infinity).
    package func storedJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A finding read back from ``storedJSON()``.
    package init(storedJSON text: String) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        self = try decoder.decode(GapFinding.self, from: Data(text.utf8))
    }
}
