import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOCUMENT_MAX_BYTES } from '../../shared/domain/documents';
import { checkFile, formatBytes, newId, ResumableUpload, type UploadState } from './upload';

const PATIENT = '11111111-1111-4111-8111-111111111111';
const CHUNK = 4;

/** A fake of the upload routes behind a mocked fetch: it keeps the bytes and answers like the contract. */
class FakeServer {
  sessions = new Map<string, { type: string; fileName: string; size: number; bytes: number[]; state: 'open' | 'complete' }>();
  requests: { method: string; url: string }[] = [];
  /** Called before each request: return a Response or throw to fake a failure, or undefined to proceed. */
  intercept: ((method: string, url: URL, n: number) => Response | undefined | Promise<Response | undefined>) | null = null;
  rejectContent = false;

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://portal.test');
    const method = init?.method ?? 'GET';
    this.requests.push({ method, url: url.pathname + url.search });
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const r = await this.intercept?.(method, url, this.requests.length);
    if (r) return r;
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/api\/patients\/([^/]+)\/uploads$/.exec(url.pathname))) {
      const body = JSON.parse(String(init?.body)) as { id: string; type: string; fileName: string; size: number };
      let s = this.sessions.get(body.id);
      if (!s) {
        s = { type: body.type, fileName: body.fileName, size: body.size, bytes: [], state: 'open' };
        this.sessions.set(body.id, s);
      }
      return this.session(body.id);
    }
    if ((m = /^\/api\/uploads\/([^/]+)$/.exec(url.pathname))) {
      const id = m[1] ?? '';
      const s = this.sessions.get(id);
      if (!s) return json(404, { error: { code: 'NOT_FOUND', message: 'Загрузка не найдена.' } });
      if (method === 'GET') return this.session(id);
      const offset = Number(url.searchParams.get('offset'));
      if (offset !== s.bytes.length) return json(409, { error: { code: 'CONFLICT', message: `Ожидается часть с ${s.bytes.length}.` } });
      const chunk = new Uint8Array(await (init?.body as Blob).arrayBuffer());
      s.bytes.push(...chunk);
      return this.session(id);
    }
    if (method === 'POST' && (m = /^\/api\/uploads\/([^/]+)\/complete$/.exec(url.pathname))) {
      const id = m[1] ?? '';
      const s = this.sessions.get(id);
      if (!s || s.bytes.length !== s.size) return json(409, { error: { code: 'CONFLICT', message: 'Файл получен не полностью.' } });
      if (this.rejectContent) return json(415, { error: { code: 'UNSUPPORTED_FILE_TYPE', message: 'Файл этого типа не принимается.' } });
      s.state = 'complete';
      return json(200, { id: 'doc-' + id, patientId: PATIENT, type: s.type, fileName: s.fileName, mime: 'application/pdf', size: s.bytes.length, sha256: '0'.repeat(64), uploadedBy: null, uploadedByRole: 'patient', uploadedByName: 'Пациент', consentBasis: null, consentAt: null, createdAt: new Date().toISOString() });
    }
    return json(404, { error: { code: 'NOT_FOUND', message: 'Нет такого.' } });
  };

  session(id: string): Response {
    const s = this.sessions.get(id);
    if (!s) throw new Error('no session');
    return json(200, { id, patientId: PATIENT, type: s.type, fileName: s.fileName, size: s.size, received: s.bytes.length, chunkBytes: CHUNK, state: s.state, documentId: s.state === 'complete' ? 'doc-' + id : null });
  }

  puts(): string[] {
    return this.requests.filter((r) => r.method === 'PUT').map((r) => r.url);
  }
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function file(bytes: number[], name = 'выписка.pdf', type = 'application/pdf') {
  return new File([new Uint8Array(bytes)], name, { type });
}

const TEN = [0x25, 0x50, 0x44, 0x46, 0x2d, 5, 6, 7, 8, 9];

let server: FakeServer;

