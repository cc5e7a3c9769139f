import Foundation
import KnutepunktZMQ
import Synchronization
import Testing

@Suite("Dedicated threads")
struct ZMQThreadTests {
    final class Counter: Sendable {
        let value = Mutex(0)
    }

    @Test("join returns after the body ran, for several waiters and after completion")
    func joinAfterBody() async {
        let counter = Counter()
        let thread = ZMQThread.start(name: "test-join") {
            counter.value.withLock { $0 += 1 }
        }
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await thread.join()
                    return counter.value.withLock { $0 }
                }
            }
            for await seen in group { #expect(seen == 1) }
        }
        #expect(thread.isFinished)
        await thread.join()
        #expect(counter.value.withLock { $0 } == 1)
    }

    @Test("the body runs on its own thread, not the caller's")
    func ownThread() async {
        let name = OneShot<String>()
        let thread = ZMQThread.start(name: "test-named") {
            name.fulfil(ZMQThreadTests.currentThreadName())
        }
        await thread.join()
        #expect(await name.value == "test-named")
    }

    /// The name the OS knows the current thread by (what `top -H` and debuggers show).
    static func currentThreadName() -> String {
        #if os(Linux)
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return name.trimmingCharacters(in: .newlines)
        #else
        return Thread.current.name ?? ""
        #endif
    }
}
