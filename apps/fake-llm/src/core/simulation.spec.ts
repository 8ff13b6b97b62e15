import { countWords, fakeEmbedding, tokenizeReply } from './simulation';

describe('helpers', () => {
  it('tokenizes on word boundaries keeping spaces', () => {
    expect(tokenizeReply('Echo: hello world')).toEqual(['Echo:', ' hello', ' world']);
    expect(tokenizeReply('a  b ').join('')).toBe('a  b ');
    expect(tokenizeReply('')).toEqual([]);
    expect(countWords('  one two\nthree ')).toBe(3);
  });

  it('takes a word of megabytes (a hostile prompt echoed back) as one word, and Unicode spaces as spaces', () => {
    const huge = 'sk-'.repeat(2_000_000);
    expect(tokenizeReply(`Echo: ${huge} `)).toEqual(['Echo:', ` ${huge} `]);
    expect(countWords(`Echo: ${huge}`)).toBe(2);
    expect(tokenizeReply('a\u00a0b\u3000c\ufeff')).toEqual(['a', '\u00a0b', '\u3000c\ufeff']);
    expect(countWords(' a\u2028b\u200bc ')).toBe(2);
  });

  it('embeddings are deterministic, 8-dim, unit length', () => {
    const a = fakeEmbedding('x');
    expect(a).toHaveLength(8);
    expect(fakeEmbedding('x')).toEqual(a);
    expect(fakeEmbedding('y')).not.toEqual(a);
    expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 5);
  });
});
