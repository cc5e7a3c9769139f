extension LocalDate: Codable {
    /// Decodes `"YYYY-MM-DD"`; anything else is a `DecodingError.dataCorrupted`.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a date written YYYY-MM-DD that exists"
            )
        }
        self = date
    }

    /// Encodes as `"YYYY-MM-DD"`.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
