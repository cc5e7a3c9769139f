import Foundation
import Prometheus
import Synchronization

/// The process's own figures, read from `/proc/self` at each scrape of `/metrics` (the names Prometheus' client
/// libraries use): CPU time, resident and peak memory, open files and their limit, threads, start time.
package final class ProcessMetrics: Sendable {
    private let cpu: Counter
    /// The CPU seconds already added to ``cpu`` (a counter only grows by increments).
    private let countedCPU = Mutex(0.0)
    private let resident: Gauge
    private let peak: Gauge
    private let openFiles: Gauge
    private let maxFiles: Gauge
    private let threads: Gauge
    private let start: Gauge

    package static let help: [String: String] = [
        "process_cpu_seconds_total": "User and system CPU time the process has used, in seconds",
        "process_resident_memory_bytes": "Resident memory of the process, in bytes",
        "process_peak_resident_memory_bytes": "The most resident memory the process has used (VmHWM), in bytes",
        "process_open_fds": "Open file descriptors (sockets and database files among them)",
        "process_max_fds": "The limit on open file descriptors",
        "process_threads": "Threads of the process",
        "process_start_time_seconds": "When the process started, in seconds since the Unix epoch",
    ]

    package init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String) -> Gauge { registry.makeGauge(name: name, help: Self.help[name] ?? "") }
        cpu = registry.makeCounter(
            name: "process_cpu_seconds_total",
            help: Self.help["process_cpu_seconds_total"] ?? ""
        )
        resident = gauge("process_resident_memory_bytes")
        peak = gauge("process_peak_resident_memory_bytes")
        openFiles = gauge("process_open_fds")
        maxFiles = gauge("process_max_fds")
        threads = gauge("process_threads")
        start = gauge("process_start_time_seconds")
    }

    /// Reads `/proc/self` and sets every gauge; a figure that cannot be read keeps its last value.
    package func update() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after the command name, from field 3 (state): utime 14, stime 15, threads 20, starttime 22.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let utime = Double(fields[11]), let stime = Double(fields[12]), ticks > 0 {
                let total = (utime + stime) / ticks
                let increment = countedCPU.withLock { counted in
                    defer { counted = max(counted, total) }
                    return total - counted
                }
                if increment > 0 { cpu.increment(by: increment) }
                if let count = Double(fields[17]) { threads.set(count) }
                if let started = Double(fields[19]), let boot = Self.bootTime() { start.set(boot + started / ticks) }
            }
        }
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") {
                if line.hasPrefix("VmRSS:"), let kib = Self.kibibytes(line) { resident.set(kib * 1024) }
                if line.hasPrefix("VmHWM:"), let kib = Self.kibibytes(line) { peak.set(kib * 1024) }
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFiles.set(Double(descriptors.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFiles.set(Double(limit.rlim_cur)) }
    }

    private static func kibibytes(_ line: Substring) -> Double? {
        line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count))
        }
        return nil
    }
}
