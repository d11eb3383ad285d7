/// How long the realtime client waits before reconnecting, Phoenix's own schedule:
///
///     delay(n) = [10, 50, 100, 150, 200, 250, 500, 1000, 2000][n - 1] ms, and 5 s from n = 10 on
///
/// where `n` counts the failed connections since the socket was last open (the first
/// reconnect after a drop waits 10 ms). A quick first retry covers a blip; the climb
/// keeps thousands of clients of a restarted server from arriving at once; the 5 s
/// ceiling keeps an offline client coming back soon after the network does.
struct ReconnectSchedule: Sendable, Equatable {
    /// The first delays, in order.
    var steps: [Duration]
    /// Every delay after `steps`.
    var ceiling: Duration

    /// The Phoenix schedule above.
    static let phoenix = ReconnectSchedule(
        steps: [10, 50, 100, 150, 200, 250, 500, 1000, 2000].map { Duration.milliseconds($0) },
        ceiling: .seconds(5))

    /// The wait before reconnect number `attempt` (1 for the first).
    func delay(forAttempt attempt: Int) -> Duration {
        let index = attempt - 1
        return steps.indices.contains(index) ? steps[index] : ceiling
    }
}
