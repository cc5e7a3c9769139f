import Foundation
import KnutepunktLogging
import Logging
import Synchronization
import Testing

/// JSON log lines: one object per line with the metadata as fields, and a level that can change while running.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func eachRecordIsOneJSONObjectWithItsMetadataAndTheLevelCanChange() throws {
        let lines = Lines()
        let levels = LogLevelControl(.info)
        var logger = Logger(label: "knutepunkt.node") { label in
            JSONLogHandler(label: label, levels: levels) { lines.append($0) }
        }
        logger[metadataKey: "node.id"] = "NO-VEST"
        logger.debug("not written at info")
        logger.info(
            "hub rejected an event",
            metadata: ["region": "NO-VEST", "sequence": "42", "message": "clash", "tags": ["a", "b"]]
        )
        levels.level = .debug
        logger.debug("written after the change")
        let written = lines.all
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().contains("\n") == false })
        let first = try #require(
            try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any]
        )
        #expect(first["message"] as? String == "hub rejected an event")
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "knutepunkt.node")
        #expect(first["node.id"] as? String == "NO-VEST")
        #expect(first["region"] as? String == "NO-VEST")
        #expect(first["sequence"] as? String == "42")
        #expect(first["meta.message"] as? String == "clash")
        #expect(first["tags"] as? [String] == ["a", "b"])
        #expect((first["time"] as? String)?.hasSuffix("Z") == true)
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(written[1].utf8)) as? [String: Any]
        )
        #expect(second["level"] as? String == "debug")
    }
}
