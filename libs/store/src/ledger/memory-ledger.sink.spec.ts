import { describeLedgerSinkContract, outcome } from './ledger-sink.contract.mock';
import { MemoryLedgerSink } from './memory-ledger.sink';

describeLedgerSinkContract('MemoryLedgerSink', () => {
  const sink = new MemoryLedgerSink();
  return { sink, read: (prefix) => Promise.resolve(sink.read().filter((r) => r.requestId.startsWith(prefix))) };
});

describe('MemoryLedgerSink', () => {
  it('is bounded: the oldest records go first', async () => {
    const sink = new MemoryLedgerSink(3);
    await sink.write([outcome('r', 1), outcome('r', 2)]);
    expect(sink.read().map((r) => r.requestId)).toEqual(['r-0001', 'r-0002']);
    await sink.write([outcome('r', 3), outcome('r', 4), outcome('r', 5)]);
    expect(sink.read().map((r) => r.requestId)).toEqual(['r-0003', 'r-0004', 'r-0005']);
    await sink.write([outcome('r', 6)]);
    expect(sink.read().map((r) => r.requestId)).toEqual(['r-0004', 'r-0005', 'r-0006']);
  });

  it('refuses a size that holds nothing', () => {
    expect(() => new MemoryLedgerSink(0)).toThrow(RangeError);
  });
});
