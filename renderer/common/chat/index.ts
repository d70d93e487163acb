export { ChatPanel, type ChatPanelProps } from './ChatPanel';
export type { AttachableDocument, ChatEntry, ChatSide, ChatSnapshot, ChatSource } from './chat-source';
export { newDraftKey } from './chat-source';
