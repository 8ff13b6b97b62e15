import { ADMIN_KEY, inferenceCalls, postJson, readSseData, startStack, type Stack } from './support/stack';
import { negatives, positives, translationPositives, type PositiveCase } from './support/pii-corpus';
import type { FakeLlm } from '@switchyard/fake-llm';

/**
 * The privacy corpus end to end: every positive sent to a chain that prefers the cloud, under
 * `local-only` and under `redact`, and the cloud fakes' recorded bytes searched for the values.
 */

const BACKENDS = [
  { name: 'local', protocol: 'openai' as const, tier: 'local' as const, models: ['local-chat', 'local-embed'] },
  { name: 'cloud', protocol: 'openai' as const, tier: 'cloud' as const, models: ['gpt', 'embed-cloud'] },
  { name: 'cloud-claude', protocol: 'anthropic' as const, tier: 'cloud' as const, models: ['claude-x'] },
];
const MODELS = [
  {
    name: 'chat',
    targets: [
      { backend: 'cloud', model: 'gpt' },
      { backend: 'local', model: 'local-chat' },
    ],
  },
  {
    name: 'embed',
    targets: [
      { backend: 'cloud', model: 'embed-cloud' },
      { backend: 'local', model: 'local-embed' },
    ],
  },
  {
    name: 'claude',
    targets: [
      { backend: 'cloud-claude', model: 'claude-x' },
      { backend: 'local', model: 'local-chat' },
    ],
  },
];

/** Every way a value can appear in recorded bytes: as is, and escaped inside a JSON string. */
function forms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped === value ? [value] : [value, escaped];
}

/** The upstream requests of `fakes` since `marks` that carry every piece of `leak`. */
function leaks(fakes: FakeLlm[], marks: number[], leak: string[]): string[] {
  const found: string[] = [];
  fakes.forEach((fake, i) => {
    for (const r of inferenceCalls(fake).slice(marks[i])) {
      const seen = `${r.text ?? ''}\n${JSON.stringify(r.headers)}`;
      if (leak.every((piece) => forms(piece).some((f) => seen.includes(f)))) found.push(`${fake.protocol} ${r.path}`);
    }
  });
  return found;
}

async function send(stack: Stack, c: PositiveCase, model?: string): Promise<{ status: number; text: string }> {
  const body = model ? { ...c.body, model } : c.body;
  const res = await postJson(stack, body, c.headers ?? {}, c.path);
  return { status: res.status, text: await res.text() };
}

