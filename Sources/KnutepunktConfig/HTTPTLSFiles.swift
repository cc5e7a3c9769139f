/// TLS for a daemon's HTTP server (the node's workspace, say): a PEM certificate chain (the server's certificate
/// first, then any intermediates) and its PEM private key. Read when the server starts; the key file should be
/// readable only by the daemon's user.
package struct HTTPTLSFiles: Sendable, Hashable {
    package var certificate: String
    package var key: String

    package init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
