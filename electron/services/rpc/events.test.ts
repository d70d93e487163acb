import { describe, expect, it } from 'vitest';
import { EventBus } from './events.js';

describe('EventBus', () => {
  it('a throwing listener neither breaks the emitter nor starves the other listeners', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    bus.subscribe((event) => seen.push(event));
    expect(() => bus.emit('data.changed', { entities: ['patient'] })).not.toThrow();
    expect(seen).toEqual(['data.changed']);
  });
});
