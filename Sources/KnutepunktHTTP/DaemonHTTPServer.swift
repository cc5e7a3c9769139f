import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KnutepunktConfig
import KnutepunktService
import Logging
import ServiceLifecycle

/// A daemon's HTTP server (Hummingbird) as a `Service` in the daemon's service group.
///
/// The server knows nothing of the daemon: it serves whatever routes it is given. Today those are the operations
/// routes (``OperationsRoutes``: `/metrics`, `/healthz`, `/readyz`); the hub's dashboard adds its own to the same
/// router. Bind to port 0 to get a free port, and read it back with ``port()``. Given certificate and key files, it
/// serves HTTPS only (HummingbirdTLS over swift-nio-ssl); the files are read when it starts, and a file that does not
/// read stops the daemon with the file named.
package final class DaemonHTTPServer: Service {
    /// The request context every route of a daemon uses.
    package typealias Context = BasicRequestContext

    private let host: String
    private let requestedPort: Int
    private let tls: HTTPTLSFiles?
    /// The routes, built once: the router itself is not `Sendable`, what it builds is.
    private let responder: RouterResponder<Context>
    private let logger: Logger
    private let bound = ReadySignal<Int>()

    /// - Parameters:
    ///   - host: the address to listen on (`127.0.0.1`, `0.0.0.0`, `::`…).
    ///   - port: the port; 0 picks a free one.
    ///   - router: the routes to serve, built before the server starts.
    package init(host: String, port: Int, tls: HTTPTLSFiles? = nil, router: Router<Context>, logger: Logger) {
        self.host = host
        self.requestedPort = port
        self.tls = tls
        self.responder = router.buildResponder()
        self.logger = logger
    }

    /// The port the server listens on, once it does (throws if it could not bind).
    package func port() async throws -> Int {
        try await bound.value()
    }

    package func run() async throws {
        let bound = self.bound
        let logger = self.logger
        let host = self.host
        let tls = self.tls
        let server: HTTPServerBuilder
        do {
            server = try tls.map { try .tls(.http1(), tlsConfiguration: Self.serverConfiguration($0)) } ?? .http1()
        } catch {
            logger.error(
                "HTTP server failed",
                metadata: ["http.address": "\(host):\(requestedPort)", "error": "\(error)"]
            )
            bound.fail(error)
            throw error
        }
        let application = Application(
            responder: responder,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(
                    "HTTP server listening",
                    metadata: ["http.address": "\(host):\(port)", "http.tls": "\(tls != nil)"]
                )
                bound.fulfil(port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            logger.error(
                "HTTP server failed",
                metadata: ["http.address": "\(host):\(requestedPort)", "error": "\(error)"]
            )
            bound.fail(error)
            throw error
        }
        bound.fail(CancellationError())
    }

    /// The server side of TLS from PEM files: the certificate chain and its key.
    static func serverConfiguration(_ files: HTTPTLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw DaemonStartError(
                code: .tlsFiles,
                message:
                    "the TLS certificate \(files.certificate) does not read as PEM (\(error)); check node.tls.certificate"
            )
        }
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw DaemonStartError(
                code: .tlsFiles,
                message: "the TLS key \(files.key) does not read as a PEM private key (\(error)); check node.tls.key"
            )
        }
        guard !chain.isEmpty else {
            throw DaemonStartError(code: .tlsFiles, message: "\(files.certificate) holds no certificate")
        }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
    }
}
