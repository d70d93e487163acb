import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

/**
 * The renderer's only door to the desktop: `window.oblako`, strings in and out. Runs sandboxed,
 * so this file imports nothing but `electron` and is bundled on its own; `ipcRenderer` itself is
 * never exposed. The channel name is repeated from electron/main/constants.ts (a test keeps the
 * two equal). `renderer/rpc/electron-transport.ts` declares the same shape for the renderer.
 */
const CHANNEL = 'oblako:rpc';
/** Same limit as the main side (RPC_MAX_MESSAGE_BYTES): refused here before crossing over. */
const MAX_MESSAGE_CHARS = 72_000_000;

interface OblakoBridge {
  send(message: string): void;
  onMessage(listener: (message: string) => void): () => void;
}

const bridge: OblakoBridge = {
  send(message: string): void {
    if (typeof message !== 'string') throw new TypeError('oblako.send ожидает строку');
    if (message.length > MAX_MESSAGE_CHARS) throw new RangeError('Слишком большое сообщение');
    ipcRenderer.send(CHANNEL, message);
  },
  onMessage(listener: (message: string) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('oblako.onMessage ожидает функцию');
    // The event object is not passed on: it carries `sender`, i.e. ipcRenderer.
    const handler = (_event: IpcRendererEvent, message: unknown): void => {
      if (typeof message === 'string') listener(message);
    };
    ipcRenderer.on(CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('oblako', bridge);
