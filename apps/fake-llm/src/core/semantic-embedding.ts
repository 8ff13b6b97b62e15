/**
 * A deterministic stand-in for a small sentence-embedding model, for models whose id contains
 * `semantic`: paraphrases land close together, unrelated texts far apart. It normalises (case,
 * contractions, politeness), drops stop words, stems lightly, folds a table of synonyms and
 * paraphrase phrases to one root, and feature-hashes the terms (word unigrams, with bigrams and
 * character trigrams at lower weight) into 256 signed dimensions, L2-normalised.
 *
 * It knows no more English than its tables: rewordings it has no entry for drift apart, as they
 * would under a weak model. Values are float32-exact, so base64 and float encodings agree.
 */

export const SEMANTIC_EMBED_DIM = 256;
// Weights measured on test/support/semantic-pairs.json: heavier bigrams cost paraphrases more than they protect near misses.
const BIGRAM_WEIGHT = 0.2;
const TRIGRAM_WEIGHT = 0.15;
const LIGHT_WEIGHT = 0.5;
/** Question words and generic verbs: present in most prompts, so they say less about which answer is meant. */
const LIGHT = new Set(['when', 'where', 'who', 'explain', 'need', 'get', 'know', 'help', 'suggest', 'find', 'show', 'list', 'give', 'tell', 'say']);

/** Wrappers and paraphrase phrases, matched on whole words before stop words go; longest first. */
const PHRASES: Array<[string, string]> = [
  // Politeness and question wrappers say nothing about the answer.
  ['could you please', ''],
  ['can you please', ''],
  ['would you please', ''],
  ['would you mind', ''],
  ['i would like to know', ''],
  ['i would like you to', ''],
  ['i would like', ''],
  ['i want to know', ''],
  ['i want you to', ''],
  ['i need you to', ''],
  ['i need to know', ''],
  ['i wonder', ''],
  ['do you know', ''],
  ['could you', ''],
  ['can you', ''],
  ['would you', ''],
  ['will you', ''],
  ['tell me', ''],
  ['let me know', ''],
  ['give me', ''],
  ['show me', ''],
  ['in order to', 'to'],
  // Modal phrases weigh like the modals (should, must) they stand for.
  ['need to', ''],
  ['needs to', ''],
  ['have to', ''],
  ['has to', ''],
  ['ought to', ''],
  ['want to', ''],
  ['wants to', ''],
  ['as well as', 'and'],
  ['a lot of', 'many'],
  ['a few', ''],
  ['lots of', 'many'],
  ['a couple of', '2'],
  // "How do I…" and its rewordings.
  ['what is the best way to', 'best how'],
  ['what is the way to', 'how'],
  ['what are the steps to', 'how'],
  ['what is the procedure to', 'how'],
  ['what is the procedure for', 'how'],
  ['what is the process for', 'how'],
  ['what is the command to', 'how'],
  ['what command do i use to', 'how'],
  ['how do i', 'how'],
  ['how can i', 'how'],
  ['how should i', 'how'],
  ['how would i', 'how'],
  ['how do you', 'how'],
  ['how can you', 'how'],
  ['how does one', 'how'],
  ['how to', 'how'],
  ['way to', 'how'],
  ['ways to', 'how'],
  ['method for', 'how'],
  ['formula for', 'how'],
  ['method to', 'how'],
  ['steps to', 'how'],
  ['for how long', 'duration'],
  ['how long', 'duration'],
  ['how much time', 'duration'],
  ['what makes', 'why'],
  ['what causes', 'why'],
  ['for what reason', 'why'],
  ['how come', 'why'],
  ['stand for', 'mean'],
  ['stands for', 'mean'],
  ['sum up', 'summarize'],
  ['work out', 'calculate'],
  ['figure out', 'find'],
  ['find out', 'find'],
  ['look up', 'find'],
  ['set up', 'configure'],
  ['get rid of', 'remove'],
  ['come up with', 'suggest'],
  ['time zone', 'timezone'],
  ['e mail', 'email'],
];

/** Dropped: articles, auxiliaries, pronouns, prepositions, fillers. Negations are kept, as one term. */
const STOP = new Set(
  (
    'a an the is are was were be been being am do does did doing done have has had having of to in on at for with by from about as into onto ' +
    'over than then so and or but if because while it its this that these those there here i me my mine myself we us our ours ourselves you ' +
    'your yours yourself he him his himself she her hers herself they them their theirs themselves what which whom whose can could would ' +
    'should will shall may might must please kindly just really very quite also too some any much such own same other again ever actually ' +
    'basically simply exactly like thing things something anything stuff hey hi hello thanks thank ok okay well let lets up out using use via between among'
  ).split(' '),
);
/** Negations as one term no stem can produce ("notes" stems to "not"). */
const NOT = '!not';
const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nothing', 'nobody', 'nowhere', 'neither', 'nor', 'without']);
const NUMBER_WORDS = new Map<string, string>(
  Object.entries({
    zero: '0',
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    ten: '10',
    eleven: '11',
    twelve: '12',
    thirteen: '13',
    fourteen: '14',
    fifteen: '15',
    sixteen: '16',
    seventeen: '17',
    eighteen: '18',
    nineteen: '19',
    twenty: '20',
    thirty: '30',
    forty: '40',
    fifty: '50',
    sixty: '60',
    seventy: '70',
    eighty: '80',
    ninety: '90',
    hundred: '100',
    thousand: '1000',
    million: '1000000',
  }),
);

