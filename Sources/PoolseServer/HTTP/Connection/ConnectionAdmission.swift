import Logging
import NIOConcurrencyHelpers

/// Counts one server's open connections (WebSockets included) and decides, as each is accepted,
/// how it is treated. Below `maxConnections` it is served. Past it, `overflowReserve` more are
/// accepted to answer a single request each (`GET /healthz`, or 503), so a health check still gets
/// through while the server is full; past the reserve a connection is closed at once. Either way
/// the server never holds more than `maxConnections + overflowReserve` client descriptors.
///
/// Reaching the cap is logged once, at warning level, and the return below it once, at notice
/// level; the return is only counted when a tenth of the cap is free again, so a server that
/// hovers at its cap does not write a line per connection.
final class ConnectionAdmission: Sendable {
    /// How one accepted connection is treated.
    enum Decision: Equatable {
        case serve
        /// Health check only, one request.
        case overflow
        /// Closed unanswered.
        case refuse
    }

    private struct State {
        var open = 0
        var atCap = false
    }

    let maxConnections: Int
    let overflowReserve: Int
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(maxConnections: Int, overflowReserve: Int, logger: Logger) {
        self.maxConnections = max(1, maxConnections)
        self.overflowReserve = max(0, overflowReserve)
        self.logger = logger
    }

    /// Connections admitted and not yet released.
    var openConnections: Int { state.withLockedValue { $0.open } }

    /// Decides for a new connection; unless refused it counts until `release()`.
    func admit() -> Decision {
        let (decision, reachedCap) = state.withLockedValue { state -> (Decision, Bool) in
            if state.open < maxConnections {
                state.open += 1
                return (.serve, false)
            }
            let reachedCap = !state.atCap
            state.atCap = true
            guard state.open < maxConnections + overflowReserve else { return (.refuse, reachedCap) }
            state.open += 1
            return (.overflow, reachedCap)
        }
        if reachedCap {
            logger.warning("connection limit reached: new connections get only GET /healthz, anything else 503, until connections close",
                           metadata: ["max_connections": "\(maxConnections)", "overflow_reserve": "\(overflowReserve)"])
        }
        return decision
    }

    /// A connection admitted by `admit()` closed.
    func release() {
        let recovered = state.withLockedValue { state -> Bool in
            state.open -= 1
            guard state.atCap, state.open <= maxConnections - max(1, maxConnections / 10) else { return false }
            state.atCap = false
            return true
        }
        if recovered {
            logger.notice("below the connection limit again", metadata: ["max_connections": "\(maxConnections)"])
        }
    }
}
