import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which addresses a tenant's URLs (the before-send hook; webhooks use the same rule) may point
/// at. Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and
/// unspecified addresses are refused unless the server runs with `--allow-private-webhooks`, so a
/// tenant can't make the server call into the network it runs in (SSRF).
///
/// The name is resolved when the URL is saved and again before each call; a name that changes
/// its answer between that check and the connection is not caught (redirects are not followed).
enum PrivateAddressPolicy {
    /// Checks an http(s) URL and every address its host resolves to; problems are
    /// `validation_failed` on `field`.
    static func check(_ text: String, field: String, allowPrivate: Bool) async throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else { throw DomainError.validation(field, "must be an http or https URL") }
        guard !allowPrivate else { return }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses: [[UInt8]]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { try resolve(bare) }
        } catch {
            throw DomainError.validation(field, "has a host that does not resolve")
        }
        guard !addresses.isEmpty else { throw DomainError.validation(field, "has a host that does not resolve") }
        if addresses.contains(where: isPrivate) {
            throw DomainError.validation(field, "points at a loopback or private address (start the server with --allow-private-webhooks to allow it)")
        }
    }

    /// Whether an address (4 or 16 bytes) is one a tenant's URL must not reach.
    static func isPrivate(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 { return isPrivateIPv4(bytes) }
        guard bytes.count == 16 else { return true }
        if bytes.allSatisfy({ $0 == 0 }) { return true }                                  // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }        // ::1
        if bytes[0] & 0xFE == 0xFC { return true }                                        // fc00::/7
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }                    // fe80::/10
        if bytes[0] == 0xFF { return true }                                               // multicast
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isPrivateIPv4(Array(bytes[12..<16]))                                   // ::ffff:a.b.c.d
        }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return isPrivateIPv4(Array(bytes[12..<16]))                                   // 64:ff9b::/96 (NAT64)
        }
        return false
    }

    private static func isPrivateIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
        case (100, 64...127), (172, 16...31), (198, 18...19): return true
        case (192, 0) where b[2] == 0: return true
        case (224...255, _): return true
        default: return false
        }
    }

    /// Every address `host` resolves to (a literal resolves to itself).
    private static func resolve(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0 else { throw OutboundHTTPError("\(host) does not resolve") }
        defer { freeaddrinfo(result) }
        var addresses: [[UInt8]] = []
        var next = result
        while let info = next {
            if let address = info.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        var raw = $0.pointee.sin_addr
                        addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        var raw = $0.pointee.sin6_addr
                        addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                default: break
                }
            }
            next = info.pointee.ai_next
        }
        return addresses
    }
}
