import { MemorySemanticIndex } from './memory-semantic.index';
import { describeSemanticIndexContract } from './semantic-index.contract.mock';

describeSemanticIndexContract('MemorySemanticIndex', () => new MemorySemanticIndex());

describe('MemorySemanticIndex', () => {
  const entry = (key: string, i: number) => ({ tenantId: 't', model: 'chat', scope: 's', key, vector: Array.from({ length: 4 }, (_, j) => (j === i ? 1 : 0)) });

  it('is bounded in entries: past the bound the oldest written go first', async () => {
    const index = new MemorySemanticIndex(3);
    for (const [i, key] of ['one', 'two', 'three'].entries()) await index.add(entry(key, i), 60_000);
    await index.add(entry('one', 0), 60_000); // written again: now the newest
    await index.add(entry('four', 3), 60_000);
    expect(index.size).toBe(3);
    const find = async (i: number) => (await index.nearest({ tenantId: 't', scope: 's', vector: entry('', i).vector, minScore: 0.99 }))?.key;
    expect(await Promise.all([0, 1, 2, 3].map(find))).toEqual(['one', undefined, 'three', 'four']);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new MemorySemanticIndex(0)).toThrow(RangeError);
  });
});
