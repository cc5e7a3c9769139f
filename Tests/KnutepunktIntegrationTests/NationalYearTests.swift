import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktTesting
import Testing

/// A national year, compressed into minutes: the four regional node daemons, each in a network namespace of its own,
/// submit a year of activities for the nineteen local nodes of Norway, in proportion to each region's births, month
/// by month with a rush at each month's end, while a random fault (loss, partitions, a black hole, a thin link, a
/// killed node or hub, a frozen hub) is put on for each month and lifted after it. Coordinators correct one event in
/// forty and withdraw one in ninety-seven once the month is in. An independent checker then reads every node's outbox
/// and the hub's store as files, and counts the versions that were lost, duplicated or stored out of order, and the
/// events whose latest version or withdrawal the hub holds otherwise than the node.
///
/// `KNUTEPUNKT_YEAR_EVENTS` (24,000 by default) sets the year's volume and `KNUTEPUNKT_YEAR_SEED` repeats a run's
/// faults; `make soak-year` runs a large one.
@Suite(.serialized, .enabled(if: getuid() == 0, "network namespaces need root (CI runs the tests as root)"))
struct NationalYearTests {
    static var total: Int { Int(ProcessInfo.processInfo.environment["KNUTEPUNKT_YEAR_EVENTS"] ?? "") ?? 24_000 }
    static var seed: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["KNUTEPUNKT_YEAR_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
    }

    /// One event of the year: which daemon takes it, for which local node, on which day.
    struct Planned: Sendable {
        var daemon: String
        var region: String
        var localNode: String
        var date: LocalDate
    }

    /// The year, per daemon in submission order, and each month's share: volumes in proportion to births, the local
    /// nodes of a region alike, 40 % of each month in its last three days.
    static func plan(year: Int, total: Int, taxonomy: Taxonomy, random: inout SplitMix64) -> [[String: [Planned]]] {
        let regions = taxonomy.regions.filter { $0.country == "NO" }
        let births = regions.reduce(0) { $0 + $1.births.value }
        var months: [[String: [Planned]]] = []
        for month in 1...12 {
            var byDaemon: [String: [Planned]] = [:]
            let days = LocalDate.daysInMonth(month, year: year)
            for region in regions {
                let count = total * region.births.value / births / 12
                let locals = taxonomy.nodes.filter { $0.region == region.code }
                for index in 0..<count {
                    let rush = Double(index) >= Double(count) * 0.6
                    let day = rush ? days - Int(random.next() % 3) : 1 + Int(random.next() % UInt64(days - 3))
                    byDaemon[region.code, default: []].append(
                        Planned(
                            daemon: region.code,
                            region: region.code,
                            localNode: locals[index % locals.count].code,
                            date: LocalDate(year: year, month: month, day: day)!
                        )
                    )
                }
            }
            for key in byDaemon.keys { byDaemon[key]!.sort { $0.date < $1.date } }
            months.append(byDaemon)
        }
        return months
    }

    enum Fault: CaseIterable {
        case loss, partition, oneWay, blackHole, thinLink, killNode, killHub, freezeHub, none
    }

