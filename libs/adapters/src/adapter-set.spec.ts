import { parseConfig } from '@switchyard/contracts';
import { AdapterSet } from './adapter-set';

const backends = (url: string, extra = '') =>
  parseConfig(
    `backends:\n  - { name: a, protocol: openai, baseUrl: "http://127.0.0.1:1/v1", tier: local, models: [m] }\n  - { name: b, protocol: ollama, baseUrl: "${url}", tier: local, models: [m]${extra} }\n`,
  ).backends;

describe('AdapterSet', () => {
  it('keeps the adapters of unchanged backends and closes replaced ones after the grace period', async () => {
    const set = new AdapterSet();
    const first = set.apply(backends('http://127.0.0.1:2'), 10);
    const a = first.get('a')!;
    const b = first.get('b')!;
    const closed = jest.spyOn(b, 'close');

    const second = set.apply(backends('http://127.0.0.1:3'), 10);
    expect(second.get('a')).toBe(a);
    expect(second.get('b')).not.toBe(b);
    expect(second.get('b')!.backend.baseUrl).toBe('http://127.0.0.1:3');
    expect(closed).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toHaveBeenCalledTimes(1);
    expect(set.get('b')).toBe(second.get('b'));
    await set.close();
  });

  it('closes current and retiring adapters on close()', async () => {
    const set = new AdapterSet();
    const old = set.apply(backends('http://127.0.0.1:2'), 60_000).get('b')!;
    const retired = jest.spyOn(old, 'close');
    const current = set.apply(backends('http://127.0.0.1:2', ', maxConcurrency: 2'), 60_000).get('b')!;
    const live = jest.spyOn(current, 'close');
    await set.close();
    expect(retired).toHaveBeenCalledTimes(1);
    expect(live).toHaveBeenCalledTimes(1);
  });
});
