import type { DocumentTypeCode, PatientDocument } from '../../shared/domain/documents';
import { DOCUMENT_MAX_BYTES } from '../../shared/domain/documents';
import type { UploadSession } from '../../shared/domain/portal';
import { UPLOAD_CHUNK_BYTES } from '../../shared/domain/portal';
import { ApiError, call, isApiError, putBytes } from './api';

/**
 * The resumable uploader: start (or rejoin) an upload session, send the file in chunks at the
 * offset the server expects, and after a broken connection or a CONFLICT ask the server how much
 * it has and go on from there. A few retries happen by themselves; after that the upload waits,
 * «прервана», for the patient to press «Продолжить». Pause, resume and cancel at any time.
 */

/** What the file input accepts: PDF, JPEG, PNG, DICOM (the server checks the content anyway). */
export const ACCEPT = 'application/pdf,image/jpeg,image/png,.dcm,application/dicom';
const ACCEPTED_EXTENSIONS = ['.pdf', '.jpg', '.jpeg', '.png', '.dcm', '.dicom'];
const ACCEPTED_MIMES = ['application/pdf', 'image/jpeg', 'image/png', 'application/dicom'];

export type UploadPhase = 'starting' | 'uploading' | 'paused' | 'interrupted' | 'completing' | 'done' | 'failed' | 'cancelled';

export interface UploadProblem {
  code: string;
  message: string;
}

export interface UploadState {
  phase: UploadPhase;
  /** Bytes the server has confirmed. */
  sent: number;
  size: number;
  error: UploadProblem | null;
  document: PatientDocument | null;
}

/** The file being sent: a browser File, or any Blob with a name (tests). */
export type UploadFile = Blob & { readonly name: string };

export interface UploadOptions {
  token: string;
  patientId: string;
  type: DocumentTypeCode;
  file: UploadFile;
  /** The upload session's id; the same id rejoins the same session on the server. */
  id?: string;
  onChange?: (s: UploadState) => void;
  /** Automatic retries after a network failure before the upload waits for «Продолжить». */
  retries?: number;
  retryDelayMs?: number;
  /** The largest file accepted (DOCUMENT_MAX_BYTES). */
  maxBytes?: number;
}

/** Sizes as people read them: «820 КБ», «3,4 МБ». */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} Б`;
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} КБ`;
  const mb = n / (1024 * 1024);
  return `${mb.toLocaleString('ru-RU', { maximumFractionDigits: mb < 10 ? 1 : 0 })} МБ`;
}

/**
 * Checked before a byte is sent: empty, too large, or plainly not a document. Null: fine.
 * (The server still decides by the content: a renamed program is refused there.)
 */
export function checkFile(file: { name: string; size: number; type: string }, maxBytes = DOCUMENT_MAX_BYTES): UploadProblem | null {
  if (file.size <= 0) return { code: 'EMPTY', message: `Файл «${file.name}» пустой. Выберите другой файл.` };
  if (file.size > maxBytes) {
    return {
      code: 'TOO_LARGE',
      message: `Файл «${file.name}» слишком большой: ${formatBytes(file.size)}. Можно загрузить файл не больше ${formatBytes(maxBytes)}. Если это фотографии, снимите каждую страницу отдельным файлом; если исследование КТ/МРТ — загрузите его частями.`,
    };
  }
  const lower = file.name.toLowerCase();
  const extOk = ACCEPTED_EXTENSIONS.some((e) => lower.endsWith(e));
  const mimeOk = ACCEPTED_MIMES.includes(file.type);
  if (!extOk && !mimeOk) {
    return { code: 'WRONG_TYPE', message: `Файл «${file.name}» не подходит. Загрузите документ в формате PDF, JPEG или PNG (фото, скан) или DICOM (КТ/МРТ).` };
  }
  return null;
}

/** A v4 UUID, also where crypto.randomUUID is missing (an http:// address on a clinic's LAN). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') {
    try {
      return crypto.randomUUID();
    } catch {
      // Not a secure context.
    }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Failures that are worth trying again: the connection, or the server momentarily unwell. */