    @Test(.timeLimit(.minutes(15)))
    func aCompressedNationalYearThroughFaults() async throws {
        let daemons = FaultNetwork.fourRegions
        guard let network = try await NamespaceNetwork.start(nodes: daemons) else { return }
        let lab = try #require(network.lab)
        let seed = Self.seed
        var random = SplitMix64(seed: seed)
        let year = LocalDate.today().year - 1
        let months = Self.plan(year: year, total: Self.total, taxonomy: InProcessDaemons.taxonomy, random: &random)
        var figures = FaultFigures(
            "national year \(year): \(Self.total) events, 4 regions, 19 local nodes, seed \(seed)"
        )
        var submitted: [String: Int] = [:]
        var secondVersions = 0
        var faultLog: [String] = []
        let started = ContinuousClock.now
        for (monthIndex, month) in months.enumerated() {
            // A fault for this month, lifted once its events are accepted.
            let fault = Fault.allCases.randomElement(using: &random)!
            let victim = daemons.randomElement(using: &random)!.id
            let logged = LogWatch.size(of: network.nodeLog(victim))
            switch fault {
            case .loss: try await lab.drop(victim, .both, percent: 5 + Int(random.next() % 16))
            case .partition: try await lab.drop(victim, .both)
            case .oneWay: try await lab.drop(victim, random.chance(0.5) ? .towardsHub : .towardsNode)
            case .blackHole: try await lab.blackHole(victim, largerThan: 576)
            case .thinLink: try await lab.limitBandwidth(victim, rate: "2mbit")
            case .killNode: await network.killNode(victim)
            case .killHub: await network.killHub()
            case .freezeHub: await network.signalHub(SIGSTOP)
            case .none: break
            }
            if fault != .none { figures.faults += 1 }
            faultLog.append("\(monthIndex + 1):\(fault)\(fault == .killHub || fault == .freezeHub ? "" : "@\(victim)")")
            // A killed daemon comes back while its coordinator is at work, as an operator's systemd would restart it.
            async let restarted: Void = {
                if fault == .killNode { try await network.startNode(victim) }
                if fault == .killHub { try await network.startHub() }
            }()
            let offsets = submitted
            try await withThrowingTaskGroup(of: (String, Int, Int).self) { group in
                for (daemon, events) in month {
                    let from = offsets[daemon] ?? 0
                    group.addTask {
                        let texts = events.enumerated().map { index, planned in
                            EventFixtures.event(
                                source: daemon,
                                index: from + index,
                                region: planned.region,
                                node: planned.localNode,
                                kind: ["TRAINING", "CONSULT_COLLAB", "DELIVERY"][(from + index) % 3]
                            )
                            .replacing(/"date":"[0-9-]+"/, with: "\"date\":\"\(planned.date.iso)\"")
                        }
                        try await Self.submit(
                            texts.map { Array($0.utf8) },
                            daemon: daemon,
                            directory: network.directory
                        )
                        // The month is in; its coordinator fixes what she got wrong (version 2 of those events).
                        let versions = texts.enumerated().compactMap { index, text in
                            Self.secondVersion(of: text, index: from + index).map { Array($0.utf8) }
                        }
                        try await Self.submit(versions, daemon: daemon, directory: network.directory)
                        return (daemon, from + events.count, versions.count)
                    }
                }
                for try await (daemon, count, versions) in group {
                    submitted[daemon] = count
                    secondVersions += versions
                }
            }
            try await restarted
            // A fault that silences a link lasts until the node has noticed it (not for a time).
            if [.partition, .oneWay, .blackHole, .freezeHub].contains(fault) {
                let noticed = await LogWatch.wait(
                    for: "reconnecting to the hub",
                    in: network.nodeLog(victim),
                    after: logged,
                    limit: .seconds(60)
                )
                #expect(noticed, "\(victim) noticed \(fault)")
            }
            switch fault {
            case .loss, .partition, .oneWay, .blackHole: try await lab.heal(victim)
            case .thinLink: try await lab.unlimitBandwidth(victim)
            case .freezeHub: await network.signalHub(SIGCONT)
            default: break
            }
        }
        let accepted = submitted.values.reduce(0, +) + secondVersions
        let lastSubmission = ContinuousClock.now
        // Every node has had every version acknowledged: the hub committed them all.
        for daemon in daemons {
            let status = try await network.nodeStatus(daemon.id, waitForDrained: true, seconds: 600)
            #expect(status.outbox.backlog == 0, "\(daemon.id) drained")
        }
        figures.recovered(ContinuousClock.now - lastSubmission)
        figures.recoveryNote = "last submission until the hub held the year"
        figures.notes.append("faults by month \(faultLog.joined(separator: " "))")
        figures.notes.append("year submitted in \(lastSubmission - started)")

        // The independent checker: the files, not the daemons' answers. Stop everything first.
        await network.tearDown()
        let check = try Self.independentCheck(network.net, daemons: daemons.map(\.id))
        print(
            "NATIONAL YEAR accepted=\(check.accepted) stored=\(check.stored) lost=\(check.lost) "
                + "duplicated=\(check.duplicated) outOfOrder=\(check.outOfOrder) "
                + "corrected=\(check.corrected) withdrawn=\(check.withdrawn) "
                + "latestDiffers=\(check.latestDiffers) byRegion=\(check.byRegion)"
        )
        #expect(check.accepted == accepted)
        #expect(check.corrected + check.withdrawn == secondVersions)
        #expect(check.corrected > 0 && check.withdrawn > 0, "the year has corrections and withdrawals")
        #expect(check.lost == 0 && check.duplicated == 0 && check.outOfOrder == 0, "\(check)")
        #expect(check.latestDiffers == 0, "\(check)")
        figures.events = check.accepted
        figures.stored = check.stored
        figures.lost = check.lost
        figures.duplicated = check.duplicated
        figures.orderBroken = check.outOfOrder
        figures.notes.append("\(check.corrected) corrected, \(check.withdrawn) withdrawn")
        await network.report(figures)
    }

