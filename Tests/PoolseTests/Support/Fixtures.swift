/// Wire JSON as the server sends it, with an unknown field in each object to prove
/// decoders ignore what they do not know.
enum Fixture {
    static let time = "2026-11-29T08:00:00.123456Z"

    static func conversation(id: String = "c-1", name: String = "Team") -> String {
        #"{"id":"\#(id)","tenant_id":"t-1","type":"group","name":"\#(name)","avatar_url":null,"created_by_user_id":"u-1","member_limit":null,"custom_data":{},"settings":{},"last_message_at":null,"last_message_preview":null,"last_sequence":0,"unread_count":2,"member_external_ids":["alice","bob"],"inserted_at":"\#(time)","updated_at":"\#(time)","future_field":{"x":1}}"#
    }

    static func message(id: String = "m-1", sequence: Int = 1, body: String = "Hello") -> String {
        #"{"id":"\#(id)","tenant_id":"t-1","conversation_id":"c-1","sender_id":"u-1","sender_external_id":"alice","type":"text","body":"\#(body)","reply_to_id":null,"thread_root_id":null,"mentions":[],"reactions":{"👍":["u-2"]},"attachments":[],"edited_at":null,"deleted_at":null,"sequence":\#(sequence),"inserted_at":"\#(time)","updated_at":"\#(time)","future_field":true}"#
    }

    static func membership(externalID: String = "bob", userID: String = "u-2") -> String {
        #"{"id":"mb-\#(externalID)","tenant_id":"t-1","conversation_id":"c-1","user_id":"\#(userID)","external_id":"\#(externalID)","role":"member","last_read_message_id":null,"last_read_sequence":0,"last_read_at":null,"inserted_at":"\#(time)","updated_at":"\#(time)","future_field":null}"#
    }

    static let me = #"{"id":"u-1","tenant_id":"t-1","external_id":"alice","display_name":"Alice","custom_data":{},"is_blocked":false,"inserted_at":"\#(time)","updated_at":"\#(time)","future_field":1}"#

    static func list(_ items: [String]) -> String { #"{"data":[\#(items.joined(separator: ","))]}"# }
}
