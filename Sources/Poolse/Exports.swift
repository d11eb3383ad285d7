// The wire types (Conversation, Message, Membership, …) are the SDK's public payload
// types; re-exporting them means an app writes `import Poolse` and nothing else.
@_exported import PoolseWire
