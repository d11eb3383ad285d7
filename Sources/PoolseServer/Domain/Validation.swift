import Foundation
import PoolseWire

/// Field checks shared by the services. Each throws `validation_failed` naming the field.
struct Validation {
    let limits: Limits

    func requiredText(_ value: String?, field: String, maxLength: Int) throws -> String {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.validation(field, "can't be blank")
        }
        try optionalText(value, field: field, maxLength: maxLength)
        return value
    }

    func optionalText(_ value: String?, field: String, maxLength: Int) throws {
        guard let value else { return }
        if value.count > maxLength { throw DomainError.validation(field, "is longer than \(maxLength) characters") }
    }

    func externalId(_ value: String, field: String = "external_id") throws -> String {
        try requiredText(value, field: field, maxLength: limits.maxExternalIdLength)
    }

    /// Checks and de-duplicates a list of external ids, keeping their order.
    func externalIds(_ values: [String], field: String) throws -> [String] {
        if values.count > limits.maxExternalIdsPerRequest {
            throw DomainError.validation(field, "has more than \(limits.maxExternalIdsPerRequest) entries")
        }
        var seen = Set<String>()
        var result: [String] = []
        for value in values {
            _ = try externalId(value, field: field)
            if seen.insert(value).inserted { result.append(value) }
        }
        return result
    }

    func jsonObject(_ value: JSONObject?, field: String) throws {
        guard let value else { return }
        let size = (try? WireCoding.encoder.encode(value).count) ?? Int.max
        if size > limits.maxCustomDataBytes {
            throw DomainError.validation(field, "is larger than \(limits.maxCustomDataBytes) bytes")
        }
    }

    func uuid(_ value: String, field: String) throws -> String {
        guard let id = IDs.canonical(value) else { throw DomainError.validation(field, "is not a valid UUID") }
        return id
    }

    func memberLimit(_ value: Int?) throws {
        guard let value else { return }
        if value < 2 || value > limits.maxMembersPerConversation {
            throw DomainError.validation("member_limit", "must be between 2 and \(limits.maxMembersPerConversation)")
        }
    }
}
