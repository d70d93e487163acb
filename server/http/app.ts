import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { WS_PATH } from '../../shared/api/contract.js';
import { CALL_WS_PATH } from '../../shared/call/protocol.js';
import { createCallService } from '../calls/service.js';
import { serveCallSocket } from '../calls/socket.js';
import { WsClientMessage, type WsServerMessage } from '../../shared/sync/protocol.js';
import type { ServerConfig } from '../config.js';
import { audienceOf } from '../auth/actor.js';
import { resolveSession } from '../auth/accounts.js';
import type { AppContext } from '../context.js';
import { openDatabase } from '../db/connection.js';
import { blobStore } from '../modules/documents.js';
import { ReminderJob } from '../modules/reminders.js';
import { sweepStaleUploads } from '../modules/uploads.js';
import { createSmsGateway } from '../sms/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { PokeHub } from '../ws/poke-hub.js';
import { registerUpdateFeed } from '../updates/feed.js';
import { installErrorHandlers } from './errors-handler.js';
import { handlers } from './handlers.js';
import { registerPortalStatic } from './portal-static.js';
import { registerRoutes } from './route.js';

const log = createLogger('http.app');

export interface CentralApi {
  app: FastifyInstance;
  ctx: AppContext;
  hub: PokeHub;
  close(): Promise<void>;
}

/** Opens the database, migrates it, and builds the HTTP + WebSocket app (not yet listening). */
export async function buildCentralApi(config: ServerConfig): Promise<CentralApi> {
  const db = openDatabase(config.database);
  await migrateToLatest(db);
  const hub = new PokeHub();
  // The SMS gateway (outbox by default; with a provider, a dispatcher drains the queue).
  const sms = createSmsGateway(config, db.kysely);
  const calls = createCallService(db);
  const ctx: AppContext = { config, db, pokes: hub, sms, calls };
  sms.dispatcher?.start();
  // Reminders before consultations (in the portal and by SMS), once each.
  const reminders = new ReminderJob(ctx);
  reminders.start();
  const swept = await blobStore(ctx).sweepUnfinished();
  if (swept > 0) log.info({ swept }, 'removed unfinished uploads left by an earlier process');
  await sweepStaleUploads(ctx);

  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only stops Fastify inferring a narrower generic.
    loggerInstance: createLogger('http') as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
    bodyLimit: config.bodyLimitBytes,
    // Reject JSON bodies that try to set __proto__ / constructor.prototype outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // On close, connections still open are cut rather than waited for: a client that never reads
    // a response (a download it abandoned) must not keep the server from stopping. Writes are
    // transactional, so a cut request is retried by its client; nothing half-done remains.
    forceCloseConnections: true,
    trustProxy: process.env.OBLAKO_TRUST_PROXY === '1',
  });
  installErrorHandlers(app);
  // Document uploads: the body is the file. Handed on as a stream, so the route checks the
  // caller and the file's first bytes before anything is written, and never buffers 50 MiB.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  app.addHook('onSend', async (_req, reply, payload) => {
    // The API serves JSON only; nothing here is meant to be framed, sniffed or cached.
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Frame-Options', 'DENY');
    return payload;
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.get(WS_PATH, { websocket: true }, (socket) => {
    const send = (m: WsServerMessage) => socket.send(JSON.stringify(m));
    // The browser WebSocket API cannot set headers, so the token comes in the first message.
    const authTimer = setTimeout(() => socket.close(4401, 'auth timeout'), 5000);
    let authed = false;
    socket.on('message', (raw: Buffer) => {
      void (async () => {
        let msg: WsClientMessage;
        try {
          msg = WsClientMessage.parse(JSON.parse(raw.toString('utf8')));
        } catch {
          send({ type: 'error', code: 'VALIDATION_FAILED', message: 'Некорректное сообщение.' });
          return;
        }
        if (msg.type === 'ping') return send({ type: 'pong' });
        if (authed) return;
        const actor = await resolveSession(db.kysely, msg.token);
        if (!actor || actor.mustChangePassword) {
          send({ type: 'error', code: 'UNAUTHENTICATED', message: 'Сеанс истёк или не начат. Войдите снова.' });
          socket.close(4401, 'unauthenticated');
          return;
        }
        clearTimeout(authTimer);
        authed = true;
        const audience = audienceOf(actor);
        if (audience) hub.add(audience, socket);
        send({ type: 'ready', userId: actor.userId });
      })().catch((err: unknown) => log.error({ err }, 'websocket message failed'));
    });
    socket.on('close', () => clearTimeout(authTimer));
  });

  app.get(CALL_WS_PATH, { websocket: true }, (socket) => serveCallSocket(socket, ctx, calls.rooms, calls.tickets));

  registerRoutes(app, ctx, handlers);
  registerUpdateFeed(app, ctx);
  registerPortalStatic(app);

  return {
    app,
    ctx,
    hub,
    close: async () => {
      hub.closeAll();
      calls.rooms.closeAll();
      await app.close();
      await reminders.stop();
      await sms.dispatcher?.stop();
      await db.close();
    },
  };
}
