import { parseConfig } from '@switchyard/contracts';
import { costTable, requestCostUsd } from './cost';

describe('requestCostUsd', () => {
  it.each([
    ['cloud: per 1M input and output tokens', { price: { input: 2.5, output: 10 } }, 1_000, 500, undefined, (1_000 * 2.5 + 500 * 10) / 1e6],
    ['local: the hour over the measured speed', { costPerHour: 3.6 }, 1_000, 200, 100, (3.6 / 3600) * ((100 + 200) / 100)],
    ['local: an assumed speed until one is measured', { costPerHour: 3.6 }, 0, 30, undefined, 3.6 / 3600],
    ['free', {}, 1_000, 1_000, undefined, 0],
  ])('%s', (_name, rates, input, output, tps, usd) => {
    expect(requestCostUsd(rates, input, output, tps)).toBeCloseTo(usd, 12);
  });
});

describe('CostTable', () => {
  const config = parseConfig(
    JSON.stringify({
      backends: [
        {
          name: 'cloud',
          protocol: 'openai',
          tier: 'cloud',
          baseUrl: 'https://api.example.com/v1',
          apiKey: 'sk-test',
          price: { input: 1, output: 2 },
          models: [{ id: 'big', price: { input: 5, output: 15 } }, { id: 'small' }],
        },
        {
          name: 'box',
          protocol: 'ollama',
          tier: 'local',
          baseUrl: 'http://127.0.0.1:11434',
          costPerHour: 0.5,
          price: { input: 9, output: 9 },
          models: [{ id: 'llama' }],
        },
      ],
    }),
  );

  it("takes a model's price over its backend's, and prices only on cloud backends", () => {
    const table = costTable(config);
    expect(table.of('cloud', 'big')).toEqual({ price: { input: 5, output: 15 } });
    expect(table.of('cloud', 'small').price).toEqual({ input: 1, output: 2 });
    expect(table.of('box', 'llama')).toEqual({ price: undefined, costPerHour: 0.5 });
    expect(table.of('cloud', 'unlisted').price).toEqual({ input: 1, output: 2 });
    expect(table.of('gone', 'x')).toEqual({});
  });

  it('is built once per config', () => {
    expect(costTable(config)).toBe(costTable(config));
  });
});
