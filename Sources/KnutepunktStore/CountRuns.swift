import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// The stored counters' key of one cell as bytes: its ten key columns in the order of the table's primary key, as
/// stored (lists joined), each followed by a zero byte. Codes, days and node names never hold a zero byte, so
/// comparing two keys byte by byte orders them exactly as the table's key orders their columns (text compared as
/// bytes, a shorter text before a longer one it begins).
package struct CountKey: Sendable, Hashable, Comparable {
    package let bytes: [UInt8]

    /// The number of key columns.
    package static let columns = 10

    package init(_ cell: ActivityCell) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        for text in [cell.region, cell.node, cell.date.iso, cell.kind, cell.tier, cell.funding] {
            bytes.append(contentsOf: text.utf8)
            bytes.append(0)
        }
        // Each list as stored (``ActivityCell/joined(_:)``), written straight in rather than joined into a string
        // first: making keys is a fair part of a rebuild.
        for codes in [cell.targetGroups, cell.ageBands, cell.professions, cell.programmes] {
            for (index, code) in codes.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: code.utf8)
            }
            bytes.append(0)
        }
        self.bytes = bytes
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The bytes hashed at once (an array of bytes hashes each byte on its own).
    package func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    package static func == (lhs: CountKey, rhs: CountKey) -> Bool {
        lhs.bytes.count == rhs.bytes.count
            && lhs.bytes.withUnsafeBytes { left in
                rhs.bytes.withUnsafeBytes { right in
                    left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
                }
            }
    }

    package static func < (lhs: CountKey, rhs: CountKey) -> Bool {
        lhs.bytes.withUnsafeBufferPointer { left in
            rhs.bytes.withUnsafeBufferPointer { right in
                let shared = min(left.count, right.count)
                let order = shared == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, shared)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    /// Calls `body` with each column's bytes, in key order.
    package func forEachColumn(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            for index in all.indices where all[index] == 0 {
                try body(UnsafeBufferPointer(rebasing: all[start..<index]))
                start = index + 1
            }
        }
    }

    /// The cell the key names (for tests and checks; the rebuild binds the columns' bytes directly).
    package var cell: ActivityCell? {
        var texts: [String] = []
        forEachColumn { texts.append(String(decoding: $0, as: UTF8.self)) }
        guard texts.count == Self.columns, let date = LocalDate(iso: texts[2]) else { return nil }
        return ActivityCell(
            normalised: (),
            region: texts[0],
            node: texts[1],
            kind: texts[3],
            tier: texts[4],
            funding: texts[5],
            date: date,
            targetGroups: ActivityCell.split(texts[6]),
            ageBands: ActivityCell.split(texts[7]),
            professions: ActivityCell.split(texts[8]),
            programmes: ActivityCell.split(texts[9])
        )
    }
}

