#if canImport(Glibc)
import Foundation
import Glibc
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktService
import Synchronization
#endif

/// A small TCP proxy for fault-injection tests: listens on `127.0.0.1` (an ephemeral port), and forwards each
/// accepted connection to an upstream port on loopback, doing to the bytes what its ``Mode`` says.
///
/// One dedicated thread owns every socket and runs `poll(2)`; tests change the mode or reset the connections from any
/// task through a lock and a wake-up pipe. Memory is bounded: a direction whose output (or delayed) backlog passes
/// ``backlogLimit`` is not read until it drains, so TCP's own flow control pushes back on the sender.
package final class FaultProxy: Sendable {
    /// What the proxy does with the bytes it reads.
    package enum Mode: Sendable, Hashable {
        /// Forward everything as it comes.
        case pass
        /// Accept and read everything, forward nothing (a silent network partition: no FIN, no RST).
        case blackhole
        /// Forward everything, each chunk this long after it was read (order kept).
        case delay(Duration)
        /// Forward the first half of the next chunk read on any connection, then reset that connection (a frame cut
        /// off mid-way); afterwards back to `pass`.
        case truncateNext
        /// Flip the bits of a few bytes in the middle of the next chunk read on any connection, forward it; then back
        /// to `pass`.
        case corruptNext
    }

    /// What the proxy has done so far.
    package struct Counters: Sendable, Hashable {
        package var connections = 0
        /// Bytes passed on (now or, delayed, later).
        package var forwardedBytes = 0
        package var droppedBytes = 0
        /// Connections closed with RST by ``resetAll()`` or a truncation.
        package var resets = 0
        package var truncations = 0
        package var corruptions = 0
    }

    private struct Shared {
        var mode: Mode = .pass
        var resetsRequested = 0
        var stopping = false
        var counters = Counters()
        var waiters: [(id: Int, until: @Sendable (Counters) -> Bool, continuation: CheckedContinuation<Bool, Never>)] =
            []
        var nextWaiter = 0

        /// Changes the counters and hands back the waiters whose condition now holds.
        mutating func count(_ change: (inout Counters) -> Void) -> [CheckedContinuation<Bool, Never>] {
            change(&counters)
            var done: [CheckedContinuation<Bool, Never>] = []
            waiters.removeAll { waiter in
                guard waiter.until(counters) else { return false }
                done.append(waiter.continuation)
                return true
            }
            return done
        }
    }

    /// Bytes a direction may hold back (unsent or delayed) before the proxy stops reading its source.
    package static let backlogLimit = 4 << 20

    /// `tcp://127.0.0.1:PORT`, for a ZeroMQ connect.
    package let endpoint: String
    package let port: UInt16
    private let shared = Mutex(Shared())
    private let wakeWriter: Int32
    private let finished = ReadySignal<Void>()

    /// Starts a proxy to `127.0.0.1:upstreamPort`.
    package convenience init(upstreamPort: UInt16) throws {
        try self.init(listener: try Self.listen(host: "127.0.0.1"), host: "127.0.0.1", upstreamPort: upstreamPort)
    }

    /// Starts a proxy inside the network namespace at `namespace` (`/run/netns/NAME`): it listens on `host` there
    /// (an address of that namespace, e.g. a veth's) and forwards to `127.0.0.1:upstreamPort` of that namespace,
    /// so that it stands between two namespaces (see ``NetworkLab``). The listening socket is made, and the proxy's
    /// thread runs, in that namespace (`setns` on threads of their own, never on the cooperative pool).
    package static func start(
        inNamespace namespace: String,
        host: String,
        upstreamPort: UInt16
    ) async throws
        -> FaultProxy
    {
        let made = ReadySignal<(fd: Int32, port: UInt16)>()
        Thread.detachNewThread {
            do {
                try enterNamespace(namespace)
                made.fulfil(try listen(host: host))
            } catch {
                made.fail(error)
            }
        }
        return try FaultProxy(
            listener: try await made.value(),
            host: host,
            upstreamPort: upstreamPort,
            namespace: namespace
        )
    }

    /// Moves the calling thread into the network namespace at `path`.
    static func enterNamespace(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DaemonProcessError(message: "cannot open \(path): errno \(errno)") }
        defer { Glibc.close(fd) }
        // Glibc's module map leaves out setns (it needs _GNU_SOURCE): look it up. CLONE_NEWNET is 0x40000000.
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "setns") else {
            throw DaemonProcessError(message: "setns is not available")
        }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        guard setns(fd, 0x4000_0000) == 0 else {
            throw DaemonProcessError(message: "setns into \(path) failed: errno \(errno)")
        }
    }

    private init(
        listener: (fd: Int32, port: UInt16),
        host: String,
        upstreamPort: UInt16,
        namespace: String? = nil
    ) throws {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            Glibc.close(listener.fd)
            throw DaemonProcessError(message: "pipe failed: errno \(errno)")
        }
        Self.setNonBlocking(pipeFDs[0])
        Self.setNonBlocking(pipeFDs[1])
        port = listener.port
        endpoint = "tcp://\(host):\(listener.port)"
        wakeWriter = pipeFDs[1]
        let loop = Loop(listener: listener.fd, wakeReader: pipeFDs[0], upstreamPort: upstreamPort, owner: self)
        Thread.detachNewThread {
            // Upstream connections are made on this thread: in the namespace, to its loopback.
            if let namespace { try? FaultProxy.enterNamespace(namespace) }
            loop.run()
        }
    }

    /// The upstream port of a `tcp://HOST:PORT` endpoint.
    package static func port(of endpoint: String) -> UInt16? {
        endpoint.split(separator: ":").last.flatMap { UInt16($0) }
    }

    package var mode: Mode {
        get { shared.withLock { $0.mode } }
        set {
            shared.withLock { $0.mode = newValue }
            wake()
        }
    }

    package var counters: Counters { shared.withLock { $0.counters } }

    /// Waits until the counters satisfy `condition` (e.g. a new connection: the node noticed a dead link and
    /// reconnected); false if `limit` passed first.
    package func wait(limit: Duration, until condition: @escaping @Sendable (Counters) -> Bool) async -> Bool {
        let id = shared.withLock { shared in
            shared.nextWaiter += 1
            return shared.nextWaiter
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now: Bool = self.shared.withLock { shared in
                        if condition(shared.counters) { return true }
                        shared.waiters.append((id, condition, continuation))
                        return false
                    }
                    if now { continuation.resume(returning: true) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            // Ends the other task: a waiter still registered is resumed with false, the sleep is cancelled.
            let left = self.shared.withLock { shared in
                let left = shared.waiters.filter { $0.id == id }.map(\.continuation)
                shared.waiters.removeAll { $0.id == id }
                return left
            }
            for continuation in left { continuation.resume(returning: false) }
            group.cancelAll()
            return first
        }
    }

    /// Updates the counters (from the proxy thread) and wakes the waiters whose condition holds.
    private func count(_ change: (inout Counters) -> Void) {
        let done = shared.withLock { $0.count(change) }
        for continuation in done { continuation.resume(returning: true) }
    }

    /// Closes every open connection with RST (SO_LINGER 0), both towards the client and the upstream.
    package func resetAll() {
        shared.withLock { $0.resetsRequested += 1 }
        wake()
    }

    /// Stops the thread and closes every socket.
    package func close() async {
        shared.withLock { $0.stopping = true }
        wake()
        try? await finished.value()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    // MARK: - The thread

    /// One direction of a connection: bytes read from `from`, to be written to `to`.
    private struct Direction {
        var pending: [UInt8] = []
        var delayed: [(due: ContinuousClock.Instant, bytes: [UInt8])] = []
        var backlog: Int { pending.count + delayed.reduce(0) { $0 + $1.bytes.count } }
    }

    private struct Connection {
        var client: Int32
        var upstream: Int32
        var toUpstream = Direction()
        var toClient = Direction()
    }

    /// State owned by the proxy thread alone.
    private final class Loop: Sendable {
        let listener: Int32
        let wakeReader: Int32
        let upstreamPort: UInt16
        let owner: FaultProxy

        init(listener: Int32, wakeReader: Int32, upstreamPort: UInt16, owner: FaultProxy) {
            self.listener = listener
            self.wakeReader = wakeReader
            self.upstreamPort = upstreamPort
            self.owner = owner
        }

        func run() {
            var connections: [Connection] = []
            var resetsSeen = 0
            let clock = ContinuousClock()
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let (stopping, resets) = owner.shared.withLock { ($0.stopping, $0.resetsRequested) }
                if stopping {
                    for connection in connections { Self.reset(connection) }
                    Glibc.close(listener)
                    Glibc.close(wakeReader)
                    Glibc.close(owner.wakeWriter)
                    owner.finished.fulfil(())
                    return
                }
                if resets != resetsSeen {
                    resetsSeen = resets
                    let count = connections.count
                    for connection in connections { Self.reset(connection) }
                    connections.removeAll()
                    owner.count { $0.resets += count }
                }
                var fds = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
                fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
                for connection in connections {
                    fds.append(
                        Self.interest(connection.client, reading: connection.toUpstream, writing: connection.toClient)
                    )
                    fds.append(
                        Self.interest(connection.upstream, reading: connection.toClient, writing: connection.toUpstream)
                    )
                }
                var timeout: Int32 = 1000
                let now = clock.now
                for connection in connections {
                    for due in [connection.toUpstream.delayed.first?.due, connection.toClient.delayed.first?.due]
                    where due != nil {
                        timeout = min(timeout, Int32(max(0, (due! - now).milliseconds)))
                    }
                }
                let polled = poll(&fds, nfds_t(fds.count), timeout)
                if polled < 0, errno != EINTR { continue }
                if fds[0].revents != 0 {
                    while read(wakeReader, &buffer, buffer.count) > 0 {}
                }
                if fds[1].revents & Int16(POLLIN) != 0 { acceptAll(into: &connections) }
                var dead: Set<Int> = []
                for index in connections.indices where 2 + 2 * index + 1 < fds.count {
                    let clientEvents = fds[2 + 2 * index].revents
                    let upstreamEvents = fds[2 + 2 * index + 1].revents
                    var connection = connections[index]
                    var alive = true
                    if clientEvents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                        alive = pump(&connection, fromClient: true, &buffer, clock)
                    }
                    if alive, upstreamEvents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                        alive = pump(&connection, fromClient: false, &buffer, clock)
                    }
                    if alive {
                        alive =
                            Self.flush(&connection.toUpstream, to: connection.upstream, clock.now)
                            && Self.flush(&connection.toClient, to: connection.client, clock.now)
                    }
                    connections[index] = connection
                    if !alive { dead.insert(index) }
                }
                if !dead.isEmpty {
                    for index in dead.sorted(by: >) {
                        Glibc.close(connections[index].client)
                        Glibc.close(connections[index].upstream)
                        connections.remove(at: index)
                    }
                }
            }
        }

        static func interest(_ fd: Int32, reading source: Direction, writing sink: Direction) -> pollfd {
            var events: Int32 = 0
            if source.backlog < FaultProxy.backlogLimit { events |= Int32(POLLIN) }
            if !sink.pending.isEmpty { events |= Int32(POLLOUT) }
            return pollfd(fd: fd, events: Int16(events), revents: 0)
        }

        private func acceptAll(into connections: inout [Connection]) {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                guard let upstream = FaultProxy.connectLoopback(port: upstreamPort) else {
                    // Nobody upstream: refuse the client the way a closed port would.
                    FaultProxy.setLingerZero(client)
                    Glibc.close(client)
                    continue
                }
                FaultProxy.setNonBlocking(client)
                FaultProxy.setNonBlocking(upstream)
                connections.append(Connection(client: client, upstream: upstream))
                owner.count { $0.connections += 1 }
            }
        }

        /// Reads what `fd` has and applies the mode. False when the connection must go (closed, error, truncated).
        private func pump(
            _ connection: inout Connection,
            fromClient: Bool,
            _ buffer: inout [UInt8],
            _ clock: ContinuousClock
        ) -> Bool {
            let fd = fromClient ? connection.client : connection.upstream
            let target = fromClient ? connection.upstream : connection.client
            var direction = fromClient ? connection.toUpstream : connection.toClient
            defer {
                if fromClient { connection.toUpstream = direction } else { connection.toClient = direction }
            }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 { return errno == EAGAIN || errno == EINTR }
            if count == 0 { return false }
            var bytes = Array(buffer[0..<count])
            let mode: Mode = owner.shared.withLock { shared in
                let mode = shared.mode
                switch mode {
                case .truncateNext, .corruptNext: shared.mode = .pass
                default: break
                }
                return mode
            }
            let now = clock.now
            switch mode {
            case .pass:
                enqueue(bytes, into: &direction, due: now)
            case .blackhole:
                owner.count { $0.droppedBytes += count }
            case .delay(let delay):
                enqueue(bytes, into: &direction, due: now + delay)
            case .corruptNext:
                let middle = bytes.count / 2
                for index in middle..<min(bytes.count, middle + 4) { bytes[index] ^= 0xFF }
                owner.count { $0.corruptions += 1 }
                enqueue(bytes, into: &direction, due: now)
            case .truncateNext:
                let half = max(1, bytes.count / 2)
                enqueue(Array(bytes[0..<half]), into: &direction, due: now)
                _ = Self.flush(&direction, to: target, now)
                owner.count {
                    $0.truncations += 1
                    $0.resets += 1
                    $0.droppedBytes += count - half
                }
                FaultProxy.setLingerZero(connection.client)
                FaultProxy.setLingerZero(connection.upstream)
                return false
            }
            return true
        }

        /// Queues bytes behind anything already delayed, so order is kept when the mode changes.
        private func enqueue(_ bytes: [UInt8], into direction: inout Direction, due: ContinuousClock.Instant) {
            owner.count { $0.forwardedBytes += bytes.count }
            if direction.delayed.isEmpty, due <= ContinuousClock.now {
                direction.pending.append(contentsOf: bytes)
            } else {
                direction.delayed.append((max(due, direction.delayed.last?.due ?? due), bytes))
            }
        }

        /// Moves due delayed bytes to pending and writes what the socket takes. False on a write error.
        static func flush(_ direction: inout Direction, to fd: Int32, _ now: ContinuousClock.Instant) -> Bool {
            while let first = direction.delayed.first, first.due <= now {
                direction.pending.append(contentsOf: first.bytes)
                direction.delayed.removeFirst()
            }
            while !direction.pending.isEmpty {
                let written = direction.pending.withUnsafeBytes {
                    send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if written < 0 { return errno == EAGAIN || errno == EINTR }
                direction.pending.removeFirst(written)
            }
            return true
        }

        static func reset(_ connection: Connection) {
            FaultProxy.setLingerZero(connection.client)
            FaultProxy.setLingerZero(connection.upstream)
            Glibc.close(connection.client)
            Glibc.close(connection.upstream)
        }
    }

    // MARK: - Sockets

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func listen(host: String) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcessError(message: "socket failed: errno \(errno)") }
        var address = loopbackAddress(port: 0)
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw DaemonProcessError(message: "binding the proxy failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        setNonBlocking(fd)
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A blocking connect on loopback (it completes or is refused at once), then non-blocking use.
    fileprivate static func connectLoopback(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    fileprivate static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Makes `close` send RST instead of FIN.
    fileprivate static func setLingerZero(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }
}
