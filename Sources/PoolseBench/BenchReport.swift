import Foundation

/// Prints what a scenario measured, with the server's CPU time and memory over the run.
struct BenchReport {
    var title: String
    var lines: [(String, String)] = []

    mutating func add(_ name: String, _ value: String) { lines.append((name, value)) }

    func print(serverBefore: ProcessStats?, serverAfter: ProcessStats?, wallSeconds: Double) {
        var out = "\n== \(title)\n"
        for (name, value) in lines { out += "  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(value)\n" }
        out += "  \("wall time".padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(format: "%.2f s", wallSeconds))\n"
        if let before = serverBefore, let after = serverAfter {
            let cpu = after.cpuSeconds - before.cpuSeconds
            out += "  \("server CPU time".padding(toLength: 28, withPad: " ", startingAt: 0)) "
                + String(format: "%.2f s (%.0f%% of one core)\n", cpu, wallSeconds > 0 ? cpu / wallSeconds * 100 : 0)
            out += "  \("server resident memory".padding(toLength: 28, withPad: " ", startingAt: 0)) "
                + "\(after.residentBytes / 1_048_576) MiB now, \(after.peakResidentBytes / 1_048_576) MiB peak\n"
        }
        Swift.print(out, terminator: "")
    }
}

/// Prints `label: n/total` about once a second on one line.
actor Progress {
    private let label: String
    private let total: Int
    private var done = 0
    private var lastPrint = ContinuousClock.now

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func add(_ count: Int = 1) {
        done += count
        let now = ContinuousClock.now
        if now - lastPrint >= .seconds(1) || done == total {
            lastPrint = now
            FileHandle.standardError.write(Data("\r  \(label): \(done)/\(total)   ".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
