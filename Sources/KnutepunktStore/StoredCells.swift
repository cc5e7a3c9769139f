import Dispatch
import Foundation
import KnutepunktGaps

/// Reads the cells of stored payloads for a rebuild of the activity counters, a page at a time, on every core.
///
/// Reading a payload back (parsing and validating it again) is nearly all of a rebuild's work and each payload is
/// read on its own, so a page is cut into as many parts as there are cores, and each part is read on a thread of its
/// own. The results come back in the page's order, so what is counted does not depend on how the page was cut.
package enum StoredCells {
    /// Payloads read per page: enough for every core to have a long run, few enough to keep memory small.
    package static let pageSize = 16_384

    /// `read` of each payload (nil where it gives none), in order.
    package static func read<Read: Sendable>(
        _ payloads: [[UInt8]],
        cores: Int = ProcessInfo.processInfo.activeProcessorCount,
        _ read: @Sendable ([UInt8]) -> Read?
    ) -> [Read?] {
        let parts = max(1, min(cores, payloads.count / 256))
        guard parts > 1 else { return payloads.map(read) }
        var results = [Read?](repeating: nil, count: payloads.count)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each part writes only its own range of the buffer, which outlives every part.
            nonisolated(unsafe) let output = buffer
            let partSize = (payloads.count + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = (part * partSize)..<min(payloads.count, (part + 1) * partSize)
                for index in range { output[index] = read(payloads[index]) }
            }
        }
        return results
    }

    /// Reads pages one behind the caller: ``start(_:)`` hands a page to ``read(_:cores:_:)`` on another thread
    /// (which cuts it over every core) and gives back the results of the page before (waiting for them if need be),
    /// so the caller fetches and uses pages while the next one is read. Results come back in the order the pages were
    /// started.
    package struct Pipeline<Read: Sendable>: ~Copyable {
        private let read: @Sendable ([UInt8]) -> Read?
        private var inFlight: (done: DispatchGroup, results: Results)?

        /// One page's results, written by its thread before `done` is left and read only after.
        private final class Results: @unchecked Sendable {
            var values: [Read?] = []
        }

        package init(_ read: @escaping @Sendable ([UInt8]) -> Read?) {
            self.read = read
        }

        /// Starts reading `page`; gives the results of the page started before (empty for the first).
        package mutating func start(_ page: [[UInt8]]) -> [Read?] {
            let before = finish()
            let results = Results()
            let done = DispatchGroup()
            let read = read
            DispatchQueue.global().async(group: done) { results.values = StoredCells.read(page, read) }
            inFlight = (done, results)
            return before
        }

        /// Waits for the page in flight and gives its results (empty if none is).
        package mutating func finish() -> [Read?] {
            guard let (done, results) = inFlight else { return [] }
            done.wait()
            inFlight = nil
            return results.values
        }

        deinit {
            // A reader that stopped early (an error) still waits for its page, which holds no lock.
            inFlight?.done.wait()
        }
    }
}
