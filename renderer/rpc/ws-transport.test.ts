import { afterEach, describe, expect, it, vi } from 'vitest';
import { RpcClient } from '../../shared/rpc/client';
import { RpcError } from '../../shared/rpc/messages';
import { createWebSocketTransport, type ConnectionState } from './ws-transport';

/** A scripted stand-in for the browser WebSocket: the test opens, answers and drops it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(m: string) {
    this.sent.push(m);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
  answer(id: number, result: unknown) {
    this.onmessage?.({ data: JSON.stringify({ id, result }) });
  }
  push(event: string, payload: unknown) {
    this.onmessage?.({ data: JSON.stringify({ event, payload }) });
  }
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

function setup() {
  FakeSocket.all = [];
  const transport = createWebSocketTransport('ws://127.0.0.1:1/rpc?token=abc', {
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    backoffMs: [10, 20],
  });
  const states: ConnectionState['kind'][] = [];
  transport.onState((s) => states.push(s.kind));
  return { transport, client: new RpcClient(transport), states };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('browser-mode WebSocket transport', () => {
  it('queues calls until the socket opens, then sends them in order', async () => {
    const { client } = setup();
    const a = client.call('app.info');
    const b = client.call('session.get');
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent.map((m) => JSON.parse(m).method)).toEqual(['app.info', 'session.get']);
    last().answer(1, { version: '1', shell: 'browser', defaultServerUrl: 'https://x' });
    last().answer(2, { user: null, serverUrl: null });
    await expect(a).resolves.toMatchObject({ version: '1' });
    await expect(b).resolves.toEqual({ user: null, serverUrl: null });
  });

  it('fails calls in flight with SERVER_UNREACHABLE when the socket drops, then reconnects', async () => {
    vi.useFakeTimers();
    const { client, states } = setup();
    last().open();
    const inFlight = client.call('sync.status');
    last().drop();
    await expect(inFlight).rejects.toSatisfy((e: unknown) => e instanceof RpcError && e.code === 'SERVER_UNREACHABLE');
    expect(states).toEqual(['open', 'lost']);

    // A call made while down waits for the next socket rather than failing.
    const queued = client.call('session.get');
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(states).toEqual(['open', 'lost', 'open']);
    const id = JSON.parse(last().sent[0]!).id as number;
    last().answer(id, { user: null, serverUrl: 'https://x' });
    await expect(queued).resolves.toEqual({ user: null, serverUrl: 'https://x' });
  });

  it('delivers pushed events to subscribers', () => {
    const { client } = setup();
    last().open();
    const seen: unknown[] = [];
    client.on('data.changed', (p) => seen.push(p));
    last().push('data.changed', { entities: ['patient'] });
    expect(seen).toEqual([{ entities: ['patient'] }]);
  });

  it('backs off between attempts and can be told to retry now', async () => {
    vi.useFakeTimers();
    const { transport } = setup();
    last().drop();
    expect(transport.state()).toMatchObject({ kind: 'lost', attempt: 1 });
    await vi.advanceTimersByTimeAsync(10);
    last().drop();
    expect(transport.state()).toMatchObject({ kind: 'lost', attempt: 2 });
    const before = FakeSocket.all.length;
    transport.retryNow();
    expect(FakeSocket.all).toHaveLength(before + 1);
  });
});
