/**
 * Strings of the shared chat (renderer/common/chat), used by the desktop and the portal alike;
 * keys prefixed `chat.`. Merged into the desktop dictionary; the portal imports only this file.
 */
export const ruChat = {
  'chat.heading': 'Переписка',
  'chat.list': 'Сообщения',
  'chat.loading': 'Загрузка переписки…',
  'chat.empty.patient': 'Сообщений пока нет. Напишите врачу, если хотите что-то уточнить до консультации.',
  'chat.empty.doctor': 'Сообщений пока нет. Напишите пациенту, если нужно что-то уточнить.',
  'chat.you': 'Вы',
  'chat.patient': 'Пациент',
  'chat.message': 'Сообщение',
  'chat.message.hint': 'Enter — отправить, Shift+Enter — новая строка.',
  'chat.send': 'Отправить',
  'chat.required': 'Напишите сообщение.',
  'chat.failed': 'Сообщение не отправлено. Попробуйте ещё раз.',
  'chat.loadFailed': 'Не удалось загрузить переписку.',
  'chat.pending': 'Не отправлено — уйдёт при подключении',
  'chat.read': 'Прочитано',
  'chat.new': 'Новое',
  'chat.unread': 'Новых: {count}',
  'chat.attachment': 'Прикреплён документ',
  'chat.attachmentNamed': 'Документ: {name}',
  'chat.attachment.open': 'Открыть документ «{name}»',
  'chat.attach': 'Прикрепить документ (необязательно)',
  'chat.attach.hint.patient': 'Один из документов, которые вы загрузили.',
  'chat.attach.hint.doctor': 'Один из документов пациента.',
  'chat.attach.none': 'Без документа',
  'chat.tab': 'Переписка',
  'chat.tab.request': 'Переписка: {profile}',
  'chat.tab.unread': 'Непрочитанных сообщений: {count}',
} as const;
