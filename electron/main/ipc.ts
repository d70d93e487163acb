import { ipcMain, type BrowserWindow, type IpcMainEvent } from 'electron';
import { RPC_MAX_MESSAGE_BYTES, type RpcServerMessage } from '../../shared/rpc/messages.js';
import type { EventBus } from '../services/rpc/events.js';
import type { Router } from '../services/rpc/router.js';
import { createLogger } from '../services/logger.js';
import { RPC_CHANNEL } from './constants.js';
import { checkSender } from './origin.js';

const log = createLogger('electron.ipc');

/**
 * The Electron IPC transport of the RPC: one channel, strings both ways, the same wire format
 * as the browser-mode WebSocket. A message is handled only if it comes from our window's main
 * frame showing our origin; anything else is refused and logged, never answered.
 */
export interface IpcTransport {
  /** Sends a push outside the contract's bus (e.g. the updater's state). */
  push(message: RpcServerMessage): void;
  dispose(): void;
}

export function attachRpcTransport(win: BrowserWindow, router: Router, bus: EventBus): IpcTransport {
  const contents = win.webContents;

  const send = (message: RpcServerMessage): void => {
    if (win.isDestroyed() || contents.isDestroyed()) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      log.error({ err }, 'rpc message could not be serialised');
      return;
    }
    contents.send(RPC_CHANNEL, text);
  };

  const onMessage = (event: IpcMainEvent, raw: unknown): void => {
    if (event.sender !== contents) {
      log.warn({ senderId: event.sender.id }, 'rpc message from another window refused');
      return;
    }
    const verdict = checkSender(event.senderFrame, contents.mainFrame);
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason, url: event.senderFrame?.url }, 'rpc message refused');
      return;
    }
    if (typeof raw !== 'string') {
      log.warn({ type: typeof raw }, 'rpc message is not a string');
      return;
    }
    if (Buffer.byteLength(raw, 'utf8') > RPC_MAX_MESSAGE_BYTES) {
      log.warn({ bytes: Buffer.byteLength(raw, 'utf8') }, 'rpc message too large');
      return;
    }
    router
      .handleRaw(raw)
      .then((answer) => {
        if (answer) send(answer);
      })
      .catch((err: unknown) => log.error({ err }, 'rpc router failed'));
  };

  ipcMain.on(RPC_CHANNEL, onMessage);
  const unsubscribe = bus.subscribe((event, payload) => send({ event, payload }));

  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    ipcMain.removeListener(RPC_CHANNEL, onMessage);
    unsubscribe();
  };
  win.once('closed', dispose);
  return { push: send, dispose };
}