const transient = (e: unknown) => isApiError(e) && (e.code === 'SERVER_UNREACHABLE' || e.code === 'INTERNAL' || e.code === 'RATE_LIMITED');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export class ResumableUpload {
  readonly id: string;
  private readonly opts: Required<Pick<UploadOptions, 'retries' | 'retryDelayMs' | 'maxBytes'>> & UploadOptions;
  private current: UploadState;
  private chunkBytes = UPLOAD_CHUNK_BYTES;
  /** Bumped by pause/cancel: a running loop whose generation is stale stops at the next step. */
  private generation = 0;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;

  constructor(opts: UploadOptions) {
    this.opts = { retries: 2, retryDelayMs: 1000, maxBytes: DOCUMENT_MAX_BYTES, ...opts };
    this.id = opts.id ?? newId();
    this.current = { phase: 'starting', sent: 0, size: opts.file.size, error: null, document: null };
  }

  get state(): UploadState {
    return this.current;
  }

  /** Starts, or goes on after a pause or an interruption; resolves when this run stops. */
  start(): Promise<void> {
    const { phase } = this.current;
    if (phase === 'done' || phase === 'cancelled') return Promise.resolve();
    if (this.running) return this.running;
    const problem = checkFile({ name: this.opts.file.name, size: this.opts.file.size, type: this.opts.file.type }, this.opts.maxBytes);
    if (problem) {
      this.set({ phase: 'failed', error: problem });
      return Promise.resolve();
    }
    const gen = ++this.generation;
    this.abort = new AbortController();
    this.set({ phase: this.current.sent > 0 ? 'uploading' : 'starting', error: null });
    this.running = this.run(gen, this.abort.signal).finally(() => {
      if (this.generation === gen) this.running = null;
    });
    return this.running;
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Stops after the chunk in flight (it is not wasted); «Продолжить» goes on from there. */
  pause(): void {
    if (this.current.phase !== 'starting' && this.current.phase !== 'uploading') return;
    this.generation++;
    this.running = null;
    this.set({ phase: 'paused' });
  }

  /** Gives up: the request in flight is aborted, and nothing more is sent. */
  cancel(): void {
    if (this.current.phase === 'done') return;
    this.generation++;
    this.running = null;
    this.abort?.abort();
    this.set({ phase: 'cancelled' });
  }

  private set(patch: Partial<UploadState>): void {
    this.current = { ...this.current, ...patch };
    this.opts.onChange?.(this.current);
  }

  private live(gen: number): boolean {
    return this.generation === gen;
  }

  private async run(gen: number, signal: AbortSignal): Promise<void> {
    const { token, file } = this.opts;
    let failures = 0;
    // Start (or rejoin: the same id returns the same session with what it already has).
    let session: UploadSession | null = null;
    for (;;) {
      try {
        session = await call('startUpload', { token, signal, params: { id: this.opts.patientId }, body: { id: this.id, type: this.opts.type, fileName: file.name, size: file.size } });
        break;
      } catch (err) {
        if (!this.live(gen)) return;
        if (transient(err) && failures++ < this.opts.retries) {
          await sleep(this.opts.retryDelayMs * failures, signal);
          continue;
        }
        return this.stop(err);
      }
    }
    if (!this.live(gen)) return;
    if (session.chunkBytes > 0) this.chunkBytes = session.chunkBytes;
    let received = session.received;
    if (session.state === 'complete' && session.documentId) received = file.size;
    this.set({ phase: 'uploading', sent: received });

    while (received < file.size) {
      if (!this.live(gen)) return;
      const end = Math.min(file.size, received + this.chunkBytes);
      try {
        const s = await putBytes('uploadChunk', { token, signal, params: { id: this.id }, query: { offset: received }, body: file.slice(received, end) });
        received = s.received;
        failures = 0;
        if (!this.live(gen)) return;
        this.set({ sent: received });
      } catch (err) {
        if (!this.live(gen)) return;
        const conflict = isApiError(err) && err.code === 'CONFLICT';
        if (!conflict && !transient(err)) return this.stop(err);
        if (!conflict) {
          if (failures++ >= this.opts.retries) return this.stop(err);
          await sleep(this.opts.retryDelayMs * failures, signal);
          if (!this.live(gen)) return;
        }
        // Where are we really? The server's count wins over ours.
        try {
          const s = await call('getUpload', { token, signal, params: { id: this.id } });
          received = s.received;
          if (!this.live(gen)) return;
          this.set({ sent: received });
        } catch (e) {
          if (!this.live(gen)) return;
          if (!transient(e)) return this.stop(e);
          if (failures++ >= this.opts.retries) return this.stop(e);
          await sleep(this.opts.retryDelayMs * failures, signal);
        }
      }
    }

    if (!this.live(gen)) return;
    this.set({ phase: 'completing', sent: file.size });
    for (;;) {
      try {
        const document = await call('completeUpload', { token, signal, params: { id: this.id } });
        if (!this.live(gen)) return;
        this.set({ phase: 'done', document, error: null });
        return;
      } catch (err) {
        if (!this.live(gen)) return;
        if (transient(err) && failures++ < this.opts.retries) {
          await sleep(this.opts.retryDelayMs * failures, signal);
          continue;
        }
        return this.stop(err);
      }
    }
  }

  /** A network failure leaves the upload resumable; anything else is the server's «no», with its reason. */
  private stop(err: unknown): void {
    if (isApiError(err) && err.code === 'CANCELLED') return;
    if (transient(err)) {
      const e = err as ApiError;
      this.set({
        phase: 'interrupted',
        error: {
          code: e.code,
          message: e.code === 'SERVER_UNREACHABLE' ? 'Связь прервалась. Когда интернет появится, нажмите «Продолжить»: уже загруженное отправлять заново не придётся.' : e.message || 'Сервер временно недоступен. Нажмите «Продолжить» через минуту.',
        },
      });
      return;
    }
    const e = isApiError(err) ? err : new ApiError('INTERNAL', 'Не удалось загрузить файл.', 0);
    this.set({ phase: 'failed', error: { code: e.code, message: e.message || 'Файл не принят.' } });
  }
}
