import KnutepunktConfig
import KnutepunktProtocol
import KnutepunktService
import KnutepunktZMQ

/// The hub's network sockets, bound as its configuration says, owned by the reactor's thread: the ZAP handler (with
/// CURVE; bound before any other socket, since until a handler is bound libzmq lets every CURVE client in), the
/// ROUTER nodes connect to, the PUB events and gap changes go out on, and the control ROUTER.
struct HubSockets {
    let zap: ZAPHandler?
    let router: ZMQSocket
    let publisher: ZMQSocket
    let control: ZMQSocket

    /// Opens and binds every socket; on a failure, closes what it opened and throws.
    static func open(_ configuration: HubConfiguration, insecure: Bool, context: ZMQContext) throws -> HubSockets {
        let curve: HubConfiguration.Curve?
        var zap: ZAPHandler?
        var opened: [ZMQSocket] = []
        do {
            switch (configuration.curve, insecure) {
            case (_, true):
                curve = nil
            case (let keys?, false):
                curve = keys
                zap = try ZAPHandler(context: context)
            case (nil, false):
                throw DaemonStartError(
                    code: .noKeys,
                    message: """
                        the hub has no CURVE keys (hub.curve in its configuration): generate them with \
                        `knutepunkt keys generate --out DIR --name hub`, list each node's public key under \
                        hub.nodes[].publicKeys, or run with --insecure to run in plaintext without authentication
                        """
                )
            }
            func make(_ type: ZMQSocketType, domain: String) throws -> ZMQSocket {
                let socket = try context.makeSocket(type)
                opened.append(socket)
                if let curve {
                    try socket.setOption(.curveServer, true)
                    try socket.setOption(.curveSecretKey, curve.secretKey)
                    try socket.setOption(.zapDomain, domain)
                }
                return socket
            }
            var link = ZMQLinkSettings.default
            link.maxMessageSize = Int64(configuration.maxMessageBytes)
            let router = try make(.router, domain: CurveKeyring.nodeDomain)
            try router.configureLink(link)
            try router.bind(configuration.listenEndpoint)
            let publisher = try make(.pub, domain: CurveKeyring.viewerDomain)
            try publisher.setOption(.sendHighWaterMark, configuration.publishHighWaterMark)
            // A PUB reads only subscriptions: nothing larger than a topic is ever needed.
            try publisher.setOption(.maxMessageSize, Int64(4 << 10))
            try publisher.bind(configuration.publishEndpoint)
            let control = try make(.router, domain: CurveKeyring.viewerDomain)
            try control.setOption(.maxMessageSize, Int64(64 << 10))
            try control.bind(configuration.controlEndpoint)
            return HubSockets(zap: zap, router: router, publisher: publisher, control: control)
        } catch {
            for socket in opened { socket.close() }
            zap?.close()
            throw error
        }
    }

    /// The endpoints actually bound (a configured port `*` becomes the one the kernel gave).
    func endpoints() throws -> HubService.Endpoints {
        HubService.Endpoints(
            listen: try router.lastEndpoint,
            publish: try publisher.lastEndpoint,
            control: try control.lastEndpoint
        )
    }

    func close() {
        zap?.close()
        control.close()
        publisher.close()
        router.close()
    }
}