describe('privacy corpus: no personal data reaches the cloud', () => {
  const corpus = positives();
  const translated = translationPositives();

  it('has at least 300 positives across every class and 150 near-miss negatives', () => {
    expect(corpus.length + translated.length).toBeGreaterThanOrEqual(300);
    expect(negatives().length).toBeGreaterThanOrEqual(150);
    const kinds = new Set([...corpus, ...translated].map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['embeddings', 'fields', 'formats', 'splitting', 'streams', 'translation', 'unicode']);
  });

  describe.each(['embedded', 'remote'] as const)('onPii local-only (%s)', (mode) => {
    let stack: Stack;
    let clouds: FakeLlm[];
    beforeAll(async () => {
      stack = await startStack({ mode, backends: BACKENDS, models: MODELS, policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only' } } });
      clouds = [stack.fakes.cloud, stack.fakes['cloud-claude']];
    });
    afterAll(() => stack.close());

    // The whole corpus in embedded mode; every tenth case through the router (the same engine, over gRPC).
    const cases = (all: PositiveCase[]): PositiveCase[] => (mode === 'embedded' ? all : all.filter((_c, i) => i % 10 === 0));

    it('keeps every positive away from the cloud, in every field, format, disguise and split', async () => {
      const leaked: string[] = [];
      const failed: string[] = [];
      for (const c of cases(corpus)) {
        const marks = clouds.map((f) => inferenceCalls(f).length);
        const { status, text } = await send(stack, c);
        if (status >= 500) failed.push(`${c.id}: ${status} ${text.slice(0, 200)}`);
        for (const where of leaks(clouds, marks, c.leak)) leaked.push(`${c.id} -> ${where}`);
      }
      expect(failed).toEqual([]);
      expect(leaked).toEqual([]);
    });

    it('keeps them away from an Anthropic backend, whose mapper moves fields around', async () => {
      const leaked: string[] = [];
      for (const c of cases(translated)) {
        const marks = clouds.map((f) => inferenceCalls(f).length);
        const { status } = await send(stack, c, 'claude');
        expect(status).toBeLessThan(500);
        for (const where of leaks(clouds, marks, c.leak)) leaked.push(`${c.id} -> ${where}`);
      }
      expect(leaked).toEqual([]);
    });

    it('lets near misses go to the cloud: detector precision of at least 95%', async () => {
      const flagged: string[] = [];
      const all = negatives();
      for (const n of mode === 'embedded' ? all : all.slice(0, 20)) {
        const res = await postJson(stack, { model: 'chat', messages: [{ role: 'user', content: n.text }] });
        expect(res.status).toBe(200);
        if (res.headers.get('x-switchyard-tier') !== 'cloud') flagged.push(n.text);
        await res.text();
      }
      const checked = mode === 'embedded' ? all.length : 20;
      const precision = 1 - flagged.length / checked;
      console.log(`privacy corpus (${mode}): ${checked} near misses, ${flagged.length} kept local, precision ${(precision * 100).toFixed(1)}%`, flagged);
      expect(precision).toBeGreaterThanOrEqual(0.95);
    });

    it('keeps unscannable content local: images, audio, files and token ids, and says why', async () => {
      const image = { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] };
      const audio = { model: 'chat', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }] };
      const file = {
        model: 'chat',
        messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } }] }],
      };
      for (const body of [image, audio, file]) {
        const res = await postJson(stack, body);
        expect(res.headers.get('x-switchyard-tier')).toBe('local');
        await res.text();
      }
      const tokens = await postJson(stack, { model: 'embed', input: [1, 2, 3] }, {}, '/embeddings');
      expect(tokens.headers.get('x-switchyard-tier')).toBe('local');
      await tokens.text();
      const explain = await postJson(stack, image, {}, '/route/explain');
      const why = (await explain.json()) as { privacy: { action: string; unscannable: string[] }; dropped: { reason: string }[] };
      expect(why.privacy).toMatchObject({ action: 'local-only', unscannable: ['image'] });
      expect(why.dropped[0].reason).toContain('cannot be scanned (image)');
    });
  });

  describe('privacy.unscannable: allow', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        backends: BACKENDS,
        models: MODELS,
        policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only', unscannable: 'allow' } },
      });
    });
    afterAll(() => stack.close());

    it('lets an image with clean text go to the cloud', async () => {
      const res = await postJson(stack, {
        model: 'chat',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://img.example/cat.png' } }] }],
      });
      expect(res.headers.get('x-switchyard-tier')).toBe('cloud');
      await res.text();
    });
  });

  describe('onPii redact', () => {
    let stack: Stack;
    let clouds: FakeLlm[];
    beforeAll(async () => {
      stack = await startStack({ backends: BACKENDS, models: MODELS, policy: { strategy: 'cloud-first', privacy: { onPii: 'redact' } } });
      clouds = [stack.fakes.cloud, stack.fakes['cloud-claude']];
    });
    afterAll(() => stack.close());

    it('sends placeholders only, and gives the client its own values back, streams included', async () => {
      const leaked: string[] = [];
      const unrestored: string[] = [];
      const failed: string[] = [];
      for (const c of [...corpus, ...translated]) {
        const marks = clouds.map((f) => inferenceCalls(f).length);
        const { status, text } = await send(stack, c, c.kind === 'translation' ? 'claude' : undefined);
        if (status !== 200) failed.push(`${c.id}: ${status} ${text.slice(0, 200)}`);
        for (const where of leaks(clouds, marks, c.leak)) leaked.push(`${c.id} -> ${where}`);
        if (c.echoes !== undefined && status === 200 && !text.includes(JSON.stringify(c.echoes).slice(1, -1))) unrestored.push(c.id);
      }
      expect(failed).toEqual([]);
      expect(leaked).toEqual([]);
      expect(unrestored).toEqual([]);
    });

    it('restores a value in a stream, and the cloud saw its placeholder', async () => {
      const marks = clouds.map((f) => inferenceCalls(f).length);
      const res = await postJson(stack, {
        model: 'chat',
        stream: true,
        messages: [{ role: 'user', content: 'Write to jane.doe@example.com and call 415 555 2671' }],
      });
      expect(res.headers.get('x-switchyard-tier')).toBe('cloud');
      const events = await readSseData(res);
      const text = events
        .filter((e) => e !== '[DONE]')
        .map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
        .join('');
      expect(text).toContain('jane.doe@example.com');
      expect(text).toContain('415 555 2671');
      const sent = inferenceCalls(stack.fakes.cloud).slice(marks[0]);
      expect(sent).toHaveLength(1);
      expect(sent[0].text).toContain('[EMAIL_1]');
      expect(sent[0].text).not.toContain('jane.doe');
    });
  });
});

describe('privacy: hostile sizes fail neither open nor with a 500', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Probes out of the way: under a loaded machine they must not take a backend out mid-test.
    stack = await startStack({
      backends: BACKENDS,
      models: MODELS,
      policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only' }, health: { intervalMs: 60000 } },
    });
  });
  afterAll(() => stack.close());

  it.each([
    ['5.6 MB of repeated sk-', 'sk-'.repeat(1_900_000)],
    ['5.6 MB of repeated eyJ', 'eyJ'.repeat(1_900_000)],
    ['8 MB of IBAN-like groups', 'GB82 WEST '.repeat(800_000)],
  ])(
    '%s is scanned and answered',
    async (_what, content) => {
      const res = await fetch(`${stack.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content }] }),
      });
      const text = await res.text();
      // The body is in the failure message when the status is wrong.
      expect({ status: res.status, body: res.status === 200 ? 'ok' : text.slice(0, 400) }).toEqual({ status: 200, body: 'ok' });
    },
    60_000,
  );

  it('a large prompt with one email deep inside stays local', async () => {
    const content = 'lorem ipsum dolor sit amet '.repeat(40_000) + ' write to jane.doe@example.com ' + 'consectetur adipiscing '.repeat(40_000);
    const res = await postJson(stack, { model: 'chat', messages: [{ role: 'user', content }] });
    expect(res.headers.get('x-switchyard-tier')).toBe('local');
    await res.text();
    const sent = inferenceCalls(stack.fakes.cloud).filter((r) => r.text?.includes('jane.doe@example.com'));
    expect(sent).toEqual([]);
  });
});
