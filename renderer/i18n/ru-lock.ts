/** Strings of the idle lock (renderer/desktop/LockScreen.tsx and the shell's lock button); keys prefixed `lock.`. */
export const ruLock = {
  'lock.title': 'Рабочее место заблокировано',
  'lock.signedInAs': 'Вошли: {name}, {role}',
  'lock.body': 'Рабочее место заблокировано после бездействия или по вашей команде. Пока оно заблокировано, локальные данные на этом компьютере зашифрованы. Чтобы продолжить, введите пароль.',
  'lock.password': 'Пароль',
  'lock.unlock': 'Разблокировать',
  'lock.signOut': 'Выйти',
  'lock.signOut.hint': 'Другой пользователь может выйти из этой учётной записи и войти под своей.',
  'lock.error.INVALID_CREDENTIALS': 'Неверный пароль',
  'lock.error.other': 'Не удалось разблокировать',
  'lock.hint.INVALID_CREDENTIALS': 'Проверьте раскладку клавиатуры и Caps Lock.',
  'lock.pending.title': 'Есть неотправленные изменения',
  'lock.pending.confirm': 'Всё равно выйти',
  'lock.pending.stay': 'Не выходить',
  'lock.now': 'Заблокировать',
  'lock.now.hint': 'Заблокировать рабочее место, не выходя из системы',
  'lock.notice.title': 'Сеанс завершён',
} as const;