/** Words that mean the same thing in a prompt, the root first. Irregular forms sit with their root. */
const SYNONYMS: string[][] = [
  ['car', 'automobile', 'auto', 'vehicle'],
  ['buy', 'purchase', 'bought'],
  ['big', 'large', 'huge', 'enormous'],
  ['small', 'little', 'tiny'],
  ['short', 'brief'],
  ['afraid', 'scared', 'frightened', 'fearful'],
  ['start', 'begin', 'commence', 'launch', 'beginning'],
  ['end', 'finish', 'complete', 'conclude'],
  ['make', 'create', 'build', 'generate', 'produce', 'made'],
  ['write', 'compose', 'draft', 'wrote', 'written', 'writing', 'author', 'writer'],
  ['explain', 'describe', 'clarify', 'elaborate', 'explanation', 'description'],
  ['summarize', 'summarise', 'summary', 'recap', 'overview', 'tldr'],
  ['suggest', 'recommend', 'propose', 'advise', 'suggestion', 'recommendation', 'proposal'],
  ['tip', 'advice', 'hint', 'pointer'],
  ['idea', 'concept', 'notion'],
  ['fix', 'repair', 'solve', 'resolve', 'troubleshoot', 'mend'],
  ['error', 'bug', 'issue', 'problem', 'fault', 'mistake'],
  ['delete', 'remove', 'erase', 'drop'],
  ['help', 'assist', 'aid', 'assistance', 'support'],
  ['need', 'require', 'requirement'],
  ['way', 'method', 'approach', 'procedure', 'technique', 'process'],
  ['fast', 'quick', 'rapid', 'speedy', 'quickly'],
  ['correct', 'right', 'accurate', 'proper'],
  ['center', 'centre'],
  ['color', 'colour'],
  ['optimize', 'optimise'],
  ['organize', 'organise'],
  ['analyze', 'analyse', 'analysis'],
  ['favorite', 'favourite'],
  ['answer', 'reply', 'respond', 'response'],
  ['question', 'query', 'ask'],
  ['doctor', 'physician'],
  ['cheap', 'inexpensive', 'affordable'],
  ['expensive', 'costly', 'pricey'],
  ['price', 'cost'],
  ['picture', 'image', 'photo', 'photograph'],
  ['movie', 'film'],
  ['job', 'occupation', 'profession'],
  ['happy', 'glad', 'joyful'],
  ['sad', 'unhappy'],
  ['smart', 'intelligent', 'clever'],
  ['child', 'kid', 'children', 'kids'],
  ['person', 'people', 'individual'],
  ['man', 'men'],
  ['woman', 'women'],
  ['leaf', 'leaves'],
  ['foot', 'feet'],
  ['tooth', 'teeth'],
  ['mouse', 'mice'],
  ['use', 'utilize', 'utilise', 'employ', 'usage'],
  ['get', 'obtain', 'acquire', 'got'],
  ['calculate', 'compute', 'calculation'],
  ['mean', 'meaning', 'definition', 'define', 'acronym', 'abbreviation'],
  ['symptom', 'indication'],
  ['reason', 'cause'],
  ['list', 'enumerate'],
  ['show', 'display'],
  ['find', 'search', 'locate', 'discover'],
  ['say', 'said', 'tell', 'told', 'says'],
  ['know', 'knew', 'known'],
  ['go', 'went', 'gone', 'goes'],
  ['take', 'took', 'taken'],
  ['give', 'gave', 'given'],
  ['think', 'thought'],
  ['run', 'ran'],
  ['pick', 'choose', 'select', 'chose', 'chosen', 'choice', 'selection'],
  ['change', 'modify', 'alter', 'edit'],
  ['improve', 'enhance', 'boost', 'better', 'improvement'],
  ['learn', 'study', 'learning'],
  ['book', 'novel'],
  ['difference', 'differ', 'different', 'distinguish', 'compare', 'comparison', 'versus', 'vs'],
  ['benefit', 'advantage'],
  ['drawback', 'disadvantage', 'downside'],
  ['safe', 'harmless', 'secure'],
  ['dangerous', 'unsafe', 'harmful', 'risky'],
  ['email', 'mail'],
  ['configure', 'setup', 'configuration'],
  ['install', 'installation'],
  ['command', 'cli'],
  ['convert', 'conversion', 'transform'],
  ['translate', 'translation'],
  ['weather', 'forecast'],
  ['example', 'instance', 'sample'],
  ['word', 'term'],
  ['simple', 'easy', 'plain', 'basic'],
  ['hard', 'difficult', 'tough'],
  ['many', 'several', 'numerous', 'multiple'],
  ['cook', 'prepare'],
  ['recipe', 'dish'],
  ['sleep', 'rest'],
  ['pack', 'bring'],
  ['trip', 'travel', 'journey', 'vacation', 'holiday'],
  ['plan', 'itinerary', 'schedule'],
  ['contain', 'include', 'have'],
];

