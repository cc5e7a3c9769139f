import Dispatch
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

    package init(bytes: [UInt8]) { self.bytes = bytes }

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
            rhs.bytes.withUnsafeBufferPointer { right in precedes(left, right) }
        }
    }

    /// Whether key bytes `left` order before `right`.
    static func precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let shared = min(left.count, right.count)
        let order = shared == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, shared)
        return order != 0 ? order < 0 : left.count < right.count
    }

    /// Calls `body` with each column's bytes, in key order.
    package func forEachColumn(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { try Self.forEachColumn(of: $0, body) }
    }

    /// Calls `body` with each column's bytes of the key bytes `key`, in key order.
    package static func forEachColumn(
        of key: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) rethrows {
        var start = 0
        for index in key.indices where key[index] == 0 {
            try body(UnsafeBufferPointer(rebasing: key[start..<index]))
            start = index + 1
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

/// Keys with their totals, in key order, their bytes back to back in one buffer: what the merge hands over, a few
/// thousand keys at a time, without a heap allocation per key.
package struct CountChunk: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var counts: [ActivityCount] = []

    /// The number of keys.
    package var count: Int { ends.count }

    init(reserving keys: Int) {
        bytes.reserveCapacity(keys * 96)
        ends.reserveCapacity(keys)
        counts.reserveCapacity(keys)
    }

    /// Adds `count` to the last key's total if the last key is `key`, else appends `key` with `count`.
    mutating func add(_ key: UnsafeBufferPointer<UInt8>, _ count: ActivityCount) {
        if endsWith(key) {
            counts[counts.count - 1] += count
        } else {
            bytes.append(contentsOf: key)
            ends.append(bytes.count)
            counts.append(count)
        }
    }

    /// Whether the last key is `key`.
    func endsWith(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let end = ends.last else { return false }
        let start = ends.count > 1 ? ends[ends.count - 2] : 0
        return bytes.withUnsafeBufferPointer { all in
            end - start == key.count
                && (key.isEmpty || memcmp(all.baseAddress! + start, key.baseAddress!, key.count) == 0)
        }
    }

    /// Calls `body` with each key's bytes (valid only during the call) and its total, in order.
    package func forEachKey(_ body: (UnsafeBufferPointer<UInt8>, ActivityCount) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            for index in ends.indices {
                try body(UnsafeBufferPointer(rebasing: all[start..<ends[index]]), counts[index])
                start = ends[index]
            }
        }
    }

    /// The keys and totals as values (for tests and checks).
    package var entries: [(CountKey, ActivityCount)] {
        var entries: [(CountKey, ActivityCount)] = []
        forEachKey { entries.append((CountKey(bytes: Array($0)), $1)) }
        return entries
    }
}

