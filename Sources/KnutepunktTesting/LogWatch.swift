#if canImport(Glibc)
import Foundation
import Glibc
import KnutepunktService

/// Waits for a daemon to say something in its log file: woken by inotify each time the file grows, never by a timer,
/// so a test synchronises on what happened ("reconnecting to the hub") rather than on time passing. The limit only
/// bounds a failure.
package enum LogWatch {
    /// The file's size now: pass it as `after` to count only what is written from here on.
    package static func size(of file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Waits until the part of `file` after byte `after` holds `text` at least `count` times; false if `limit`
    /// passed first. Runs on a thread of its own.
    package static func wait(
        for text: String,
        in file: String,
        count: Int = 1,
        after: Int = 0,
        limit: Duration = .seconds(120)
    ) async -> Bool {
        let found = ReadySignal<Bool>()
        Thread.detachNewThread {
            found.fulfil(waitBlocking(for: text, in: file, count: count, after: after, limit: limit))
        }
        return (try? await found.value()) ?? false
    }

    private static func occurrences(of text: String, in file: String, after: Int) -> Int {
        guard let handle = FileHandle(forReadingAtPath: file) else { return 0 }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(after))
        let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return tail.components(separatedBy: text).count - 1
    }

    private static func waitBlocking(
        for text: String,
        in file: String,
        count: Int,
        after: Int,
        limit: Duration
    )
        -> Bool
    {
        let deadline = ContinuousClock.now + limit
        let watcher = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard watcher >= 0 else { return occurrences(of: text, in: file, after: after) >= count }
        defer { Glibc.close(watcher) }
        _ = inotify_add_watch(watcher, file, UInt32(IN_MODIFY))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Watch first, then read: a write between the two still wakes the next poll.
            if occurrences(of: text, in: file, after: after) >= count { return true }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            var descriptor = pollfd(fd: watcher, events: Int16(POLLIN), revents: 0)
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            if poll(&descriptor, 1, milliseconds) > 0 {
                while read(watcher, &buffer, buffer.count) > 0 {}
            }
        }
    }
}
#endif
