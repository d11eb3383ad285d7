/// The `{data: [...]}` wrapper of list responses.
public struct DataList<Element: Codable & Sendable>: Codable, Sendable {
    /// The items.
    public var data: [Element]

    /// Creates a list.
    public init(data: [Element]) { self.data = data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decodeIfPresent([Element].self, forKey: .data) ?? []
    }

    enum CodingKeys: String, CodingKey { case data }
}

extension DataList: Equatable where Element: Equatable {}
extension DataList: Hashable where Element: Hashable {}
