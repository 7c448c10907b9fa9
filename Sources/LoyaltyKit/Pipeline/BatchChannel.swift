import Foundation

/// A bounded hand-off of batches from one producer thread to one consumer, so a bulk load can
/// parse on one core while SQLite inserts on the other. Memory stays bounded by `capacity` batches.
final class BatchChannel<Element> {
    private let condition = NSCondition()
    private var queue: [Element] = []
    private let capacity: Int
    private var finished = false
    private var producerError: Error?
    private var cancelled = false

    /// Thrown to a producer whose consumer has given up.
    struct Cancelled: Error {}

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Blocks while the channel is full. - Throws: `Cancelled` once the consumer has cancelled.
    func send(_ element: Element) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        queue.append(element)
        condition.broadcast()
    }

    /// The producer is done; `error` (if any) is rethrown to the consumer after the queued batches.
    func finish(throwing error: Error? = nil) {
        condition.lock()
        finished = true
        producerError = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil once the producer finished and the queue is empty.
    /// - Throws: the producer's error.
    func receive() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let element = queue.removeFirst()
            condition.broadcast()
            return element
        }
        if let producerError { throw producerError }
        return nil
    }

    /// The consumer failed: wake the producer so it stops.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs `body` on a new thread. `join()` waits for it to end (and may be called again);
/// `result()` waits and rethrows what the body threw.
final class WorkerThread {
    private let done = DispatchSemaphore(value: 0)
    private var joined = false
    private var failure: Error?

    init(name: String, _ body: @escaping () throws -> Void) {
        let thread = Thread { [done, weak self] in
            do {
                try body()
            } catch {
                self?.failure = error
            }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 23
        thread.start()
    }

    /// Called only by the thread that started the worker.
    func join() {
        guard !joined else { return }
        done.wait()
        joined = true
    }

    func result() throws {
        join()
        if let failure { throw failure }
    }
}
