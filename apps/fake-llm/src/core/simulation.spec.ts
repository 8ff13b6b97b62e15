import { countWords, embeddingFor, fakeEmbedding, SEMANTIC_EMBED_DIM, semanticEmbedding, semanticTerms, tokenizeReply } from './simulation';

const cos = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

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

  describe('semanticEmbedding', () => {
    it('is deterministic, 256-dim, unit length and float32-exact (base64 round-trips)', () => {
      const a = semanticEmbedding('How do I reset my password?');
      expect(a).toHaveLength(SEMANTIC_EMBED_DIM);
      expect(SEMANTIC_EMBED_DIM).toBe(256);
      expect(semanticEmbedding('How do I reset my password?')).toEqual(a);
      expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 5);
      expect(a.every((v) => Math.fround(v) === v)).toBe(true);
    });

    it('folds case, punctuation, contractions, politeness, stop words, inflections and synonyms', () => {
      expect(semanticTerms("Could you please tell me what's the way to reset my password?")).toEqual(['how', 'reset', 'password']);
      expect(semanticTerms('how do i reset my password')).toEqual(['how', 'reset', 'password']);
      expect(semanticTerms('Compose a haiku about the leaves of autumn.').sort()).toEqual(semanticTerms('Write a haiku about autumn leaves').sort());
      expect(semanticTerms("Don't buy a car")).toEqual(['!not', 'buy', 'car']);
      expect(semanticTerms('Do not purchase an automobile')).toEqual(['!not', 'buy', 'car']);
      expect(semanticTerms('Take the meeting notes')).toEqual(['tak', 'meet', 'not']);
      expect(semanticTerms('three ideas')).toEqual(['3', 'idea']);
    });

    it('puts paraphrases close and unrelated texts far apart', () => {
      const e = semanticEmbedding;
      expect(cos(e('How do I reset my password?'), e("What's the way to reset my password?"))).toBeGreaterThan(0.97);
      expect(cos(e('Is it safe to eat raw eggs?'), e('Are raw eggs safe to eat?'))).toBeGreaterThan(0.92);
      expect(cos(e('Recommend a good book on machine learning.'), e('Can you recommend a good machine learning book?'))).toBeGreaterThan(0.92);
      expect(cos(e('How do I bake sourdough bread?'), e('What is the capital of Australia?'))).toBeLessThan(0.2);
      expect(cos(e('Write a poem about the ocean.'), e('Write a poem about the desert.'))).toBeLessThan(0.8);
    });

    it('still lands a text of nothing but stop words, and the empty text, on a unit vector', () => {
      for (const t of ['What is it?', '', '   ?!']) {
        const v = semanticEmbedding(t);
        expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
      }
      expect(semanticEmbedding('What is it?')).not.toEqual(semanticEmbedding('Who is it?'));
      expect(semanticEmbedding('constructor toString __proto__')).toHaveLength(SEMANTIC_EMBED_DIM);
    });

    it('embeddingFor answers semantic models with it and every other model with the 8-dim hash', () => {
      expect(embeddingFor('semantic-embed', 'x')).toEqual(semanticEmbedding('x'));
      expect(embeddingFor('Semantic-Embed:latest', 'x')).toEqual(semanticEmbedding('x'));
      expect(embeddingFor('nomic-embed-text', 'x')).toEqual(fakeEmbedding('x'));
    });
  });
});
