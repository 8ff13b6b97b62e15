import { PiiScanner } from './detectors';
import { scanPayload, type ScanResult } from './scan';
import { seeded } from '../seeded.mock';

/**
 * Mutation fuzzing: values a detector must catch, disguised the ways the corpus shows attackers
 * do (invisible characters, case, separators, splits across parts), each mutant required to be
 * caught. Seeded, so a failure reproduces.
 */

const SEEDS: [category: string, value: string, separable: boolean][] = [
  ['email', 'jane.doe@example.com', false],
  ['email', 'ops_team@sub.example.co.uk', false],
  ['phone', '415 555 2671', true],
  ['phone', '+44 20 7946 0958', true],
  ['phone', '020 7946 0958', true],
  ['credit_card', '4111 1111 1111 1111', true],
  ['credit_card', '5555 5555 5555 4444', true],
  ['credit_card', '3782 822463 10005', true],
  ['iban', 'GB82 WEST 1234 5698 7654 32', true],
  ['iban', 'DE89 3704 0044 0532 0130 00', true],
  ['us_ssn', '123-45-6789', true],
  ['secret', 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc', false],
  ['secret', 'sk-proj-' + 'Ab3De6Gh9Jk2Mn5Pq8St1Vw4', false],
];

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u2066', '\u202e'];
const SEPARATORS = [' ', '-', '.', '  ', '\u00a0', '\u2011'];

type Mutant = { text: string | string[]; how: string };

function mutate(value: string, separable: boolean, rand: () => number): Mutant {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const kinds = ['invisible', 'case', 'split', 'fullwidth', ...(separable ? ['separators'] : [])];
  const kind = pick(kinds);
  switch (kind) {
    case 'invisible': {
      const chars = [...value];
      const n = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) chars.splice(1 + Math.floor(rand() * (chars.length - 1)), 0, pick(INVISIBLE));
      return { text: chars.join(''), how: kind };
    }
    case 'case':
      // Only where case carries no meaning: emails and IBANs; others keep theirs.
      return {
        text: /@/.test(value) || /^[A-Z]{2}\d\d /.test(value) ? [...value].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('') : value,
        how: kind,
      };
    case 'separators': {
      const sep = pick(SEPARATORS);
      return { text: value.replace(/[ .-]+/g, () => sep), how: `${kind} ${JSON.stringify(sep)}` };
    }
    case 'fullwidth':
      return { text: value.replace(/[0-9@.]/g, (c) => (rand() < 0.5 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)), how: kind };
    default: {
      const at = 1 + Math.floor(rand() * (value.length - 2));
      return { text: [value.slice(0, at), value.slice(at)], how: `split at ${at}` };
    }
  }
}

describe('privacy fuzz: every mutant of a positive is caught', () => {
  const scanner = new PiiScanner();

  it('catches 1,000 seeded mutants', () => {
    const rand = seeded(20261130);
    const missed: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const [category, value, separable] = SEEDS[i % SEEDS.length];
      const m = mutate(value, separable, rand);
      const content = Array.isArray(m.text) ? m.text.map((t) => ({ type: 'text', text: t })) : `Contact: ${m.text} thanks`;
      const result = scanPayload({ messages: [{ role: 'user', content }] }, scanner) as ScanResult;
      if (!result.categories.includes(category as never)) missed.push(`${category} ${m.how}: ${JSON.stringify(m.text)}`);
    }
    expect(missed).toEqual([]);
  });
});
