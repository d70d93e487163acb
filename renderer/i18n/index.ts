import { ru } from './ru';

/**
 * The i18n layer: one typed dictionary per locale, keyed by message id. Russian is the default
 * and, for now, the only locale. `t('sync.lastSynced', { time })` checks at compile time that the
 * key exists and that exactly the parameters the message uses are given.
 */

type PluralForms = { readonly one: string; readonly few: string; readonly many: string };
type Message = string | PluralForms;

export type MessageId = keyof typeof ru;
/** What another locale must provide: every key, each a string or the same plural shape. */
export type Dictionary = { readonly [K in MessageId]: (typeof ru)[K] extends string ? string : PluralForms };

type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
type ParamsOf<M> = M extends PluralForms
  ? { count: number } & Record<Exclude<ParamNames<M['one'] | M['few'] | M['many']>, 'count'>, string | number>
  : M extends string
    ? Record<ParamNames<M>, string | number>
    : never;

type Args<K extends MessageId> = [ParamNames<Extract<(typeof ru)[K], string>>] extends [never]
  ? (typeof ru)[K] extends PluralForms
    ? [params: ParamsOf<(typeof ru)[K]>]
    : []
  : [params: ParamsOf<(typeof ru)[K]>];

export const LOCALE = 'ru-RU';
const dictionary: Dictionary = ru;
const plural = new Intl.PluralRules(LOCALE);

function interpolate(template: string, params: Record<string, string | number> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function t<K extends MessageId>(key: K, ...args: Args<K>): string {
  const message: Message = dictionary[key];
  const params = args[0] as Record<string, string | number> | undefined;
  if (typeof message === 'string') return interpolate(message, params);
  const count = Number(params?.count ?? 0);
  const form = plural.select(count);
  const template = form === 'one' ? message.one : form === 'few' ? message.few : message.many;
  return interpolate(template, params);
}

/** For ids built from data (`status.${status}`): typed by the caller's union of known values. */
export function hasMessage(key: string): key is MessageId {
  return Object.hasOwn(dictionary, key);
}
