/// Endpoints for tests: the loopback interface with a port the OS picks, never a fixed one.
enum Loopback {
    /// Bind here, then read the real endpoint back with `lastEndpoint`.
    static let anyPort = "tcp://127.0.0.1:*"

    /// A fresh inproc endpoint name, unique within the test run.
    static func inproc(_ purpose: String) -> String {
        "inproc://test.\(purpose).\(String(UInt64.random(in: .min ... .max), radix: 16))"
    }
}
