import Foundation
import KnutepunktZMQ
import Testing

/// Byte-level interop with another ZeroMQ implementation: pyzmq (Debian's python3-zmq) as a DEALER against a Swift
/// ROUTER. Skipped, not failed, on machines without python3-zmq: the test needs a second implementation to
/// compare against, and nothing in the project requires Python otherwise.
@Suite("Interop with pyzmq")
struct ZMQPythonInteropTests {
    /// A python3 that can `import zmq`. pyenv's or a venv's python3 may come first on PATH without the Debian
    /// package, so the system interpreter is tried as well.
    static let python: String? = {
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/python3")
        }
        var tried = Set<String>()
        for candidate in candidates where tried.insert(candidate).inserted {
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: candidate)
            probe.arguments = ["-c", "import zmq"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        return nil
    }()

    static let script = """
        import sys, zmq
        endpoint = sys.argv[1]
        context = zmq.Context()
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.setsockopt(zmq.RCVTIMEO, 15000)
        dealer.setsockopt(zmq.ROUTING_ID, b"py-dealer")
        dealer.connect(endpoint)
        frames = [b"", b"hello from python", bytes(range(256)), bytes(i % 251 for i in range(100000))]
        dealer.send_multipart(frames)
        try:
            reply = dealer.recv_multipart()
        except zmq.Again:
            sys.exit(3)
        expected = [b"swift", bytes(reversed(range(256)))] + frames[::-1]
        dealer.close()
        context.term()
        sys.exit(0 if reply == expected else 4)
        """

    static var framesFromPython: [[UInt8]] {
        [[], Array("hello from python".utf8), Array(0...255), (0..<100_000).map { UInt8($0 % 251) }]
    }

    @Test(
        "a pyzmq DEALER and a Swift ROUTER exchange multipart messages byte for byte",
        .enabled(if: python != nil, "python3-zmq is not installed"),
        .timeLimit(.minutes(8))
    )
    func pythonDealerSwiftRouter() async throws {
        let python = try #require(Self.python)
        let context = try ZMQContext()
        defer { context.terminate() }
        let received = OneShot<Result<ZMQMessage?, any Error>>()
        let exited = OneShot<Int32>()
        // The ROUTER lives on its own thread so the blocking waits stay off the cooperative pool, and that thread
        // starts python itself once it listens: the wait's bound then starts with python, never while the test's
        // task waits for a pool thread that other tests keep busy.
        let owner = ZMQThread.start(name: "test-interop") {
            do {
                let router = try context.makeSocket(.router)
                defer { router.close() }
                try router.bind(Loopback.anyPort)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = ["-c", Self.script, try router.lastEndpoint]
                process.terminationHandler = { exited.fulfil($0.terminationStatus) }
                try process.run()
                var poller = ZMQPoller()
                poller.add(router)
                guard try poller.poll(timeout: .seconds(120))[0].contains(.readable),
                    let message = try router.receive(dontWait: true)
                else {
                    received.fulfil(.success(nil))
                    return
                }
                received.fulfil(.success(message))
                let reply = [Array("swift".utf8), Array((0...255).reversed())] + message.frames.dropFirst().reversed()
                // Closing right after a send would discard the reply with LINGER 0; with a linger the context's
                // termination (after python exited) is what waits for it instead.
                try router.setOption(.linger, .seconds(10))
                try router.send([message.frames[0]] + reply)
            } catch {
                received.fulfil(.failure(error))
                exited.fulfil(-1)
            }
        }

        let message = try #require(try await received.value.get())
        #expect(message.frames.first == Array("py-dealer".utf8))
        #expect(Array(message.frames.dropFirst()) == Self.framesFromPython)
        await owner.join()
        // python exits once it has the reply (or after its own 15 s receive timeout); the suite's time limit
        // bounds the rest.
        #expect(await exited.value == 0)
    }
}