    /// Version 2 of one event in forty (a correction: one more participant) and of one in ninety-seven (a
    /// withdrawal), from the text of version 1; nil for the rest.
    static func secondVersion(of text: String, index: Int) -> String? {
        let body = text.dropLast()
        if index % 40 == 7 {
            return body.replacing("\"participants\":12", with: "\"participants\":13") + ",\"based_on\":1}"
        }
        if index % 97 == 3 {
            return body + ",\"based_on\":1,\"withdrawn\":true,\"withdrawal_reason\":\"registrert to ganger\"}"
        }
        return nil
    }

    /// Submits `events` (a month of one daemon) in batches, through restarts of the daemon.
    static func submit(_ events: [[UInt8]], daemon: String, directory: NodeDirectory) async throws {
        var next = 0
        var attempts = 0
        while next < events.count {
            attempts += 1
            try #require(attempts < 2_000, "publishing to \(daemon) made no progress")
            let range = next..<min(next + 250, events.count)
            let (endpoint, generation) = await directory.current(daemon)
            do {
                let results = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(5)) {
                    try $0.submit(Array(events[range]))
                }
                for result in results {
                    #expect(result.status == .queued || result.status == .delivered, "\(result)")
                }
                next = range.upperBound
            } catch {
                await directory.waitForRestart(daemon, after: generation, limit: .seconds(2))
            }
        }
    }

    struct Check: CustomStringConvertible {
        var accepted = 0
        var stored = 0
        var lost = 0
        var duplicated = 0
        var outOfOrder = 0
        var corrected = 0
        var withdrawn = 0
        /// Events whose latest version (its number, or whether it is withdrawn) at the hub is not the node's.
        var latestDiffers = 0
        var byRegion: [String: Int] = [:]
        var description: String {
            "accepted \(accepted), stored \(stored), lost \(lost), duplicated \(duplicated), out of order \(outOfOrder), "
                + "corrected \(corrected), withdrawn \(withdrawn), latest differs \(latestDiffers)"
        }
    }

    /// Compares each node's outbox (every version it accepted, by sequence) with the hub's store (every version it
    /// holds, which one is the latest, which are withdrawals), reading both files.
    static func independentCheck(_ net: LoopbackNetwork, daemons: [String]) throws -> Check {
        var check = Check()
        let stored = try SQLiteTestAccess.rows(
            "SELECT source, seq, event_id || '/' || version, region, latest, withdrawn, event_id FROM events "
                + "ORDER BY source, seq",
            in: net.hubStorePath
        )
        check.stored = stored.count
        var seen: [String: Int] = [:]
        var hubLatest: [String: String] = [:]
        for row in stored {
            seen[row[2].lowercased(), default: 0] += 1
            check.byRegion[row[3], default: 0] += 1
            if row[4] == "1" {
                hubLatest[row[6].lowercased()] = row[2].lowercased() + (row[5] == "1" ? " withdrawn" : "")
            }
        }
        check.duplicated = seen.values.reduce(0) { $0 + max(0, $1 - 1) }
        for daemon in daemons {
            let rows = try SQLiteTestAccess.rows(
                "SELECT event_id || '/' || version, event_id, version, instr(payload, '\"withdrawn\":true') > 0 "
                    + "FROM outbox ORDER BY seq",
                in: net.outboxPath(daemon)
            )
            let accepted = rows.map { $0[0].lowercased() }
            check.accepted += accepted.count
            check.lost += accepted.filter { seen[$0] == nil }.count
            var nodeLatest: [String: String] = [:]
            for row in rows {
                let id = row[1].lowercased()
                nodeLatest[id] = row[0].lowercased() + (row[3] == "1" ? " withdrawn" : "")
                if row[2] != "1" { if row[3] == "1" { check.withdrawn += 1 } else { check.corrected += 1 } }
            }
            check.latestDiffers += nodeLatest.filter { hubLatest[$0.key] != $0.value }.count
            let order = stored.filter { $0[0] == daemon }.map { $0[2].lowercased() }
            // Out of order: stored versions whose place among this node's differs from the outbox's.
            let held = Set(order)
            let acceptedOrder = accepted.filter { held.contains($0) }
            check.outOfOrder += zip(order, acceptedOrder).filter { $0 != $1 }.count
        }
        return check
    }
}
