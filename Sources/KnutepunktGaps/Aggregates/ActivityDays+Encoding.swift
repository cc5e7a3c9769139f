import KnutepunktDomain

extension ActivityDays {
    /// The version of what the days hold and how they are encoded. A checkpoint of another format is not read (the
    /// hub folds the stored counters afresh and writes a new one): raise it whenever a measure changes meaning.
    package static let format = 1

    /// The days in a compact binary form: a magic, the format, the events counted, a table of the strings, then each
    /// figure (measure, region, node, day, code as indices into the table, and the value), all as varints.
    package func encoded() -> [UInt8] {
        var strings: [String: Int] = [:]
        var table: [String] = []
        func index(_ text: String) -> Int {
            if let known = strings[text] { return known }
            strings[text] = table.count
            table.append(text)
            return table.count - 1
        }
        var body: [UInt8] = []
        body.reserveCapacity(figures.count * 8)
        for (key, value) in figures {
            body.append(key.measure.rawValue)
            Self.appendVarint(UInt64(index(key.region)), to: &body)
            Self.appendVarint(UInt64(index(key.node)), to: &body)
            Self.appendVarint(UInt64(key.date.year * 512 + key.date.month * 32 + key.date.day), to: &body)
            Self.appendVarint(UInt64(index(key.code)), to: &body)
            Self.appendVarint(Self.zigzag(value), to: &body)
        }
        var out: [UInt8] = Array(Self.magic.utf8)
        out.append(UInt8(Self.format))
        Self.appendVarint(Self.zigzag(events), to: &out)
        Self.appendVarint(UInt64(table.count), to: &out)
        for text in table {
            let bytes = Array(text.utf8)
            Self.appendVarint(UInt64(bytes.count), to: &out)
            out += bytes
        }
        Self.appendVarint(UInt64(figures.count), to: &out)
        out += body
        return out
    }

    /// The days `encoded()` wrote; nil if `bytes` are not days of this ``format`` (another format, or damaged).
    package init?(encoded bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard reader.take(Self.magic.utf8.count) == Array(Self.magic.utf8), reader.byte() == UInt8(Self.format),
            let events = reader.varint().map(Self.unzigzag), let stringCount = reader.varint(),
            stringCount <= UInt64(bytes.count)
        else { return nil }
        var table: [String] = []
        table.reserveCapacity(Int(stringCount))
        for _ in 0..<stringCount {
            guard let length = reader.varint(), let text = reader.take(Int(clamping: length)) else { return nil }
            table.append(String(decoding: text, as: UTF8.self))
        }
        guard let figureCount = reader.varint(), figureCount <= UInt64(bytes.count) else { return nil }
        var figures: [Key: Int] = [:]
        figures.reserveCapacity(Int(figureCount))
        func string(_ index: UInt64?) -> String? {
            guard let index, index < UInt64(table.count) else { return nil }
            return table[Int(index)]
        }
        for _ in 0..<figureCount {
            guard let measure = reader.byte().flatMap(Measure.init(rawValue:)), let region = string(reader.varint()),
                let node = string(reader.varint()), let day = reader.varint().map(Int.init(clamping:)),
                let date = LocalDate(year: day / 512, month: day / 32 % 16, day: day % 32),
                let code = string(reader.varint()), let value = reader.varint().map(Self.unzigzag), value != 0
            else { return nil }
            figures[Key(measure, region: region, node: node, date: date, code: code)] = value
        }
        guard reader.atEnd else { return nil }
        self.init()
        self.figures = figures
        self.events = events
    }

    private static let magic = "KPAD"

    private static func zigzag(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64((value << 1) ^ (value >> (Int.bitWidth - 1))))
    }

    private static func unzigzag(_ value: UInt64) -> Int {
        Int(truncatingIfNeeded: Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1))
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reads the encoding front to back; every read is bounds-checked (nil past the end).
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let next = byte() {
                guard shift < 64 else { return nil }
                value |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
    }
}
