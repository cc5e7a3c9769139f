import Foundation
import HTTPTypes
import HummingbirdTLS
import HummingbirdTesting
import KnutepunktConfig
import KnutepunktTesting
import NIOCore
import Testing

/// The node's HTTP listener over TLS when its configuration names a certificate and key (`node.tls`): the workspace
/// is served over HTTPS with a `Secure` session cookie, and a plain-HTTP client gets nothing.
@Suite(.serialized)
struct WorkspaceTLSTests {
    typealias F = WorkspaceFixtures

    /// A self-signed certificate for 127.0.0.1 and localhost, made with openssl for this test.
    static func makeCertificate(in folder: TemporaryDirectory) async throws -> HTTPTLSFiles {
        let files = HTTPTLSFiles(certificate: folder.file("cert.pem"), key: folder.file("key.pem"))
        let made = try await CommandRun.program(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", files.key,
                "-out", files.certificate,
            ]
        )
        try #require(made.status == 0, "\(made.errors)")
        return files
    }

    @Test(.timeLimit(.minutes(2)))
    func withACertificateAndKeyTheWorkspaceIsServedOverHTTPSOnly() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let files = try await Self.makeCertificate(in: folder)
        var node = F.nodeConfiguration(hub: "tcp://127.0.0.1:9", folder: folder)
        node.httpTLS = files
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificate))
        let trusting = client
        try await InProcessDaemons.withNodeDaemon(node, workspaceAccess: F.access) { endpoints in
            let port = try #require(endpoints["http"].flatMap { Int($0.split(separator: ":").last ?? "") })
            try await TestClient.withClient(
                host: "127.0.0.1",
                port: port,
                // The name the certificate is for (an IP address cannot be sent as the TLS server name).
                configuration: .init(tlsConfiguration: trusting, serverName: "localhost")
            ) { https in
                #expect(try await https.get("/workspace/login").status == .ok)
                let me = try await https.get("/workspace/api/me", headers: F.bearer(F.kari))
                #expect(me.status == .ok)
                let signIn = try await https.post(
                    "/workspace/login",
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "token=\(F.lise)")
                )
                #expect(signIn.status == .seeOther)
                let cookie = signIn.headers[.setCookie] ?? ""
                #expect(cookie.contains("Secure") && cookie.contains("HttpOnly"), "\(cookie)")
            }
            // Plain HTTP on the same port gets no answer: the server speaks only TLS.
            await #expect(throws: (any Error).self) {
                try await TestClient.withClient(
                    host: "127.0.0.1",
                    port: port,
                    configuration: .init(timeout: .seconds(5))
                ) { plain in
                    _ = try await plain.get("/workspace/login")
                }
            }
        }
    }

    @Test
    func theConfigurationNamesAMissingCertificateFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("node.yaml")
        let access = folder.file("workspace-access")
        try "".write(toFile: access, atomically: true, encoding: .utf8)
        let yaml = """
            node:
              id: NO-VEST
              region: NO-VEST
              hub: tcp://127.0.0.1:7300
              control: tcp://127.0.0.1:7400
              outbox: outbox.sqlite
              taxonomy: \(Repository.taxonomyPath)
              http: 127.0.0.1:9465
              workspaceAccess: \(access)
              tls:
                certificate: missing-cert.pem
                key: missing-key.pem
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try DaemonConfiguration.load(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("node.tls.certificate") && text.contains("node.tls.key")
        }
    }
}
