import { tooDeepAt, topLevelFieldAt } from './json-depth';

describe('tooDeepAt', () => {
  it.each([
    ['{}', 1, -1],
    ['{"a":[1,{"b":2}]}', 3, -1],
    ['{"a":[1,{"b":2}]}', 2, 8],
    ['[[[]]]', 2, 2],
    // Brackets inside strings do not count, escaped quotes do not end them, an escaped backslash does not escape the quote.
    ['{"a":"[[[[{{{{"}', 1, -1],
    ['{"a":"\\"[[[[","b":1}', 1, -1],
    ['{"a":"x\\\\","b":[[1]]}', 2, 16],
    ['"[[[["', 0, -1],
  ])('%s with at most %d levels: %d', (text, max, at) => {
    expect(tooDeepAt(text, max)).toBe(at);
  });

  it('takes a body nested tens of thousands deep in one pass, without recursion', () => {
    const text = '['.repeat(50_000) + ']'.repeat(50_000);
    expect(tooDeepAt(text, 64)).toBe(64);
    expect(tooDeepAt(text, 100_000)).toBe(-1);
  });
});

describe('topLevelFieldAt', () => {
  it('names the top-level field holding the position', () => {
    const text = '{"model":"m","messages":[{"content":"a"}],"tools":[[[1]]]}';
    expect(topLevelFieldAt(text, text.indexOf('[[[') + 2)).toBe('tools');
    expect(topLevelFieldAt(text, text.indexOf('{"content"'))).toBe('messages');
    expect(topLevelFieldAt('[[[1]]]', 2)).toBeNull();
  });
});
