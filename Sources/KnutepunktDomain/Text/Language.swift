/// The languages reports are written in: English and Norwegian bokmål.
package enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case en
    case nb
}
