/// Lets the layer that started a request write rows of its own in the transaction of the
/// request's change, given the change's result. The idempotency layer uses it to store the
/// response in the same transaction as the write (PROTOCOL.md §4.2): a crash can then leave
/// neither a write without its stored response nor a response without its write.
///
/// Bound as a task-local by whoever wants it; `ChangeCommitter` calls it in every commit it
/// runs for the task, before `COMMIT`. The hook decides which result is its own.
struct CommitHook: Sendable {
    @TaskLocal static var current: CommitHook?

    /// Runs inside the transaction, after the change's own writes; throwing rolls all back.
    let write: @Sendable (_ result: any Sendable, _ q: Queries) async throws -> Void
}