/// Adds up counts by key with bounded memory, however many distinct keys there are, and gives every key once, in
/// key order, with its total: the counts are added up in memory and, every `flushAt` distinct keys, written sorted
/// to a run file in `folder`; the runs are merged at the end. Used by a rebuild of the stored counters, so that the
/// table is written once, in its key's order, instead of updated at random.
package struct CountRuns: Sendable {
    package let folder: URL
    package let flushAt: Int
    private var pending: [CountKey: ActivityCount] = [:]
    private var runs: [URL] = []

    /// `folder` is created (emptied if it exists); the caller removes it when done.
    package init(folder: URL, flushAt: Int = 200_000) throws {
        self.folder = folder
        self.flushAt = flushAt
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        pending.reserveCapacity(flushAt)
    }

    /// The run files written so far.
    package var runCount: Int { runs.count }

    package mutating func add(_ key: CountKey, _ count: ActivityCount) throws {
        pending[key, default: ActivityCount()] += count
        if pending.count >= flushAt { try flush() }
    }

    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let url = folder.appendingPathComponent("run-\(runs.count)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for (key, count) in pending.sorted(by: { $0.key < $1.key }) {
            Self.append(UInt64(key.bytes.count), to: &buffer)
            buffer.append(contentsOf: key.bytes)
            for value in [count.events, count.families, count.participants, count.sessions] {
                Self.append(UInt64(bitPattern: Int64(value)), to: &buffer)
            }
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        runs.append(url)
        pending.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with every key once, in key order, with its total.
    package mutating func forEachInOrder(_ body: (CountKey, ActivityCount) throws -> Void) throws {
        if runs.isEmpty {
            // Everything fitted in memory: no files.
            for (key, count) in pending.sorted(by: { $0.key < $1.key }) { try body(key, count) }
            return
        }
        try flush()
        var readers = try runs.map { try RunReader($0) }
        // A binary heap of the runs' heads, smallest key first; equal keys of different runs are added up.
        var heap: [(key: CountKey, count: ActivityCount, run: Int)] = []
        for index in readers.indices {
            if let head = try readers[index].next() { heap.append((head.0, head.1, index)) }
        }
        func smaller(_ a: Int, _ b: Int) -> Bool { heap[a].key < heap[b].key }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var least = parent
                if left < heap.count, smaller(left, least) { least = left }
                if right < heap.count, smaller(right, least) { least = right }
                if least == parent { return }
                heap.swapAt(parent, least)
                parent = least
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        var current: (key: CountKey, count: ActivityCount)?
        while let top = heap.first {
            if let next = try readers[top.run].next() {
                heap[0] = (next.0, next.1, top.run)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
            if current?.key == top.key {
                current!.count += top.count
            } else {
                if let current { try body(current.key, current.count) }
                current = (top.key, top.count)
            }
        }
        if let current { try body(current.key, current.count) }
    }

    /// ``forEachInOrder(_:)`` with the merge on a thread of its own: `body` gets the keys in order, in chunks, on
    /// the caller's thread while the next chunks are merged.
    package consuming func forEachChunkInOrder(_ body: ([(CountKey, ActivityCount)]) throws -> Void) throws {
        let handoff = ChunkHandoff()
        let runs = self
        let merger = Thread {
            var runs = runs
            var chunk: [(CountKey, ActivityCount)] = []
            chunk.reserveCapacity(ChunkHandoff.chunkSize)
            do {
                try runs.forEachInOrder { key, count in
                    chunk.append((key, count))
                    if chunk.count == ChunkHandoff.chunkSize {
                        guard handoff.put(chunk) else { throw CancellationError() }
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty { _ = handoff.put(chunk) }
                handoff.end(nil)
            } catch {
                handoff.end(error)
            }
        }
        merger.start()
        defer { handoff.cancel() }
        while let chunk = try handoff.take() { try body(chunk) }
    }

    private static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}

/// Reads one run file back, record by record, a megabyte at a time.
private struct RunReader {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var offset = 0
    var ended = false

    init(_ url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    /// Makes `count` bytes available from `offset`; false at the end of the file.
    mutating func fill(_ count: Int) throws -> Bool {
        while buffer.count - offset < count {
            if ended { return false }
            buffer.removeFirst(offset)
            offset = 0
            if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                ended = true
                try handle.close()
            }
        }
        return true
    }

    mutating func word() -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(buffer[offset + index]) << (8 * index) }
        offset += 8
        return value
    }

    mutating func next() throws -> (CountKey, ActivityCount)? {
        guard try fill(8) else { return nil }
        let length = Int(word())
        guard try fill(length + 32) else { throw CocoaError(.fileReadCorruptFile) }
        let key = CountKey(bytes: Array(buffer[offset..<(offset + length)]))
        offset += length
        let events = Int(Int64(bitPattern: word()))
        let families = Int(Int64(bitPattern: word()))
        let participants = Int(Int64(bitPattern: word()))
        let sessions = Int(Int64(bitPattern: word()))
        return (key, ActivityCount(events: events, families: families, participants: participants, sessions: sessions))
    }
}

/// Chunks of merged keys from the merging thread to the writing one, at most a few in flight.
private final class ChunkHandoff: @unchecked Sendable {
    static let chunkSize = 4_096
    static let inFlight = 4
    private let condition = NSCondition()
    private var chunks: [[(CountKey, ActivityCount)]] = []
    private var ended = false
    private var failure: (any Error)?
    private var cancelled = false

    /// Waits for room; false if the taker stopped.
    func put(_ chunk: [(CountKey, ActivityCount)]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= Self.inFlight, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    func end(_ error: (any Error)?) {
        condition.lock()
        ended = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, nil at the end; throws the merge's error.
    func take() throws -> [(CountKey, ActivityCount)]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty, !ended { condition.wait() }
        if !chunks.isEmpty {
            condition.broadcast()
            return chunks.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// The taker stopped (done, or an error of its own): the merging thread stops at its next chunk.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