beforeEach(() => {
  server = new FakeServer();
  vi.stubGlobal('fetch', server.fetch);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function upload(f: File, extra: Partial<ConstructorParameters<typeof ResumableUpload>[0]> = {}) {
  const states: UploadState[] = [];
  const u = new ResumableUpload({ token: 't', patientId: PATIENT, type: 'discharge_summary', file: f, retryDelayMs: 1, onChange: (s) => states.push(s), ...extra });
  return { u, states, phases: () => states.map((s) => s.phase).filter((p, i, a) => a[i - 1] !== p) };
}

describe('ResumableUpload', () => {
  it('sends the file in chunks at the server’s offsets and completes it', async () => {
    const { u, states, phases } = upload(file(TEN));
    await u.start();
    expect(u.state.phase).toBe('done');
    expect(u.state.document?.size).toBe(10);
    expect(server.puts()).toEqual([`/api/uploads/${u.id}?offset=0`, `/api/uploads/${u.id}?offset=4`, `/api/uploads/${u.id}?offset=8`]);
    expect(server.sessions.get(u.id)?.bytes).toEqual(TEN);
    expect(states.map((s) => s.sent)).toContain(8);
    expect(phases()).toEqual(['starting', 'uploading', 'completing', 'done']);
  });

  it('after a broken connection asks the server how much it has and goes on from there', async () => {
    let failed = false;
    server.intercept = (method, url) => {
      // The second chunk reaches the server, but the answer is lost on the way back.
      if (method === 'PUT' && url.searchParams.get('offset') === '4' && !failed) {
        failed = true;
        const s = [...server.sessions.values()][0];
        s?.bytes.push(...TEN.slice(4, 8));
        throw new TypeError('Failed to fetch');
      }
      return undefined;
    };
    const { u } = upload(file(TEN));
    await u.start();
    expect(u.state.phase).toBe('done');
    expect(server.sessions.get(u.id)?.bytes).toEqual(TEN);
    // It asked (GET) and then sent from 8, not 4 again.
    expect(server.requests.some((r) => r.method === 'GET' && r.url === `/api/uploads/${u.id}`)).toBe(true);
    expect(server.puts()).toEqual([`/api/uploads/${u.id}?offset=0`, `/api/uploads/${u.id}?offset=4`, `/api/uploads/${u.id}?offset=8`]);
  });

  it('on CONFLICT re-reads `received` and continues at the server’s offset', async () => {
    const { u } = upload(file(TEN));
    // The server already has 4 bytes from an earlier tab, but this run starts at 0 (stale answer to start).
    server.intercept = (method, url) => {
      if (method === 'POST' && url.pathname.endsWith('/uploads')) {
        server.sessions.set(u.id, { type: 'discharge_summary', fileName: 'выписка.pdf', size: 10, bytes: TEN.slice(0, 4), state: 'open' });
        return json(200, { id: u.id, patientId: PATIENT, type: 'discharge_summary', fileName: 'выписка.pdf', size: 10, received: 0, chunkBytes: CHUNK, state: 'open', documentId: null });
      }
      return undefined;
    };
    await u.start();
    expect(u.state.phase).toBe('done');
    expect(server.sessions.get(u.id)?.bytes).toEqual(TEN);
    expect(server.puts()).toEqual([`/api/uploads/${u.id}?offset=0`, `/api/uploads/${u.id}?offset=4`, `/api/uploads/${u.id}?offset=8`]);
  });

  it('stops as «interrupted» when the network stays down, and «Продолжить» resumes without resending', async () => {
    let down = false;
    server.intercept = (method, url) => {
      if (down && url.pathname.startsWith('/api/uploads')) throw new TypeError('Failed to fetch');
      if (method === 'PUT' && url.searchParams.get('offset') === '4') down = true;
      return undefined;
    };
    const { u } = upload(file(TEN), { retries: 2 });
    await u.start();
    expect(u.state.phase).toBe('interrupted');
    expect(u.state.error?.code).toBe('SERVER_UNREACHABLE');
    expect(u.state.error?.message).toContain('Продолжить');
    expect(u.state.sent).toBe(8);
    down = false;
    server.intercept = null;
    await u.resume();
    expect(u.state.phase).toBe('done');
    expect(server.sessions.get(u.id)?.bytes).toEqual(TEN);
    // Rejoined the same session (same id) and sent only the last chunk.
    expect(server.sessions.size).toBe(1);
    expect(server.puts().filter((p) => p.endsWith('offset=0'))).toHaveLength(1);
  });

  it('pauses after the chunk in flight and resumes from the server’s count', async () => {
    const holder: { u?: ResumableUpload } = {};
    server.intercept = (method, url) => {
      if (method === 'PUT' && url.searchParams.get('offset') === '4') holder.u?.pause();
      return undefined;
    };
    const { u } = upload(file(TEN));
    holder.u = u;
    await u.start();
    expect(u.state.phase).toBe('paused');
    expect(server.sessions.get(u.id)?.bytes.length).toBe(8);
    expect(server.puts()).toHaveLength(2);
    await u.resume();
    expect(u.state.phase).toBe('done');
    expect(server.sessions.get(u.id)?.bytes).toEqual(TEN);
  });

  it('cancel aborts and sends nothing more', async () => {
    const holder: { u?: ResumableUpload } = {};
    server.intercept = (method, url) => {
      if (method === 'PUT' && url.searchParams.get('offset') === '4') holder.u?.cancel();
      return undefined;
    };
    const { u } = upload(file(TEN));
    holder.u = u;
    await u.start();
    expect(u.state.phase).toBe('cancelled');
    expect(server.puts()).toHaveLength(2);
    await u.resume();
    expect(server.puts()).toHaveLength(2);
    expect(server.requests.some((r) => r.url.endsWith('/complete'))).toBe(false);
  });

  it('a file the server refuses fails with the server’s message', async () => {
    server.rejectContent = true;
    const { u } = upload(file(TEN, 'программа.pdf'));
    await u.start();
    expect(u.state.phase).toBe('failed');
    expect(u.state.error).toEqual({ code: 'UNSUPPORTED_FILE_TYPE', message: 'Файл этого типа не принимается.' });
  });

  it('a file over the limit is refused before any request', async () => {
    const { u } = upload(file(TEN), { maxBytes: 9 });
    await u.start();
    expect(u.state.phase).toBe('failed');
    expect(u.state.error?.code).toBe('TOO_LARGE');
    expect(server.requests).toEqual([]);
  });

  it('an expired session is reported as such (the page signs out)', async () => {
    server.intercept = () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'Войдите снова.' } });
    const { u } = upload(file(TEN));
    await u.start();
    expect(u.state.phase).toBe('failed');
    expect(u.state.error?.code).toBe('UNAUTHENTICATED');
  });
});

describe('checkFile', () => {
  it('refuses empty, too large and non-document files with a plain message', () => {
    expect(checkFile({ name: 'a.pdf', size: 0, type: 'application/pdf' })?.code).toBe('EMPTY');
    const big = checkFile({ name: 'кт.dcm', size: DOCUMENT_MAX_BYTES + 1, type: '' });
    expect(big?.code).toBe('TOO_LARGE');
    expect(big?.message).toContain('не больше 50 МБ');
    expect(checkFile({ name: 'setup.exe', size: 10, type: 'application/x-msdownload' })?.code).toBe('WRONG_TYPE');
    expect(checkFile({ name: 'IMG_0001.JPG', size: 10, type: '' })).toBeNull();
    expect(checkFile({ name: 'photo', size: 10, type: 'image/png' })).toBeNull();
    expect(checkFile({ name: 'кт.dcm', size: DOCUMENT_MAX_BYTES, type: '' })).toBeNull();
  });

  it('formats sizes and makes UUIDs', () => {
    expect(formatBytes(512)).toBe('512 Б');
    expect(formatBytes(2048)).toBe('2 КБ');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3,4 МБ');
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