/** One stemmed term per root, built once from the tables above. */
const ROOTS = new Map<string, string>();
for (const group of SYNONYMS) {
  const root = stem(group[0]);
  for (const w of group) if (!ROOTS.has(stem(w))) ROOTS.set(stem(w), root);
}
/** Phrases by their first word, longest first. */
const PHRASE_TABLE = new Map<string, Array<{ from: string[]; to: string[] }>>();
for (const [from, to] of PHRASES) {
  const words = from.split(' ');
  const list = PHRASE_TABLE.get(words[0]) ?? [];
  list.push({ from: words, to: to === '' ? [] : to.split(' ') });
  PHRASE_TABLE.set(
    words[0],
    list.sort((a, b) => b.from.length - a.from.length),
  );
}

/** Deterministic unit-length 256-dim embedding in which paraphrases are close (values are float32-exact). */
export function semanticEmbedding(text: string): number[] {
  const terms = semanticTerms(text);
  const v = new Float64Array(SEMANTIC_EMBED_DIM);
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    v[h % SEMANTIC_EMBED_DIM] += (h & 0x80000000) !== 0 ? -weight : weight;
  };
  if (terms.length === 0) add('\u0000empty', 1);
  for (let i = 0; i < terms.length; i++) {
    const weight = LIGHT.has(terms[i]) ? LIGHT_WEIGHT : 1;
    add(terms[i], weight);
    if (i + 1 < terms.length) add(`${terms[i]} ${terms[i + 1]}`, BIGRAM_WEIGHT * Math.min(weight, LIGHT.has(terms[i + 1]) ? LIGHT_WEIGHT : 1));
    // Character trigrams share weight within a word, so long words do not outweigh short ones.
    const padded = `<${terms[i]}>`;
    const grams = padded.length - 2;
    for (let j = 0; j < grams; j++) add(`#${padded.slice(j, j + 3)}`, (weight * TRIGRAM_WEIGHT) / Math.sqrt(grams));
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => Math.fround(x / norm));
}

/** The terms semanticEmbedding hashes: normalised, stop words dropped, stemmed, synonyms folded. */
export function semanticTerms(text: string): string[] {
  const words = normalise(text).match(/[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu) ?? [];
  const phrased = rewritePhrases(words.map((w) => NUMBER_WORDS.get(w) ?? w));
  const terms: string[] = [];
  for (const w of phrased) {
    if (NEGATIONS.has(w)) terms.push(NOT);
    else if (!STOP.has(w)) {
      const s = stem(w);
      terms.push(ROOTS.get(s) ?? s);
    }
  }
  // A text of nothing but stop words ("What is it?") still has to land somewhere of its own.
  return terms.length > 0 ? terms : phrased;
}

function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[‘’‛′`]/g, "'")
    .replace(/\bcan't\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/\bshan't\b/g, 'shall not')
    .replace(/\bcannot\b/g, 'can not')
    .replace(/n't\b/g, ' not')
    .replace(/'re\b/g, ' are')
    .replace(/'ve\b/g, ' have')
    .replace(/'ll\b/g, ' will')
    .replace(/'d\b/g, ' would')
    .replace(/'m\b/g, ' am')
    .replace(/\blet's\b/g, 'let us')
    .replace(/\b(what|that|it|there|here|who|where|how|when|why|he|she|this)'s\b/g, '$1 is')
    .replace(/'s\b/g, '')
    .replace(/\$/g, ' dollar ')
    .replace(/€/g, ' euro ')
    .replace(/£/g, ' pound ')
    .replace(/%/g, ' percent ')
    .replace(/&/g, ' and ');
}

function rewritePhrases(words: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  outer: while (i < words.length) {
    for (const p of PHRASE_TABLE.get(words[i]) ?? []) {
      if (i + p.from.length > words.length) continue;
      let k = 1;
      while (k < p.from.length && words[i + k] === p.from[k]) k++;
      if (k === p.from.length) {
        out.push(...p.to);
        i += k;
        continue outer;
      }
    }
    out.push(words[i]);
    i++;
  }
  return out;
}

/** Light suffix stripping: plurals, -ing, -ed, -ly, -ise/-ize and a final e, so inflections meet. */
function stem(word: string): string {
  let w = word;
  if (/^\p{N}/u.test(w) || w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  // -ing and -ed go only when a syllable stays: "string" and "need" are words of their own.
  if (w.endsWith('ing') && /[aeiouy]/.test(w.slice(0, -3)) && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && /[aeiouy]/.test(w.slice(0, -2)) && w.length > 4 && !w.endsWith('eed')) w = undouble(w.slice(0, -2));
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (/is(e|ed|ing)?$/.test(w) && w.length > 5) w = w.replace(/is(e|ed|ing)?$/, 'iz');
  if (w.endsWith('ize')) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w) ? w.slice(0, -1) : w;
}

/** FNV-1a over UTF-16 units: stable across runs and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
