import Foundation

/// Where each test daemon's control endpoint is now; publishers wait here for a killed node to come back.
actor NodeDirectory {
    private var endpoints: [String: (endpoint: String, generation: Int)] = [:]
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var progress: [String: Int] = [:]
    private var progressWaiters: [(id: String, atLeast: Int, continuation: CheckedContinuation<Int, Never>)] = []

    private var holds: [String: Int] = [:]
    private var held: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Makes `id`'s publisher stop once it has `count` events accepted, until ``release(_:)``.
    func hold(_ id: String, at count: Int) { holds[id] = count }

    /// Lets a held publisher go on, to stop again at `nextHold` if given.
    func release(_ id: String, holdingAgainAt nextHold: Int? = nil) {
        holds[id] = nextHold
        for waiter in held.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    /// A publisher calls this after each batch: returns at once, or when released if a hold applies.
    func passHold(_ id: String, accepted: Int) async {
        guard let hold = holds[id], accepted >= hold else { return }
        await withCheckedContinuation { held[id, default: []].append($0) }
    }

    /// A publisher reports how many of its events the node has accepted.
    func progressed(_ id: String, accepted: Int) {
        progress[id] = accepted
        var waiting: [(id: String, atLeast: Int, continuation: CheckedContinuation<Int, Never>)] = []
        for waiter in progressWaiters {
            if waiter.id == id, accepted >= waiter.atLeast {
                waiter.continuation.resume(returning: accepted)
            } else {
                waiting.append(waiter)
            }
        }
        progressWaiters = waiting
    }

    /// Returns (the accepted count) once `id` has accepted at least `count` events.
    func waitForProgress(_ id: String, atLeast count: Int) async -> Int {
        if let done = progress[id], done >= count { return done }
        return await withCheckedContinuation { progressWaiters.append((id, count, $0)) }
    }

    func set(_ id: String, _ endpoint: String) {
        let generation = (endpoints[id]?.generation ?? 0) + 1
        endpoints[id] = (endpoint, generation)
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    func current(_ id: String) -> (endpoint: String, generation: Int) {
        endpoints[id] ?? ("tcp://127.0.0.1:1", 0)
    }

    /// Returns when `id` gets a newer endpoint than `generation` (a restart), or after `limit`.
    func waitForRestart(_ id: String, after generation: Int, limit: Duration) async {
        if (endpoints[id]?.generation ?? 0) > generation { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspendUntilSet(id) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
            self.releaseWaiters(id)
        }
    }

    private func suspendUntilSet(_ id: String) async {
        await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    private func releaseWaiters(_ id: String) {
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }
}
