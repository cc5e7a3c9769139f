/// Why a report could not be made from a hub's store, said so that whoever runs it knows what to do.
package struct ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        /// The hub store's activity counters do not cover its events (they need rebuilding).
        package static let countersOutOfDate = Code(rawValue: "COUNTERS_OUT_OF_DATE")
        package var description: String { rawValue }
    }

    package var code: Code
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
