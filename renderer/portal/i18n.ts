import type { RequestStatus } from '../../shared/domain/requests';
import { ruPortalAccess } from './i18n-access';
import { ruPortalCare } from './i18n-care';

/**
 * The patient portal's strings: its own dictionary (patients read plainer words than staff, and
 * the portal bundle should not carry the desktop's). `{name}` marks a parameter; `tp()` checks at
 * compile time that the key exists and that exactly the parameters the message uses are given.
 */
export const ruPortal = {
  'app.name': 'Облако здоровья',
  'app.portal': 'Личный кабинет пациента',
  'app.loading': 'Загрузка…',

  'title.signIn': 'Вход — Облако здоровья',
  'title.change': 'Смена пароля — Облако здоровья',
  'title.home': 'Мои заявки — Облако здоровья',

  'signIn.heading': 'Вход в личный кабинет',
  'signIn.lead': 'Введите логин и пароль из SMS. Если вы уже задали свой пароль, введите его.',
  'signIn.login': 'Логин',
  'signIn.login.hint': 'Латинские буквы и цифры, как в SMS',
  'signIn.password': 'Пароль',
  'signIn.showPassword': 'Показать или скрыть пароль',
  'signIn.submit': 'Войти',
  'signIn.submitting': 'Входим…',
  'signIn.required.login': 'Введите логин.',
  'signIn.required.password': 'Введите пароль.',
  'signIn.error.INVALID_CREDENTIALS.title': 'Неверный логин или пароль',
  'signIn.error.INVALID_CREDENTIALS':
    'Проверьте раскладку клавиатуры и Caps Lock. Пароль из SMS действует только для первого входа: если вы уже задали свой пароль, введите его.',
  'signIn.error.ACCOUNT_LOCKED.title': 'Вход временно заблокирован',
  'signIn.error.ACCOUNT_DISABLED.title': 'Учётная запись отключена',
  'signIn.error.SERVER_UNREACHABLE.title': 'Нет связи с сервером',
  'signIn.error.SERVER_UNREACHABLE': 'Проверьте подключение к интернету и попробуйте ещё раз через минуту.',
  'signIn.error.other.title': 'Не удалось войти',
  'signIn.error.other': 'Попробуйте ещё раз. Если ошибка повторяется, позвоните врачу, который вас направил.',

  'notice.expired': 'Сеанс завершён. Войдите снова.',
  'notice.signedOut': 'Вы вышли из личного кабинета.',

  'change.heading': 'Задайте свой пароль',
  'change.lead':
    'Пароль из SMS одноразовый. Придумайте свой пароль: его будете знать только вы. Не сообщайте его никому, даже сотрудникам клиники.',
  'change.current': 'Пароль из SMS (текущий)',
  'change.next': 'Новый пароль',
  'change.repeat': 'Новый пароль ещё раз',
  'change.rules': 'Требования к паролю',
  'change.rule.length': 'Не короче {min} символов',
  'change.rule.differs': 'Не совпадает с паролем из SMS',
  'change.rule.login': 'Не содержит ваш логин',
  'change.rule.repeat': 'Оба раза введён одинаково',
  'change.rule.ok': 'выполнено',
  'change.rule.notOk': 'не выполнено',
  'change.submit': 'Сохранить пароль',
  'change.submitting': 'Сохраняем…',
  'change.signOut': 'Выйти, не меняя пароль',
  'change.required.current': 'Введите пароль из SMS.',
  'change.invalid.next': 'Новый пароль не подходит: посмотрите требования ниже.',
  'change.invalid.repeat': 'Пароли не совпадают. Введите новый пароль ещё раз.',
  'change.error.title': 'Пароль не сохранён',
  'change.error.SERVER_UNREACHABLE': 'Нет связи с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
  'change.saved': 'Пароль сохранён. В следующий раз входите с ним.',

  'home.greeting': 'Здравствуйте, {name}!',
  'home.greeting.anonymous': 'Здравствуйте!',
  'home.signOut': 'Выйти',
  'home.requests': 'Мои заявки на консультацию',
  'home.requests.count': 'Заявок: {count}',
  'home.empty.title': 'Заявок пока нет',
  'home.empty.body':
    'Когда врач направит вас на консультацию, заявка появится здесь. Мы также пришлём SMS.',
  'home.request.centre': 'Центр',
  'home.request.profile': 'Направление',
  'home.request.status': 'Состояние',
  'home.request.due': 'Ответ ожидается до {date}',
  'home.request.created': 'Заявка от {date}',
  'home.error.title': 'Не удалось загрузить заявки',
  'home.retry': 'Повторить',

  'status.new': 'Заявка принята',
  'status.under_review': 'Врач изучает документы',
  'status.scheduled': 'Консультация назначена',
  'status.consulted': 'Консультация проведена',
  'status.conclusion_issued': 'Заключение готово',
  'status.invited': 'Вас приглашают на очный приём',
  'status.cancelled': 'Заявка отменена',
  ...ruPortalAccess,
  ...ruPortalCare,
} as const satisfies Record<string, string> & Record<`status.${RequestStatus}`, string>;

export type PortalMessageId = keyof typeof ruPortal;

type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
type Args<K extends PortalMessageId> = [ParamNames<(typeof ruPortal)[K]>] extends [never]
  ? []
  : [params: Record<ParamNames<(typeof ruPortal)[K]>, string | number>];

export const PORTAL_LOCALE = 'ru-RU';

export function tp<K extends PortalMessageId>(key: K, ...args: Args<K>): string {
  const message: string = ruPortal[key];
  const params = args[0] as Record<string, string | number> | undefined;
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

const dateFmt = new Intl.DateTimeFormat(PORTAL_LOCALE, { day: 'numeric', month: 'long', year: 'numeric' });

/** «25 ноября 2026 г.»: a date people read without decoding 25.11. */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}
