import CLibZMQ

extension ZMQSocket {
    /// Starts reporting this socket's connection events to a PAIR socket libzmq binds at `endpoint` (must be
    /// `inproc://…`). Connect a ``ZMQSocketType/pair`` socket there and decode what it receives with
    /// ``ZMQMonitorEvent/init(_:)``.
    package func startMonitor(_ endpoint: String, events: ZMQMonitorEvent.Kind = .all) throws(ZMQError) {
        let operation = "monitor a \(type) socket on \(endpoint)"
        let handle = try requireHandle(operation)
        guard zmq_socket_monitor(handle, endpoint, Int32(events.rawValue)) == 0 else { throw ZMQError.last(operation) }
    }

    /// Stops the monitor started by ``startMonitor(_:events:)``; closing the socket stops it too.
    package func stopMonitor() throws(ZMQError) {
        let operation = "stop monitoring a \(type) socket"
        let handle = try requireHandle(operation)
        guard zmq_socket_monitor(handle, nil, 0) == 0 else { throw ZMQError.last(operation) }
    }
}
