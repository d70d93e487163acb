import WebSocket from 'ws';
import { RpcClient } from '../../shared/rpc/client.js';

/** Opens the host's RPC socket from Node, as a page of our own origin would. */
export function connectRpc(origin: string, token: string, headerOrigin = origin): Promise<{ client: RpcClient; ws: WebSocket }> {
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/rpc?token=${encodeURIComponent(token)}`, { headers: { origin: headerOrigin } });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () => {
      const client = new RpcClient({
        send: (m) => ws.send(m),
        onMessage: (l) => ws.on('message', (d) => l(d.toString())),
        onClose: (l) => ws.on('close', () => l('closed')),
      });
      resolve({ client, ws });
    });
  });
}
