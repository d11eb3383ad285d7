import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SSRF guard of webhook URLs: only `http`/`https`, and no loopback, private, link-local,
/// shared (CGNAT), multicast or unspecified address, checked on the URL when an endpoint is
/// saved and on every address its host resolves to before each delivery (a name that resolved
/// to a public address when saved can point inward later). `allowPrivate` turns the address
/// check off for installs whose receivers live on the private network (and for tests).
struct WebhookAddressPolicy: Sendable {
    var allowPrivate: Bool

    /// Why a URL is refused when an endpoint is saved, or nil when it is acceptable.
    func problem(with urlText: String) -> String? {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return "must be an http or https URL" }
        guard let host = url.host, !host.isEmpty else { return "must name a host" }
        if url.user != nil || url.password != nil { return "must not carry credentials" }
        guard !allowPrivate else { return nil }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") { return "must not point at a private address" }
        if let address = IPAddress(name), !address.isPublic { return "must not point at a private address" }
        return nil
    }

    /// Resolves `host` and refuses it when any of its addresses is not public (nil: allowed).
    func problem(resolving host: String, port: Int) async -> String? {
        guard !allowPrivate else { return nil }
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let addresses: [IPAddress]
        if let literal = IPAddress(name) {
            addresses = [literal]
        } else {
            do {
                addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(name, port: port) }
            } catch {
                return "could not resolve \(host)"
            }
        }
        if addresses.isEmpty { return "could not resolve \(host)" }
        if addresses.contains(where: { !$0.isPublic }) { return "\(host) resolves to a private address" }
        return nil
    }

    private static func resolve(_ host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw ResolutionFailed()
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    let v4 = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(.v4(withUnsafeBytes(of: v4) { Array($0) }))
                } else if info.pointee.ai_family == AF_INET6 {
                    let v6 = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: v6) { Array($0) }))
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    private struct ResolutionFailed: Error {}
}

/// An IPv4 or IPv6 address as bytes, and whether it is reachable on the public internet.
enum IPAddress: Equatable {
    case v4([UInt8])
    case v6([UInt8])

    /// An address from its bytes (4 for IPv4, 16 for IPv6); nil for any other length.
    init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes)
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// Parses a literal address; nil for a host name.
    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: v4) { Array($0) })
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// False for loopback, private (RFC 1918, fc00::/7), link-local, shared (100.64/10),
    /// multicast, reserved and unspecified addresses; IPv4-mapped and NAT64 IPv6 are judged as IPv4.
    var isPublic: Bool {
        switch self {
        case .v4(let b):
            guard b.count == 4 else { return false }
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _): return false
            case (100, 64...127): return false
            case (169, 254): return false
            case (172, 16...31): return false
            case (192, 168): return false
            case (192, 0) where b[2] == 0: return false
            case (198, 18...19): return false
            default: return b[0] < 224
            }
        case .v6(let b):
            guard b.count == 16 else { return false }
            if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xff, b[11] == 0xff { return IPAddress.v4(Array(b[12...])).isPublic }
            if b[0..<15].allSatisfy({ $0 == 0 }) { return false }  // :: and ::1
            if b[0] & 0xfe == 0xfc { return false }  // fc00::/7 unique local
            if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return false }  // fe80::/10 link-local
            if b[0] == 0xff { return false }  // multicast
            if b[0..<12].elementsEqual([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]) {
                return IPAddress.v4(Array(b[12...])).isPublic  // 64:ff9b::/96, NAT64 to an IPv4 address
            }
            return true
        }
    }
}
