import { randomUUID } from 'node:crypto';
import type { RequestOutcome } from '@switchyard/contracts';
import { LedgerClosedError, type LedgerSink } from './ledger-sink';

/** A sink and how to read back what it kept (a PostgreSQL one queries its table). */
export interface LedgerUnderTest {
  sink: LedgerSink;
  /** The records kept whose request ids start with `prefix`, in the order written. */
  read(prefix: string): Promise<RequestOutcome[]>;
}

/** A finished request's outcome, with its request id under `prefix`. */
export function outcome(prefix: string, n: number, over: Partial<RequestOutcome> = {}): RequestOutcome {
  return {
    requestId: `${prefix}-${String(n).padStart(4, '0')}`,
    startedAt: Date.UTC(2026, 10, 30, 12, 0, n % 60),
    principal: { tenantId: 'acme', keyId: 'k1', scopes: ['inference'] },
    method: 'POST',
    endpoint: '/v1/chat/completions',
    model: 'chat',
    route: 'default',
    backend: 'local',
    tier: 'local',
    attempts: [{ backend: 'local', model: 'm', outcome: 'ok', status: 200, ms: 12 }],
    status: 200,
    inputTokens: 10,
    outputTokens: 5,
    streamed: false,
    latencyMs: 15,
    pii: [],
    ...over,
  };
}

/**
 * What every LedgerSink keeps, run by each implementation's spec (memory now; the PostgreSQL one
 * runs the same). Request ids are fresh per test, so a shared database needs no cleanup. For
 * specs only (`*.mock.ts` is not built).
 */
export function describeLedgerSinkContract(name: string, make: () => LedgerUnderTest | Promise<LedgerUnderTest>): void {
  describe(`${name} (LedgerSink contract)`, () => {
    let ledger: LedgerUnderTest;
    let prefix: string;
    beforeEach(async () => {
      ledger = await make();
      prefix = randomUUID();
    });
    afterEach(() => ledger.sink.close());

    it('keeps what was written, in order, once flushed', async () => {
      const records = [outcome(prefix, 1), outcome(prefix, 2, { status: 502, errorCode: 'upstream_error', backend: undefined }), outcome(prefix, 3)];
      await ledger.sink.write(records.slice(0, 2));
      await ledger.sink.write(records.slice(2));
      await ledger.sink.flush();
      expect(await ledger.read(prefix)).toEqual(records);
    });

    it('keeps the outcome of a request that never authenticated (no principal)', async () => {
      const anonymous = outcome(prefix, 1, { principal: undefined, status: 401, errorCode: 'invalid_api_key', attempts: [] });
      await ledger.sink.write([anonymous]);
      await ledger.sink.flush();
      expect(await ledger.read(prefix)).toEqual([anonymous]);
    });

    it('takes an empty batch', async () => {
      await ledger.sink.write([]);
      await ledger.sink.flush();
      expect(await ledger.read(prefix)).toEqual([]);
    });

    it('keeps every record of many batches written at once', async () => {
      const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 5 }, (__, i) => outcome(prefix, b * 5 + i)));
      await Promise.all(batches.map((batch) => ledger.sink.write(batch)));
      await ledger.sink.flush();
      const kept = await ledger.read(prefix);
      expect(kept.map((r) => r.requestId).sort()).toEqual(batches.flat().map((r) => r.requestId));
    });

    it('flushes on close, then refuses writes; closing twice is harmless', async () => {
      await ledger.sink.write([outcome(prefix, 1)]);
      await ledger.sink.close();
      expect(await ledger.read(prefix)).toEqual([outcome(prefix, 1)]);
      await expect(ledger.sink.write([outcome(prefix, 2)])).rejects.toBeInstanceOf(LedgerClosedError);
      await ledger.sink.close();
    });
  });
}
