/**
 * The call's strings, shared by the desktop and the portal (the same words suit a doctor and a
 * patient here). `{name}` marks a parameter; `tc()` checks the key and the parameters at compile time.
 */
export const ruCall = {
  'call.title': 'Видеоконсультация',
  'call.with': 'Собеседник: {name}',
  'call.check.heading': 'Проверка перед звонком',
  'call.check.lead': 'Проверьте, что вас видно и слышно. Затем нажмите «Подключиться».',
  'call.check.camera': 'Камера',
  'call.check.mic': 'Микрофон',
  'call.check.micLevel': 'Уровень микрофона',
  'call.check.micHint': 'Скажите что-нибудь: полоска должна двигаться.',
  'call.check.noCamera': 'Без камеры (только звук)',
  'call.check.link': 'Скорость связи',
  'call.check.measuring': 'Измеряем скорость связи…',
  'call.check.figures': 'Приём {down}, отправка {up}, задержка {rtt} мс',
  'call.check.verdict.video': 'Связь подходит для видео.',
  'call.check.verdict.audio': 'Связь слабая: видео может прерываться, звук будет. Если картинка зависнет, звонок сам перейдёт на звук.',
  'call.check.verdict.chat': 'Связь очень медленная: звук может прерываться. Подключитесь к другой сети (Wi-Fi) или пишите в переписке.',
  'call.check.linkFailed': 'Не удалось измерить скорость. Звонок всё равно можно начать.',
  'call.check.retry': 'Проверить ещё раз',
  'call.check.join': 'Подключиться',
  'call.check.cancel': 'Отмена',
  'call.device.denied': 'Нет доступа к камере или микрофону. Разрешите доступ в настройках браузера (значок замка в адресной строке) и нажмите «Проверить ещё раз».',
  'call.device.missing': 'Камера или микрофон не найдены. Подключите их и нажмите «Проверить ещё раз».',
  'call.device.busy': 'Камера или микрофон заняты другой программой. Закройте её и нажмите «Проверить ещё раз».',
  'call.device.insecure': 'Браузер не даёт доступ к камере на этой странице. Откройте кабинет по адресу, который начинается с https://.',
  'call.device.other': 'Не удалось включить камеру и микрофон. Перезапустите браузер и нажмите «Проверить ещё раз».',
  'call.phase.connecting': 'Подключаемся…',
  'call.phase.waiting': 'Вы в зале ожидания. Врач пригласит вас, когда будет готов.',
  'call.phase.lobby.absent': 'Пациент ещё не подключился.',
  'call.phase.lobby.waiting': 'Пациент ждёт в зале ожидания.',
  'call.phase.joining-media': 'Соединяем видео и звук…',
  'call.phase.in-call': 'Идёт консультация',
  'call.phase.reconnecting': 'Связь прервалась. Восстанавливаем соединение, не закрывайте окно…',
  'call.phase.peerLeft': 'Собеседник отключился. Ждём, когда он вернётся…',
  'call.phase.ended': 'Консультация завершена.',
  'call.phase.left': 'Вы вышли из звонка.',
  'call.phase.failed': 'Не удалось подключиться к звонку.',
  'call.admit': 'Пригласить пациента',
  'call.mic.off': 'Выключить микрофон',
  'call.mic.on': 'Включить микрофон',
  'call.cam.off': 'Выключить камеру',
  'call.cam.on': 'Включить камеру',
  'call.share.start': 'Показать экран',
  'call.share.stop': 'Перестать показывать',
  'call.share.failed': 'Не удалось показать экран: {reason}',
  'call.fullscreen': 'Во весь экран',
  'call.fullscreen.exit': 'Выйти из полноэкранного режима',
  'call.end': 'Завершить консультацию',
  'call.leave': 'Выйти из звонка',
  'call.close': 'Закрыть',
  'call.remote.none': 'Видео собеседника пока нет',
  'call.remote.audioOnly': 'Собеседник на слабой связи: только звук',
  'call.self.audioOnly': 'Связь слабая: ваше видео приостановлено, звук идёт. Видео вернётся само.',
  'call.self': 'Вы',
  'call.camOffBadge': 'Камера выключена',
  'call.quality.good': 'Связь хорошая',
  'call.quality.fair': 'Связь средняя',
  'call.quality.poor': 'Связь слабая',
  'call.quality.none': 'Нет сигнала',
  'call.quality.details': 'Приём: видео {inVideo}, кадров {frames}; отправка: видео {outVideo}; задержка {rtt} мс',
  'call.chat.heading': 'Переписка',
  'call.chat.stillThere': 'Если видео и звук не работают, пишите здесь: переписка не зависит от звонка.',
} as const;

type Key = keyof typeof ruCall;
type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
type Args<K extends Key> = [ParamNames<(typeof ruCall)[K]>] extends [never] ? [] : [params: Record<ParamNames<(typeof ruCall)[K]>, string | number>];

export function tc<K extends Key>(key: K, ...args: Args<K>): string {
  const params = args[0] as Record<string, string | number> | undefined;
  const template: string = ruCall[key];
  return params ? template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole)) : template;
}
