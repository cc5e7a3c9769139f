import CLibZMQ

extension ZMQSocket {
    /// Sets a typed socket option, e.g. `try socket.setOption(.sendHighWaterMark, 100_000)`.
    package func setOption<Value>(_ option: ZMQSocketOption<Value>, _ value: Value) throws(ZMQError) {
        let operation = "set \(option.name) on a \(type) socket"
        guard option.access != .readOnly else {
            throw ZMQError(code: .invalidArgument, operation: operation, message: "\(option.name) is read-only")
        }
        let handle = try requireHandle(operation)
        guard let raw = option.encode(value) else {
            throw ZMQError(
                code: .invalidArgument,
                operation: operation,
                message: "\(value) is out of range for \(option.name)"
            )
        }
        let result: Int32
        switch raw {
        case .int32(var number):
            result = zmq_setsockopt(handle, option.code, &number, MemoryLayout<Int32>.size)
        case .int64(var number):
            result = zmq_setsockopt(handle, option.code, &number, MemoryLayout<Int64>.size)
        case .bytes(let bytes):
            // Some options reject a NULL pointer even with length 0 (an empty subscription), so never pass one.
            result = (bytes.isEmpty ? [0] : bytes).withUnsafeBytes {
                zmq_setsockopt(handle, option.code, $0.baseAddress, bytes.count)
            }
        }
        guard result == 0 else { throw ZMQError.last(operation) }
    }

    /// Reads a typed socket option back, e.g. `try socket.option(.linger)`.
    ///
    /// - Throws: ``ZMQError/Code/invalidArgument`` for write-only options (libzmq cannot report them).
    package func option<Value>(_ option: ZMQSocketOption<Value>) throws(ZMQError) -> Value {
        let operation = "read \(option.name) of a \(type) socket"
        guard option.access != .writeOnly else {
            throw ZMQError(
                code: .invalidArgument,
                operation: operation,
                message: "\(option.name) is write-only; libzmq cannot report it, so keep the value you set"
            )
        }
        let handle = try requireHandle(operation)
        let raw: ZMQOptionRaw
        switch option.format {
        case .int32:
            var number: Int32 = 0
            var size = MemoryLayout<Int32>.size
            guard zmq_getsockopt(handle, option.code, &number, &size) == 0 else { throw ZMQError.last(operation) }
            raw = .int32(number)
        case .int64:
            var number: Int64 = 0
            var size = MemoryLayout<Int64>.size
            guard zmq_getsockopt(handle, option.code, &number, &size) == 0 else { throw ZMQError.last(operation) }
            raw = .int64(number)
        case .z85Key:
            raw = .bytes(try Self.readBytes(handle, option.code, capacities: [41], operation))
        case .bytes:
            // libzmq answers EINVAL when the buffer is too small, so grow it; 64 KiB is beyond any endpoint or id.
            raw = .bytes(try Self.readBytes(handle, option.code, capacities: [256, 4096, 65536], operation))
        }
        guard let value = option.decode(raw) else {
            throw ZMQError(
                code: .invalidArgument,
                operation: operation,
                message: "libzmq reported \(raw) for \(option.name), which this module cannot represent"
            )
        }
        return value
    }

    private static func readBytes(
        _ handle: UnsafeMutableRawPointer,
        _ code: Int32,
        capacities: [Int],
        _ operation: String
    ) throws(ZMQError) -> [UInt8] {
        var lastError = ZMQError(code: .invalidArgument, operation: operation)
        for capacity in capacities {
            var buffer = [UInt8](repeating: 0, count: capacity)
            var size = capacity
            let result = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, code, $0.baseAddress, &size) }
            if result == 0 { return Array(buffer.prefix(size)) }
            lastError = ZMQError.last(operation)
            guard lastError.code == .invalidArgument else { break }
        }
        throw lastError
    }

    /// Applies the settings every long-lived link should have: heartbeats, reconnect back-off, size and queue
    /// limits. ``ZMQLinkSettings/routerMandatory`` is applied to ROUTER sockets only.
    package func configureLink(_ settings: ZMQLinkSettings) throws(ZMQError) {
        try setOption(.linger, settings.linger)
        try setOption(.reconnectInterval, settings.reconnectInterval)
        try setOption(.reconnectIntervalMax, settings.reconnectIntervalMax)
        try setOption(.maxMessageSize, settings.maxMessageSize)
        try setOption(.heartbeatInterval, settings.heartbeatInterval)
        try setOption(.heartbeatTimeout, settings.heartbeatTimeout)
        try setOption(.heartbeatTTL, settings.heartbeatTTL)
        try setOption(.sendHighWaterMark, settings.sendHighWaterMark)
        try setOption(.receiveHighWaterMark, settings.receiveHighWaterMark)
        if type == .router {
            try setOption(.routerMandatory, settings.routerMandatory)
        }
    }
}
