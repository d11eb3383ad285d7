import Foundation
import PoolseState

extension ChatController {
    /// Carries out a typed command. Failures end up in the status line, never as a crash.
    func run(_ command: ChatCommand) {
        switch command {
        case .message(let text): send(text)
        case .newGroup(let name, let members):
            create(.init(type: .group, name: name, memberExternalIds: members))
        case .direct(let person):
            create(.init(type: .direct, memberExternalIds: [person]))
        case .add(let people): add(people)
        case .react(let emoji): withTarget { feed, id in try await feed.react(id, emoji: emoji) }
        case .reply(let text): reply(text)
        case .thread: openThread()
        case .edit(let text): edit(text)
        case .delete: withTarget { feed, id in try await feed.delete(id) }
        case .upload(let path, let caption): upload(path, caption: caption)
        case .download(let directory): download(to: directory)
        case .search(let words): search(words)
        case .help, .quit: break  // the state handles these itself
        }
    }

    private func send(_ text: String) {
        do {
            if let threadModel, state.thread != nil {
                try threadModel.send(text)
            } else if let feed {
                try feed.send(text)
                // Sending follows the conversation to its newest message.
                state.selectedMessageID = nil
            }
        } catch {
            state.input = InputLine(text)
            notice(error)
        }
    }

    private func create(_ request: ConversationCreateRequest) {
        notice("creating…")
        Task {
            do {
                let conversation = try await inbox.create(request)
                state.notice = nil
                open(conversation.id)
            } catch {
                notice(error)
            }
        }
    }

    private func add(_ people: [String]) {
        guard let id = state.openConversationID else { return notice("open a conversation first") }
        Task {
            do {
                _ = try await session.client.conversations.one(id).addMembers(people)
                notice("added " + people.map { "@" + $0 }.joined(separator: ", "))
                await self.people?.refresh()
            } catch {
                notice(error)
            }
        }
    }

    /// The message a command acts on: the selected one, else the newest sent one.
    var targetMessageID: String? {
        state.selectedMessageID ?? state.messages.last { $0.delivery == .sent && !$0.isDeleted }?.id
    }

    private func withTarget(_ action: @escaping @MainActor (MessageListModel, String) async throws -> Void) {
        guard let feed, let id = targetMessageID else { return notice("no message to act on: select one with ↑ ↓") }
        Task {
            do { try await action(feed, id) } catch { notice(error) }
        }
    }

    private func openThread() {
        guard let conversationID = state.openConversationID, let id = targetMessageID else {
            return notice("no message to open a thread on: select one with ↑ ↓")
        }
        let model = ThreadModel(session: session, conversationID: conversationID, rootID: id)
        threadModel = model
        showThread(id)
        observe()
        Task {
            do { try await model.load() } catch { notice(error) }
        }
    }

    private func reply(_ text: String) {
        guard let conversationID = state.openConversationID, let id = targetMessageID else {
            return notice("no message to reply to: select one with ↑ ↓")
        }
        let model = threadModel?.rootID == id ? threadModel : ThreadModel(session: session, conversationID: conversationID, rootID: id)
        do {
            try model?.send(text)
            notice("replied in the thread (/thread shows it)")
        } catch {
            notice(error)
        }
    }

    private func edit(_ text: String?) {
        guard let id = targetMessageID, let row = state.messages.first(where: { $0.id == id }) else {
            return notice("no message to edit: select one with ↑ ↓")
        }
        guard let text else {
            // `/edit` alone: the text goes into the input line, ready to change.
            setInput("/edit " + (row.body ?? ""))
            state.selectedMessageID = id
            return
        }
        withTarget { feed, id in try await feed.edit(id, body: text) }
    }

    private func search(_ words: String) {
        showSearch(words, nil)
        Task {
            do {
                let page = try await session.client.search.messages(words, limit: 50)
                let names = Dictionary(inbox.conversations.map { ($0.id, RowMapping.name(of: $0, me: state.me)) },
                                       uniquingKeysWith: { first, _ in first })
                let rows = page.data.map { hit in
                    SearchRow(conversation: names[hit.message.conversationId] ?? "?", sender: hit.message.senderExternalId,
                              body: hit.message.body ?? "")
                }
                if case .search(let query, _) = state.overlay, query == words { showSearch(words, rows) }
            } catch {
                if case .search(let query, _) = state.overlay, query == words { state.overlay = nil }
                notice(error)
            }
        }
    }
}
