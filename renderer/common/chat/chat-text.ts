import { ruChat } from '../../i18n/ru-chat';

/**
 * The shared chat's translator: the chat's own dictionary only, so the portal bundle does not
 * carry the desktop's strings. `tc()` checks keys and parameters at compile time, like `t()`.
 */
export type ChatMessageId = keyof typeof ruChat;
type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
type Args<K extends ChatMessageId> = [ParamNames<(typeof ruChat)[K]>] extends [never] ? [] : [params: Record<ParamNames<(typeof ruChat)[K]>, string | number>];

export function tc<K extends ChatMessageId>(key: K, ...args: Args<K>): string {
  const message: string = ruChat[key];
  const params = args[0] as Record<string, string | number> | undefined;
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

const timeFmt = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Moscow' });

/** «2 декабря, 14:30 МСК»: the centres work by Moscow time. */
export function messageTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${timeFmt.format(d)} МСК`;
}
