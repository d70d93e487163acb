import { safeStorage } from 'electron';
import type { SecretStore } from '../services/secrets.js';
import { ServiceError } from '../services/errors.js';
import { createLogger } from '../services/logger.js';
import { EncryptedFileSecretStore, SecretStorageUnavailableError, type Cipher } from './secret-file.js';

const log = createLogger('electron.secrets');

export const SECRETS_FILE_NAME = 'secrets.json';

/**
 * Why secrets cannot be stored, in Russian, or null. On Linux safeStorage falls back to the
 * `basic_text` backend when no keyring (GNOME Keyring / KWallet) is found: it then "encrypts"
 * with a password built into Chromium, which is obfuscation, not protection — refused like no
 * encryption at all, because the stored secret opens patient data.
 */
function unavailableReason(): string | null {
  if (!safeStorage.isEncryptionAvailable()) {
    return 'Не удалось сохранить ключ входа: шифрование средствами системы недоступно. Войдите заново после перезапуска; если ошибка повторится, обратитесь к администратору.';
  }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return 'Не удалось надёжно сохранить ключ входа: в системе не найдено хранилище паролей (GNOME Keyring или KWallet). Установите и разблокируйте его, затем войдите снова.';
  }
  return null;
}

const safeStorageCipher: Cipher = {
  unavailableReason,
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (encrypted) => safeStorage.decryptString(encrypted),
};

/** The desktop shell's SecretStore: values encrypted by the OS, kept in userData. Use after `ready`. */
export class SafeStorageSecretStore extends EncryptedFileSecretStore implements SecretStore {
  constructor(file: string) {
    super(file, safeStorageCipher, (key, error) => log.warn({ key, err: error }, 'stored secret is unreadable and was ignored'));
    const reason = unavailableReason();
    if (reason !== null) {
      log.warn({ backend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined }, 'secret storage unavailable: secrets will not be persisted');
    }
  }

  /** A refusal crosses the RPC boundary as `{code, message}` with the Russian reason intact. */
  override set(key: string, value: string): void {
    try {
      super.set(key, value);
    } catch (e) {
      if (e instanceof SecretStorageUnavailableError) throw new ServiceError('INTERNAL', e.message);
      throw e;
    }
  }
}
