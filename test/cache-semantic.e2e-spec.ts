import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import type { Database } from '../libs/store/src/sql/database';
import { CacheService } from '../apps/gateway/src/cache/cache.service';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

// The labelled near-match set (test/support/semantic-pairs.json) through a running gateway: for
// each pair, the cache is emptied, the first prompt asked (a miss), then the second. A hit where
// the label says miss is a false hit: there must be none at the default threshold. Precision and
// recall are printed. Embeddings come from the fake backend's deterministic "semantic" model
// (feature-hashed words): no real embedding model can be loaded offline here.

interface Turn {
  role: string;
  content: string;
}
interface Side {
  history?: Turn[];
  prompt: string;
}
interface Pair {
  id: string;
  kind: string;
  a: Side;
  b: Side;
  expect: 'hit' | 'miss';
}

const PAIRS = JSON.parse(readFileSync(join(__dirname, 'support', 'semantic-pairs.json'), 'utf8')) as Pair[];

describe(`near-match cache on the labelled pairs (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    stack = await startStack({
      database: db,
      backends: [{ name: 'local', protocol: 'openai', models: ['m', 'semantic-embed'] }],
      models: [
        { name: 'chat', targets: [{ backend: 'local', model: 'm' }] },
        { name: 'embed', targets: [{ backend: 'local', model: 'semantic-embed' }] },
      ],
      // The default threshold: the config names only the mode and the embedding model.
      cache: { mode: 'semantic', semantic: { embeddingModel: 'embed' } },
    });
  });

  afterAll(async () => {
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  const ask = async (side: Side): Promise<string | null> => {
    const res = await fetch(`${stack.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', temperature: 0, messages: [...(side.history ?? []), { role: 'user', content: side.prompt }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('x-switchyard-cache');
  };

  it('has at least 50 pairs, both kinds', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(50);
    expect(PAIRS.filter((p) => p.expect === 'hit').length).toBeGreaterThanOrEqual(20);
    expect(PAIRS.filter((p) => p.expect === 'miss').length).toBeGreaterThanOrEqual(30);
  });

  it('serves no near miss from the cache, and reports precision and recall', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    const falseHits: string[] = [];
    const missed: string[] = [];
    for (const pair of PAIRS) {
      const purged = await fetch(`${stack.url}/admin/v1/cache`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(purged.status).toBe(200);
      expect(await ask(pair.a)).toBe('miss');
      // The first answer is kept off the request path: wait until it is in the stores.
      await stack.app.get(CacheService).idle();
      const header = await ask(pair.b);
      const hit = header !== null && header.startsWith('hit');
      if (hit && pair.expect === 'hit') tp++;
      else if (hit) {
        fp++;
        falseHits.push(`${pair.id} (${pair.kind}): ${header}`);
      } else if (pair.expect === 'hit') {
        fn++;
        missed.push(pair.id);
      } else tn++;
    }
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    console.log(
      `near-match cache on ${PAIRS.length} labelled pairs at threshold 0.92: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} ` +
        `(hits ${tp}/${tp + fn} paraphrases, false hits ${fp}/${fp + tn} near misses); paraphrases missed: ${missed.join(', ') || 'none'}`,
    );
    expect(falseHits).toEqual([]);
    // Paraphrases must mostly hit, or the cache would be exact only in disguise.
    expect(recall).toBeGreaterThanOrEqual(0.5);
  });
});
