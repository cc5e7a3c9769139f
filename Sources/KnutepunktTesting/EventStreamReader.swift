#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization

/// Reads a Server-Sent Events stream (`text/event-stream`) over plain HTTP/1.1 on loopback, so that a test can wait
/// for what a daemon announces (a `views` notice after new events) instead of asking again on a timer.
///
/// Blocking, with plain POSIX sockets: made on one task, read on one socket thread (its buffers sit behind a lock so
/// it may move between them). Every wait is bounded by the timeout given, which only bounds a failure.
package final class EventStreamReader: Sendable {
    /// One event of the stream: its `event:` name and its `data:` lines joined.
    package struct Event: Sendable, Hashable {
        package var name: String
        package var data: String
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    private struct Buffers {
        var raw: [UInt8] = []
        var headersRead = false
        var chunked = false
        var text: [UInt8] = []
    }

    private let descriptor: Int32
    private let buffers = Mutex(Buffers())

    /// Connects to `127.0.0.1:port` and sends `GET path` with `headers`.
    package init(port: Int, path: String, headers: [String: String] = [:]) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(reason)")
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard written > 0 else {
                Glibc.close(descriptor)
                throw Failure(description: "send: \(String(cString: strerror(errno)))")
            }
            sent += written
        }
    }

    package func close() { Glibc.close(descriptor) }

    /// The next event, or nil if none comes within `timeout` or the stream ends.
    package func next(timeout: Duration) throws -> Event? {
        try buffers.withLock { buffers in try next(timeout: timeout, &buffers) }
    }

    private func next(timeout: Duration, _ buffers: inout Buffers) throws -> Event? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = Self.takeEvent(&buffers) { return event }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000, 60_000))
            guard poll(&descriptors, 1, max(milliseconds, 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return Self.takeEvent(&buffers) }
            buffers.raw += chunk[0..<count]
            try Self.decode(&buffers)
        }
    }

    /// Moves what has arrived from `raw` to `text`: the headers first, then the body, de-chunked if need be.
    private static func decode(_ buffers: inout Buffers) throws {
        if !buffers.headersRead {
            guard let end = buffers.raw.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let head = String(decoding: buffers.raw[..<end.lowerBound], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 200") else {
                throw Failure(description: "the stream was refused: \(head.prefix(200))")
            }
            buffers.chunked = head.lowercased().contains("transfer-encoding: chunked")
            buffers.raw.removeSubrange(..<end.upperBound)
            buffers.headersRead = true
        }
        guard buffers.chunked else {
            buffers.text += buffers.raw
            buffers.raw = []
            return
        }
        while let line = buffers.raw.firstRange(of: Array("\r\n".utf8)) {
            let sizeText =
                String(decoding: buffers.raw[..<line.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "a broken chunk header: \(sizeText)")
            }
            let start = line.upperBound
            guard buffers.raw.count >= start + size + 2 else { return }
            buffers.text += buffers.raw[start..<(start + size)]
            buffers.raw.removeSubrange(..<(start + size + 2))
        }
    }

    /// Takes one complete event (ended by an empty line) from `text`.
    private static func takeEvent(_ buffers: inout Buffers) -> Event? {
        while let end = buffers.text.firstRange(of: Array("\n\n".utf8)) {
            let block = String(decoding: buffers.text[..<end.lowerBound], as: UTF8.self)
            buffers.text.removeSubrange(..<end.upperBound)
            var name = "message"
            var data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event:") {
                    name = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    data.append(String(line.dropFirst(5).drop { $0 == " " }))
                }
            }
            // A block of only comments or a `retry:` carries no event.
            if !data.isEmpty { return Event(name: name, data: data.joined(separator: "\n")) }
        }
        return nil
    }
}
#endif