/// Adds up counts by key with bounded memory, however many distinct keys there are, and gives every key once, in
/// key order, with its total: the counts are added up in memory and, every `flushAt` distinct keys, written sorted
/// to a run file in `folder`; the runs are merged at the end. Used by a rebuild of the stored counters, so that the
/// table is written once, in its key's order, instead of updated at random.
///
/// A run is sorted and written on a thread of its own while the caller goes on adding up the next one (at most one
/// run is being written at a time), so the caller's other work (feeding the threads that read the payloads) does not
/// stop for it. A run that could not be written fails the next ``add(_:_:)`` or the merge.
package struct CountRuns: Sendable {
    package let folder: URL
    package let flushAt: Int
    private var pending: [CountKey: ActivityCount] = [:]
    private var runs: [URL] = []
    private var writing: RunWrite?

    /// `folder` is created (emptied if it exists); the caller removes it when done.
    package init(folder: URL, flushAt: Int = 100_000) throws {
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

    /// Hands the keys added up so far to a thread that sorts them and writes them as a run, after the run before
    /// has been written.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try finishWriting()
        let url = folder.appendingPathComponent("run-\(runs.count)")
        runs.append(url)
        writing = RunWrite(url: url, cells: pending)
        pending = [:]
        pending.reserveCapacity(flushAt)
    }

    /// Waits for the run being written; throws its error.
    private mutating func finishWriting() throws {
        guard let write = writing else { return }
        writing = nil
        try write.wait()
    }

    /// Calls `body` with every key once, in key order, with its total (for tests and checks; a rebuild takes the
    /// keys in chunks, ``forEachChunkInOrder(_:)``).
    package mutating func forEachInOrder(_ body: (CountKey, ActivityCount) throws -> Void) throws {
        try forEachChunk(of: ChunkHandoff.chunkSize) { chunk in
            try chunk.forEachKey { try body(CountKey(bytes: Array($0)), $1) }
        }
    }

    /// ``forEachInOrder(_:)`` with the merge on a thread of its own: `body` gets the keys in order, in chunks, on
    /// the caller's thread while the next chunks are merged.
    package consuming func forEachChunkInOrder(_ body: (CountChunk) throws -> Void) throws {
        let handoff = ChunkHandoff()
        let runs = self
        let merger = Thread {
            var runs = runs
            do {
                try runs.forEachChunk(of: ChunkHandoff.chunkSize) { chunk in
                    guard handoff.put(chunk) else { throw CancellationError() }
                }
                handoff.end(nil)
            } catch {
                handoff.end(error)
            }
        }
        merger.name = "knutepunkt-merge"
        merger.start()
        defer { handoff.cancel() }
        while let chunk = try handoff.take() { try body(chunk) }
    }

    /// Gives every key once, in key order, with its total, in chunks of `size` keys (the last may be smaller).
    private mutating func forEachChunk(of size: Int, _ body: (CountChunk) throws -> Void) throws {
        var chunk = CountChunk(reserving: size)
        func add(_ key: UnsafeBufferPointer<UInt8>, _ count: ActivityCount) throws {
            if chunk.count >= size, !chunk.endsWith(key) {
                try body(chunk)
                chunk = CountChunk(reserving: size)
            }
            chunk.add(key, count)
        }
        if runs.isEmpty {
            // Everything fitted in memory: no files.
            for (key, count) in pending.sorted(by: { $0.key < $1.key }) {
                try key.bytes.withUnsafeBufferPointer { try add($0, count) }
            }
        } else {
            try flush()
            try finishWriting()
            // Each reader holds its run's current key; a binary heap of the readers, smallest key first. Equal
            // keys of different runs come out one after the other and are added up in the chunk.
            var readers = try runs.map { try RunReader($0) }
            var heap: [Int] = []
            for index in readers.indices where try readers[index].advance() { heap.append(index) }
            func smaller(_ a: Int, _ b: Int) -> Bool {
                readers[heap[a]].key.withUnsafeBufferPointer { left in
                    readers[heap[b]].key.withUnsafeBufferPointer { right in CountKey.precedes(left, right) }
                }
            }
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
            while let top = heap.first {
                try readers[top].key.withUnsafeBufferPointer { try add($0, readers[top].count) }
                if try !readers[top].advance() {
                    heap[0] = heap[heap.count - 1]
                    heap.removeLast()
                }
                if !heap.isEmpty { siftDown(0) }
            }
        }
        if chunk.count > 0 { try body(chunk) }
    }
}

