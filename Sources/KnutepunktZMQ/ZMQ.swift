import CLibZMQ

/// Facts about the libzmq library this process is linked against.
package enum ZMQ {
    /// The linked libzmq's version, e.g. `(4, 3, 4)`.
    package static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with a capability: `"curve"`, `"ipc"`, `"gssapi"`, `"draft"` and so on.
    package static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }
}
