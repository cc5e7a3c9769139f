import Foundation
import Synchronization

/// The figures of one run, written at the end to `Benchmarks/results/RUN.json` with what makes them comparable:
/// the machine, the commit, the durability settings.
final class FigureLog: Sendable {
    private let lines = Mutex<[Data]>([])
    /// Taken when the run starts, so commits made while a long run goes on do not relabel its figures.
    private let started = Date()
    private let commit =
        FigureLog.shell("git rev-parse --short HEAD")
        + (FigureLog.shell("git status --porcelain -- . ':!Benchmarks/results'").isEmpty ? "" : "+dirty")

    func append(_ line: Data) { lines.withLock { $0.append(line) } }

    func write(folder: String) throws {
        let results = lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: $0) }
        guard !results.isEmpty else { return }
        let started = ISO8601DateFormatter().string(from: started)
        let run: [String: Any] = [
            "date": started,
            "commit": commit,
            "machine": [
                "cpu": Self.cpuModel(), "cores": ProcessInfo.processInfo.activeProcessorCount,
                "memory_gib": Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30),
                "kernel": Self.shell("uname -r"), "os": Self.shell(". /etc/os-release && echo $PRETTY_NAME"),
            ],
            "build": "swift build -c release",
            "durability": "SQLite WAL with synchronous=FULL (fsync on every commit), ACK after the commit",
            "results": results,
        ]
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = started.replacingOccurrences(of: ":", with: "")
        let data = try JSONSerialization.data(withJSONObject: run, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: "\(folder)/\(name).json"))
        FileHandle.standardError.write(Data("results: \(folder)/\(name).json\n".utf8))
    }

    static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map {
            String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces)
        }
            ?? "unknown"
    }

    static func shell(_ command: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