/// The format of a run file: its records in key order, each
/// - the number of bytes its key shares with the key before it, and the number that follow (varints);
/// - those bytes;
/// - the four counts (events, families, participants, sessions), zigzag varints.
///
/// Sorted keys share their first columns (region, node, day): at 10^7 cells a record took about 50 bytes, against
/// about 200 for the whole key and four 8-byte counts.
private enum RunFormat {
    static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(value))
    }

    static func append(signed value: Int, to buffer: inout [UInt8]) {
        let wide = Int64(value)
        append(UInt64(bitPattern: (wide << 1) ^ (wide >> 63)), to: &buffer)
    }

    static func signed(_ zigzag: UInt64) -> Int {
        Int(Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
    }

    /// How many bytes `a` and `b` begin with alike.
    static func sharedPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let limit = min(a.count, b.count)
                var index = 0
                while index < limit, a[index] == b[index] { index += 1 }
                return index
            }
        }
    }

    /// Writes `cells`, sorted by key, to a new file at `url`.
    static func write(_ cells: [CountKey: ActivityCount], to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var previous: [UInt8] = []
        for (key, count) in cells.sorted(by: { $0.key < $1.key }) {
            let shared = sharedPrefix(previous, key.bytes)
            append(UInt64(shared), to: &buffer)
            append(UInt64(key.bytes.count - shared), to: &buffer)
            buffer.append(contentsOf: key.bytes[shared...])
            for value in [count.events, count.families, count.participants, count.sessions] {
                append(signed: value, to: &buffer)
            }
            previous = key.bytes
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }
}

/// One run being sorted and written on a thread of its own. Dropping it waits for the thread, so a caller that
/// stopped early (an error) does not remove the folder under a run being written.
private final class RunWrite: @unchecked Sendable {
    private let done = DispatchGroup()
    private let outcome = Outcome()

    /// What stopped the writing thread, set before it leaves `done` and read only after.
    private final class Outcome: @unchecked Sendable {
        var failure: (any Error)?
    }

    init(url: URL, cells: [CountKey: ActivityCount]) {
        let done = done
        let outcome = outcome
        done.enter()
        let thread = Thread {
            do {
                try RunFormat.write(cells, to: url)
            } catch {
                outcome.failure = error
            }
            done.leave()
        }
        thread.name = "knutepunkt-runs"
        thread.start()
    }

    /// Waits for the run to be written; throws what stopped it.
    func wait() throws {
        done.wait()
        if let failure = outcome.failure { throw failure }
    }

    deinit {
        done.wait()
    }
}

/// Reads one run file back, record by record, 64 KiB at a time (a rebuild of 10^7 cells merges about a hundred runs
/// at once, and a buffer of a megabyte each held 200 MB).
private struct RunReader {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var offset = 0
    var ended = false
    /// The current record.
    var key: [UInt8] = []
    var count = ActivityCount()

    init(_ url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
    }

    /// Makes `count` bytes available from `offset`; false at the end of the file.
    mutating func fill(_ count: Int) throws -> Bool {
        while buffer.count - offset < count {
            if ended { return false }
            buffer.removeFirst(offset)
            offset = 0
            if let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                ended = true
                try handle.close()
            }
        }
        return true
    }

    /// The next varint (its bytes available).
    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard try fill(1), shift < 64 else { throw CocoaError(.fileReadCorruptFile) }
            let byte = buffer[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// Reads the next record into ``key`` and ``count``; false at the end of the run.
    mutating func advance() throws -> Bool {
        guard try fill(1) else { return false }
        let shared = Int(try varint())
        let length = Int(try varint())
        guard shared <= key.count, try fill(length) else { throw CocoaError(.fileReadCorruptFile) }
        key.removeSubrange(shared...)
        key.append(contentsOf: buffer[offset..<(offset + length)])
        offset += length
        let events = RunFormat.signed(try varint())
        let families = RunFormat.signed(try varint())
        let participants = RunFormat.signed(try varint())
        let sessions = RunFormat.signed(try varint())
        count = ActivityCount(events: events, families: families, participants: participants, sessions: sessions)
        return true
    }
}

/// Chunks of merged keys from the merging thread to the writing one, at most a few in flight.
private final class ChunkHandoff: @unchecked Sendable {
    static let chunkSize = 4_096
    static let inFlight = 4
    private let condition = NSCondition()
    private var chunks: [CountChunk] = []
    private var ended = false
    private var failure: (any Error)?
    private var cancelled = false

    /// Waits for room; false if the taker stopped.
    func put(_ chunk: CountChunk) -> Bool {
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
    func take() throws -> CountChunk? {
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
