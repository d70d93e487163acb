import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { keyId } from '../../shared/update/signing.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { DEFAULT_CHANNEL, publishRelease, type PublishResult } from '../updates/store.js';

/**
 * `npm run admin -- release-keygen --out <dir>`: the project's release key pair.
 * `npm run admin -- publish-release --file <installer> --version x.y.z --key <pem>`: a signed
 * release in the update feed (see server/updates/store.ts, electron/README.md "Обновления").
 */
export const RELEASE_USAGE = `  release-keygen --out <каталог>
                                создать ключ подписи обновлений: закрытый ключ в <каталог>/release-key.pem (0600),
                                открытый (base64) — в вывод, для UPDATE_PUBLIC_KEYS в electron/main/constants.ts
  publish-release --file <установщик> [--file …] --version <x.y.z> --key <release-key.pem> [--channel latest] [--arch x64] [--json]
                                опубликовать выпуск в ленте обновлений: скопировать установщик(и), подписать latest*.yml`;

type Out = Pick<NodeJS.WriteStream, 'write'>;

export const RELEASE_KEY_FILE = 'release-key.pem';

/** Writes a new Ed25519 key pair's private half to `<dir>/release-key.pem` (never overwriting) and returns the public key. */
export async function releaseKeygen(dir: string): Promise<{ file: string; publicKey: string; keyId: string }> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x;
  if (!raw) throw new Error('не удалось получить открытый ключ');
  const publicB64 = Buffer.from(raw, 'base64url').toString('base64');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(path.resolve(dir), RELEASE_KEY_FILE);
  // 'wx': an existing key is never replaced — every installed app trusts it.
  fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600);
  return { file, publicKey: publicB64, keyId: await keyId(publicB64) };
}

export async function runReleaseKeygen(args: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.out) {
    err.write(`Укажите каталог: release-keygen --out <каталог>\n`);
    return 2;
  }
  const target = path.join(path.resolve(values.out), RELEASE_KEY_FILE);
  if (fs.existsSync(target)) {
    err.write(`Ошибка: ${target} уже существует — ключ не заменяется (установленные программы доверяют прежнему).\n`);
    return 2;
  }
  const r = await releaseKeygen(values.out);
  if (values.json) out.write(`${JSON.stringify(r)}\n`);
  else {
    out.write(
      `Закрытый ключ: ${r.file} (доступ только владельцу). Храните его вне репозитория и вне сервера, на отключённом от сети носителе.\n` +
        `Открытый ключ (${r.keyId}) — добавьте в UPDATE_PUBLIC_KEYS (electron/main/constants.ts):\n${r.publicKey}\n`,
    );
  }
  return 0;
}

export interface PublishCommand {
  dataDir: string;
  db: Kysely<Database>;
  out?: Out;
  err?: Out;
}

/** Publishes and records `release.publish` in the audit log. */
export async function publishAndAudit(db: Kysely<Database>, input: Parameters<typeof publishRelease>[0]): Promise<PublishResult> {
  const result = await publishRelease(input);
  await db.transaction().execute((tx) =>
    appendAudit(tx, [
      {
        actor: null,
        action: 'release.publish',
        entity: 'release',
        entityId: `${result.channel}/${result.index}/${result.release.version}`,
        result: 'ok',
        details: {
          channel: result.channel,
          index: result.index,
          version: result.release.version,
          signedBy: result.release.signedBy,
          files: result.release.files.map((f) => ({ name: f.url, size: f.size, sha512: f.sha512 })),
        },
      },
    ]),
  );
  return result;
}

export async function runPublishRelease(args: string[], cmd: PublishCommand): Promise<number> {
  const out = cmd.out ?? process.stdout;
  const err = cmd.err ?? process.stderr;
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string', multiple: true },
      version: { type: 'string' },
      key: { type: 'string' },
      channel: { type: 'string' },
      arch: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.file?.length || !values.version || !values.key) {
    err.write(`Использование:\n${RELEASE_USAGE}\n`);
    return 2;
  }
  let privateKey: string;
  try {
    privateKey = fs.readFileSync(values.key, 'utf8');
  } catch {
    err.write(`Ошибка: ключ «${values.key}» не читается.\n`);
    return 2;
  }
  const result = await publishAndAudit(cmd.db, {
    dataDir: cmd.dataDir,
    channel: values.channel ?? DEFAULT_CHANNEL,
    files: values.file,
    version: values.version,
    privateKey,
    ...(values.arch === undefined ? {} : { arch: values.arch }),
  });
  if (values.json) {
    out.write(`${JSON.stringify({ channel: result.channel, index: result.index, version: result.release.version, signedBy: result.release.signedBy, files: result.release.files })}\n`);
  } else {
    out.write(
      `Опубликован выпуск ${result.release.version} (канал ${result.channel}, ${result.index}), подпись ключом ${result.release.signedBy}:\n` +
        result.release.files.map((f) => `  ${f.url} — ${f.size} байт\n`).join(''),
    );
  }
  return 0;
}
