import { describeCountersContract } from './counters.contract.mock';
import { CountersPrimaryUnavailableError, IpcCounters, serveCounters, type IpcChannel } from './ipc.counters';
import { MemoryCounters } from './memory.counters';

/**
 * Two ends of a line as Node's IPC is: every message serialised to JSON and delivered later, on
 * its own turn of the event loop. `close()` makes both ends refuse to send, as a channel to an
 * exited process does.
 */
function channelPair(): { worker: IpcChannel; primary: IpcChannel; close: () => void } {
  let open = true;
  const listeners = { worker: new Set<(m: unknown) => void>(), primary: new Set<(m: unknown) => void>() };
  const end = (to: keyof typeof listeners, from: keyof typeof listeners): IpcChannel => ({
    send(message, sent) {
      if (!open) {
        setImmediate(() => sent(new Error('Channel closed')));
        return;
      }
      const wire = JSON.stringify(message);
      setImmediate(() => {
        for (const l of listeners[to]) l(JSON.parse(wire));
        sent(null);
      });
    },
    listen(listener) {
      listeners[from].add(listener);
      return () => listeners[from].delete(listener);
    },
  });
  return { worker: end('primary', 'worker'), primary: end('worker', 'primary'), close: () => (open = false) };
}

describeCountersContract('IpcCounters (to a MemoryCounters over a channel)', () => {
  const { worker, primary } = channelPair();
  serveCounters(primary, new MemoryCounters());
  return new IpcCounters(worker);
});

describe('IpcCounters', () => {
  const charge = (key: string) => ({ key, windowMs: 60_000, cost: 1, limit: 10 });

  it('counts several workers into the same windows', async () => {
    const held = new MemoryCounters();
    const workers = [0, 1, 2].map(() => {
      const { worker, primary } = channelPair();
      serveCounters(primary, held);
      return new IpcCounters(worker);
    });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => workers[i % 3].checkAndAdd([charge('tenant')])));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect((await held.checkAndAdd([{ ...charge('tenant'), cost: 0 }])).counters[0].remaining).toBe(0);
  });

  it('sends the calls of one turn of the event loop in one message, and gets them back in one', async () => {
    const { worker, primary } = channelPair();
    const sent: unknown[] = [];
    const counted: IpcChannel = { send: (m, done) => (sent.push(m), worker.send(m, done)), listen: (l) => worker.listen(l) };
    serveCounters(primary, new MemoryCounters());
    const counters = new IpcCounters(counted);
    const results = await Promise.all([...Array.from({ length: 12 }, () => counters.checkAndAdd([charge('t')])), counters.adjust([{ key: 't', delta: -2 }])]);
    expect(sent).toHaveLength(1);
    expect(results.slice(0, 12).filter((r) => r !== undefined && r.allowed)).toHaveLength(10);
    await counters.checkAndAdd([charge('t')]);
    expect(sent).toHaveLength(2);
  });

  it('fails a call at once when the channel is closed, and one nobody answers after its timeout', async () => {
    const closed = channelPair();
    serveCounters(closed.primary, new MemoryCounters());
    closed.close();
    await expect(new IpcCounters(closed.worker).checkAndAdd([charge('k')])).rejects.toThrow(CountersPrimaryUnavailableError);

    const unanswered = channelPair();
    const counters = new IpcCounters(unanswered.worker, 50);
    const started = Date.now();
    await expect(counters.adjust([{ key: 'k', delta: 1 }])).rejects.toThrow('no answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('passes on an error the primary met, and fails what is waiting when closed', async () => {
    const { worker, primary } = channelPair();
    serveCounters(primary, {
      checkAndAdd: () => Promise.reject(new RangeError('bad charge')),
      adjust: () => Promise.reject(new Error('broken')),
    });
    const counters = new IpcCounters(worker);
    await expect(counters.checkAndAdd([charge('k')])).rejects.toThrow(RangeError);
    await expect(counters.adjust([{ key: 'k', delta: 1 }])).rejects.toThrow('broken');
    const waiting = new IpcCounters(channelPair().worker);
    const call = waiting.checkAndAdd([charge('k')]);
    waiting.close();
    await expect(call).rejects.toThrow(CountersPrimaryUnavailableError);
  });

  it('ignores messages that are not its own, and answers that come too late', async () => {
    const { worker, primary } = channelPair();
    serveCounters(primary, new MemoryCounters());
    primary.send({ type: 'something-else', id: 1 }, () => undefined);
    primary.send({ type: 'switchyard:counters', results: [{ id: 999, verdict: [0] }] }, () => undefined);
    const counters = new IpcCounters(worker);
    expect((await counters.checkAndAdd([charge('k')])).allowed).toBe(true);
    // A call that timed out, then answered: the answer is dropped, the next call has its own.
    const slow = channelPair();
    const late = new IpcCounters(slow.worker, 30);
    await expect(late.checkAndAdd([charge('k')])).rejects.toThrow(CountersPrimaryUnavailableError);
    serveCounters(slow.primary, new MemoryCounters());
    slow.primary.send({ type: 'switchyard:counters', results: [{ id: 1, verdict: [1, 1, 9, 60_000, 0] }] }, () => undefined);
    const next = await late.checkAndAdd([{ ...charge('k'), limit: 5 }]);
    expect(next.counters).toEqual([{ key: 'k', allowed: true, remaining: 4, resetMs: 60_000, leased: 0 }]);
  });
});
