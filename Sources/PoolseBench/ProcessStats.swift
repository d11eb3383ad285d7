import Foundation

/// CPU time and memory of a process, read from /proc (Linux).
struct ProcessStats: Sendable {
    /// User + system CPU seconds so far.
    let cpuSeconds: Double
    /// Resident memory now, bytes.
    let residentBytes: Int
    /// Peak resident memory, bytes.
    let peakResidentBytes: Int

    static func read(pid: Int32) -> ProcessStats? {
        guard pid > 0,
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        func kilobytes(_ key: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(key) {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
            }
            return 0
        }
        return ProcessStats(cpuSeconds: (utime + stime) / ticks, residentBytes: kilobytes("VmRSS:") * 1024,
                            peakResidentBytes: kilobytes("VmHWM:") * 1024)
    }
}
