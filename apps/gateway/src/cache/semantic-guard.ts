/**
 * The semantic cache's guard against near misses. Embeddings place "Is 97 prime?" and "Is 91
 * prime?", or "flights from Paris to London" and "from London to Paris", side by side; their
 * answers differ. `salientSignature` reduces a prompt to what must be identical for two prompts to
 * share an answer, whatever the wording around it: numbers (with units and currency), negations,
 * names and identifiers, quoted strings, emails and URLs, words whose swap flips the meaning
 * (buy/sell, before/after, more/less…), whose (my/her/his/their) and day words, each marked with the
 * preposition that gives it a role (from/to/than/by). A semantic hit needs equal signatures.
 *
 * It errs towards a miss: a paraphrase that drops "my" or writes "python" for "Python" misses the
 * cache, which costs a backend call; the opposite error serves a wrong answer. Pure and linear in
 * the text; no dictionaries beyond the small tables below.
 */

import { createHash } from 'node:crypto';

/** Longest text scanned item by item (about 5 µs per 100 characters); longer ones match only themselves. */
export const MAX_SCANNED_CHARS = 16_384;

/** A lookup table that knows no inherited keys (`constructor` is a word too). */
function table<T>(entries: Record<string, T>): Map<string, T> {
  return new Map(Object.entries(entries));
}

/** Quoted spans: "…", `…`, and '…' that is not an apostrophe (no word character outside it). */
const QUOTED = /"([^"\n]{1,400})"|`([^`\n]{1,400})`|(?<![\p{L}\p{N}])'([^'\n]{1,400})'(?![\p{L}\p{N}])/gu;
const EMAIL = /^[^@\s]+@[^@\s]+\.[\p{L}]{2,}$/u;
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)/i;
/** host.tld or host.tld/path, and file names (report.pdf): letters on both sides of a dot. */
const DOTTED = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*\.[\p{L}]{2,}[\p{L}\p{N}]*(?:\/\S*)?$/u;
const NUMBER_START = /^[+-]?[$€£¥]?[+-]?\.?\d/u;
const NUMBER_FIRST = new Set([...'0123456789+-$€£¥.']);
const LEAD_PUNCT = new Set([...'([{<"\'*•·-']);
const TRAIL_PUNCT = new Set([...')]}>"\'.,;:!?…']);
const SENTENCE_END = new Set([...'.!?:…']);

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nothing', 'nobody', 'nowhere', 'neither', 'nor', 'without', 'cannot', 'non']);
/** Words that carry their own "not": "Is it possible" and "Is it impossible" must not share an answer. */
const NEGATED_WORDS = new Set(
  (
    'impossible unable unsafe unhealthy unlikely unknown unavailable unsupported unnecessary unlawful illegal invalid incorrect ' +
    'inactive insecure incomplete inaccurate unclear unstable unsuccessful unusual uncommon unhappy unfair unpaid unread unused ' +
    'unlimited unsure unwanted disallowed'
  ).split(' '),
);
const EXCEPT = new Set(['except', 'excluding', 'besides']);
/** What follows an apostrophe in a contraction or possessive: the word is what comes before it. */
const CONTRACTED = new Set(['s', 're', 've', 'll', 'd', 'm']);
/** Capitals that name nothing. */
const CAPS_NOT_NAMES = new Set(['ok', 'okay', 'faq', 'pls', 'asap', 'fyi', 'btw', 'imo', 'tldr', 'eta']);

/** Word → the side of an opposition it stands on; synonyms share a side. */
const OPPOSITIONS = new Map<string, string>();
function opposed(group: string, sides: string[][]): void {
  sides.forEach((words, i) => words.forEach((w) => OPPOSITIONS.set(w, `${group}${i}`)));
}
opposed('more', [
  ['more', 'greater', 'higher', 'larger', 'bigger', 'above', 'exceed', 'increase', 'raise', 'rise', 'grow', 'most', 'highest', 'largest', 'biggest'],
  ['less', 'fewer', 'lower', 'smaller', 'below', 'decrease', 'reduce', 'shrink', 'least', 'fewest', 'lowest', 'smallest', 'cut'],
]);
opposed('max', [
  ['maximum', 'max', 'maximal', 'maximize', 'maximise', 'upper', 'ceiling'],
  ['minimum', 'min', 'minimal', 'minimize', 'minimise', 'lower-bound', 'floor'],
]);
opposed('when', [
  ['before', 'prior', 'earlier', 'previous', 'previously'],
  ['after', 'later', 'afterwards', 'afterward', 'subsequent'],
]);
opposed('next', [
  ['last', 'past', 'preceding'],
  ['next', 'upcoming', 'coming', 'future'],
]);
opposed('trade', [
  ['buy', 'purchase', 'bought'],
  ['sell', 'sold'],
]);
opposed('order', [
  ['ascending', 'ascend', 'asc'],
  ['descending', 'descend', 'desc'],
]);
opposed('load', [['upload'], ['download']]);
opposed('port', [['import'], ['export']]);
opposed('crypt', [['encrypt'], ['decrypt']]);
opposed('code', [['encode'], ['decode']]);
opposed('zip', [
  ['compress', 'zip'],
  ['decompress', 'unzip', 'extract'],
]);
opposed('able', [
  ['enable', 'activate'],
  ['disable', 'deactivate'],
]);
opposed('add', [
  ['add', 'insert', 'append'],
  ['remove', 'delete', 'drop', 'erase'],
]);
opposed('install', [['install'], ['uninstall']]);
opposed('lock', [['lock'], ['unlock']]);
opposed('sub', [['subscribe'], ['unsubscribe']]);
opposed('connect', [['connect'], ['disconnect']]);
opposed('run', [
  ['start', 'begin', 'launch'],
  ['stop', 'halt', 'terminate', 'finish'],
]);
opposed('open', [['open'], ['close', 'closed']]);
opposed('push', [['push'], ['pull']]);
opposed('send', [
  ['send', 'sent', 'outgoing', 'outbound'],
  ['receive', 'received', 'incoming', 'inbound'],
]);
opposed('io', [['input'], ['output']]);
opposed('lend', [['lend', 'lent'], ['borrow']]);
opposed('book', [['credit'], ['debit']]);
opposed('gain', [
  ['profit', 'gain', 'win', 'won'],
  ['loss', 'lose', 'lost'],
]);
opposed('temp', [
  ['hot', 'warm', 'warmer', 'hotter'],
  ['cold', 'cool', 'colder', 'cooler'],
]);
opposed('speed', [
  ['fast', 'faster', 'fastest', 'quick', 'quicker'],
  ['slow', 'slower', 'slowest'],
]);
opposed('rank', [['best'], ['worst']]);
opposed('truth', [['true'], ['false']]);
opposed('verdict', [
  ['accept', 'approve', 'allow', 'permit', 'grant'],
  ['reject', 'deny', 'decline', 'refuse', 'block', 'forbid'],
]);
opposed('incl', [
  ['include', 'inclusive'],
  ['exclude', 'exclusive'],
]);
opposed('pros', [
  ['pro', 'pros', 'advantage', 'benefit'],
  ['con', 'cons', 'disadvantage', 'drawback', 'downside', 'risk'],
]);
opposed('sign', [['positive'], ['negative']]);
opposed('agree', [['agree'], ['disagree']]);
opposed('like', [['love'], ['hate']]);
opposed('side', [
  ['inside', 'internal', 'indoor', 'indoors'],
  ['outside', 'external', 'outdoor', 'outdoors'],
]);
opposed('compass', [
  ['north', 'northern'],
  ['south', 'southern'],
  ['east', 'eastern'],
  ['west', 'western'],
]);
opposed('season', [['spring'], ['summer'], ['autumn', 'fall'], ['winter']]);
opposed('sex', [
  ['man', 'men', 'male', 'boy', 'husband', 'father', 'son'],
  ['woman', 'women', 'female', 'girl', 'wife', 'mother', 'daughter'],
]);

/** Whose: "my balance" and "her balance" differ. "our" is left out: "our solar system" is nobody's. */
const PERSONS = table<string>({
  my: 'my',
  mine: 'my',
  myself: 'my',
  your: 'your',
  yours: 'your',
  yourself: 'your',
  he: 'he',
  him: 'he',
  his: 'he',
  himself: 'he',
  she: 'she',
  her: 'she',
  hers: 'she',
  herself: 'she',
  their: 'their',
  theirs: 'their',
});
/**
 * What a question asks for: "When was it founded?" and "Where was it founded?" differ (how, why and
 * what reword too freely). Only where a question starts: "a dragon who is afraid" asks nothing.
 */
const ASKS = table<string>({ who: 'who', whom: 'who', whose: 'who', when: 'when', where: 'where' });
const ASKS_AFTER = new Set(['me', 'know', 'tell', 'explain', 'wonder', 'asking', 'and', 'or']);
const DAYS = table<string>({ today: 'today', tonight: 'tonight', tomorrow: 'tomorrow', yesterday: 'yesterday' });

/** Prepositions that give the next salient item a role: "from Paris to London" is not "from London to Paris". */
const ROLES = table<string>({ from: 'from', to: 'to', into: 'to', onto: 'to', than: 'than', by: 'by', minus: 'minus' });
/** Words a role looks past on the way to its item: "to the S3 bucket", "from my account". */
const ROLE_SKIP = new Set(['the', 'a', 'an', 'this', 'that', 'these', 'those', 'my', 'your', 'his', 'her', 'their', 'our', 'its', 'some']);

const SMALL = table<number>({
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
});
const SCALES = table<number>({ hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, dozen: 12 });
const ORDINALS = table<number>({
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  twentieth: 20,
  thirtieth: 30,
  hundredth: 100,
});
/** "which one", "no one", "the one": a pronoun, not a count. */
const ONE_PRONOUN_BEFORE = new Set(
  (
    'the this that which each every any another no some other same only right wrong first second third last next new old big small little good bad ' +
    'better best latest older newer'
  ).split(' '),
);

/** Units, glued ("5kg", "7pm") or the next word ("5 kilograms"), folded to one spelling. */
const UNITS = new Map<string, string>();
function unit(canonical: string, words: string): void {
  for (const w of words.split(' ')) UNITS.set(w, canonical);
}
unit('%', '% percent pct per-cent');
unit('$', '$ usd dollar dollars buck bucks');
unit('€', '€ eur euro euros');
unit('£', '£ gbp quid sterling');
unit('¥', '¥ jpy yen');
unit('kg', 'kg kgs kilo kilos kilogram kilograms kilogramme kilogrammes');
unit('g', 'g gram grams gramme grammes');
unit('mg', 'mg milligram milligrams');
unit('lb', 'lb lbs pound pounds');
unit('oz', 'oz ounce ounces');
unit('km', 'km kms kilometer kilometers kilometre kilometres');
unit('m', 'm meter meters metre metres');
unit('cm', 'cm centimeter centimeters centimetre centimetres');
unit('mm', 'mm millimeter millimeters millimetre millimetres');
unit('mi', 'mi mile miles');
unit('ft', 'ft foot feet');
unit('in', 'inch inches');
unit('l', 'l liter liters litre litres');
unit('ml', 'ml milliliter milliliters millilitre millilitres');
unit('ms', 'ms millisecond milliseconds');
unit('s', 's sec secs second seconds');
unit('min', 'min mins minute minutes');
unit('h', 'h hr hrs hour hours');
unit('day', 'd day days');
unit('week', 'wk wks week weeks');
unit('month', 'mo month months');
unit('year', 'y yr yrs year years');
unit('kb', 'kb kilobyte kilobytes');
unit('mb', 'mb megabyte megabytes');
unit('gb', 'gb gig gigs gigabyte gigabytes');
unit('tb', 'tb terabyte terabytes');
unit('ghz', 'ghz');
unit('mhz', 'mhz');
unit('am', 'am a.m');
unit('pm', 'pm p.m');
unit('°c', '°c celsius');
unit('°f', '°f fahrenheit');
unit('°', '° deg degree degrees');
unit('x', 'x');
unit('word', 'word words');
unit('page', 'page pages');
unit('line', 'line lines');
unit('char', 'char chars character characters');
unit('ord', 'st nd rd th');
/** Multipliers glued to a number: "2.5k". */
const GLUED_SCALES = table<number>({ k: 1e3, bn: 1e9 });

/** Abbreviations whose dot does not end a sentence, so "Mr. Thompson" stays a name mid-sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'sr',
  'jr',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'inc',
  'ltd',
  'co',
  'no',
  'approx',
  'dept',
  'fig',
]);

/**
 * Words that start sentences without being names: a capitalised word at a sentence's start is a
 * name only when it is none of these ("Paris is…", but not "Summarize…" or "Budget: …").
 */
const COMMON = new Set(
  (
    'a an the this that these those there here it its i me my mine we us our you your he him his she her they them their what which who whom ' +
    'whose when where why how whether if then than so and or but because since while although though as also just only even still yet please ' +
    'kindly hi hello hey thanks thank ok okay yes no not never none nothing nobody neither nor without is are was were be been am do does did ' +
    'done have has had can could would should will shall may might must let lets give show tell list explain describe summarize summarise write ' +
    'compose draft create make build generate produce find search look check compare convert calculate compute translate rewrite rephrase fix ' +
    'debug help suggest recommend define name provide outline plan design implement add remove delete update set book send forward email call ' +
    'schedule remind sort filter count estimate predict analyze analyse review read take put keep get go run use try start stop open close buy ' +
    'sell order cancel assume imagine consider suppose pretend act answer ask continue proceed now today tomorrow yesterday tonight first second ' +
    'third next last finally again after before during in on at for from to into by with about of over under between some any all every each ' +
    'many much more most less few several both either one two three four five six seven eight nine ten shouldn isn didn doesn don won wouldn ' +
    'good great best new old other another same such own sure well very really instead otherwise however therefore meanwhile note remember ' +
    'important warning error summary question example step steps option options pick choose select refactor proofread paraphrase brainstorm rank ' +
    'rate classify extract parse format clean tidy improve simplify shorten expand reword polish edit correct finish complete fill solve prove ' +
    'derive evaluate assess grade score test verify validate confirm identify detect highlight mark label tag annotate title quote cite map plot ' +
    'draw sketch chart graph sum subtract multiply divide round factor context task input output text code data instructions instruction ' +
    'background problem goal request response prompt system user assistant subject topic description details budget requirements constraints ' +
    'style tone audience length deadline'
  ).split(' '),
);
/** Endings of verbs and common nouns that open prompts (Translate, Visualize, Classification), rare in names. */
const WORDISH = /(?:ize|ify|ate|ing|tion|sion|ment|ity|ous|ive|able|ible|ful|less|ness)$/;

interface Word {
  /** As written, trimmed of surrounding punctuation. */
  text: string;
  lower: string;
  sentenceStart: boolean;
}

/**
 * The canonical signature of what must be identical for two prompts to share an answer: a sorted
 * multiset of salient items, as JSON. Equal texts have equal signatures; so do most paraphrases.
 */
export function salientSignature(text: string): string {
  // Past this size a prompt is a document, not a question: it shares an answer only with itself.
  if (text.length > MAX_SCANNED_CHARS) return JSON.stringify([`exact:${createHash('sha256').update(text).digest('base64url')}`]);
  return JSON.stringify(salientItems(text));
}

/**
 * The signature's items, sorted: `n:` numbers (with unit), `!not` negations, `@` names and
 * identifiers, `q:` quoted strings, `u:` emails, URLs and file names, `~` sides of an opposition,
 * `p:` whose, `?` who/when/where, `t:` days; an item after from/to/than/by carries it (`to>@alice`).
 */
export function salientItems(text: string): string[] {
  const items: string[] = [];
  const normalised = text
    .normalize('NFKC')
    .replace(/[‘’‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/[−‒–—]/g, '-');
  const rest = normalised.replace(QUOTED, (_m, d?: string, b?: string, s?: string) => {
    const inner = (d ?? b ?? s ?? '')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/[.,;:!?]+$/, '');
    if (inner !== '') items.push(`q:${inner}`);
    return ' ';
  });
  const words = splitWords(rest);
  new Scanner(words, items, casingCarriesNames(words)).run();
  return items.sort();
}

/** Whitespace-separated words, trimmed of punctuation, each knowing whether it starts a sentence. */
function splitWords(text: string): Word[] {
  const out: Word[] = [];
  for (const line of text.split('\n')) {
    let sentenceStart = true;
    for (const raw of line.split(/\s+/)) {
      if (raw === '') continue;
      let from = 0;
      let to = raw.length;
      // A leading "-" is a bullet or a dash, unless a number follows: "-4.5" keeps its sign.
      while (from < to && LEAD_PUNCT.has(raw[from]) && !(raw[from] === '-' && /[\d.]/.test(raw[from + 1] ?? ''))) from++;
      let ends = false;
      while (to > from && TRAIL_PUNCT.has(raw[to - 1])) ends = SENTENCE_END.has(raw[--to]) || ends;
      const core = raw.slice(from, to);
      if (core !== '') {
        // A hyphenated word is its parts ("two-week", "team-building"), unless it carries a digit (INV-2041, 500-word).
        const parts = core.includes('-') && !/\d/.test(core) ? core.split('-').filter((p) => p !== '') : [core];
        parts.forEach((p, i) => out.push({ text: p, lower: p.toLowerCase(), sentenceStart: sentenceStart && i === 0 }));
        sentenceStart = false;
      }
      if ((ends && !ABBREVIATIONS.has(core.toLowerCase())) || raw === '-' || raw === '*' || raw === '•') sentenceStart = true;
    }
  }
  return out;
}

/**
 * In SHOUTED or Title Cased text capitals say nothing about names. Title Case shows in capitalised
 * small words mid-sentence ("What Is The Capital Of France"), which names do not have.
 */
function casingCarriesNames(words: Word[]): boolean {
  let cased = 0;
  let upper = 0;
  let capitalisedSmall = 0;
  for (const w of words) {
    if (w.text.length < 2) continue;
    const up = w.text.toUpperCase();
    if (up === w.lower) continue; // no letters with case
    cased++;
    if (w.text === up) upper++;
    else if (!w.sentenceStart && w.text[0] !== w.lower[0] && COMMON.has(w.lower)) capitalisedSmall++;
  }
  return !(cased >= 3 && upper / cased >= 0.6) && capitalisedSmall < 2;
}

/** Walks the words once, emitting items; `role` is a pending from/to/than/by for the next salient item. */
class Scanner {
  private role: string | undefined;
  private i = 0;

  constructor(
    private readonly words: Word[],
    private readonly items: string[],
    private readonly casing: boolean,
  ) {}

  run(): void {
    while (this.i < this.words.length) {
      const lower = this.words[this.i].lower;
      const role = this.role;
      this.word(this.words[this.i]);
      // A role reaches past articles and possessives only ("to the S3 bucket"), and is spent by an item.
      const roleWord = ROLES.get(lower);
      if (roleWord !== undefined) this.role = roleWord;
      else if (this.role === role && !ROLE_SKIP.has(lower)) this.role = undefined;
    }
  }

  /** Emits what the word at `i` (and perhaps the words after it) carries, and moves past them. */
  private word(w: Word): void {
    const { text, lower } = w;
    // Cheap character checks first: most words are plain words.
    if (text.includes('@') && EMAIL.test(text)) return this.salient(`u:${lower}`, 1);
    if ((text.includes('://') || lower.startsWith('www.')) && URL_LIKE.test(text)) {
      return this.salient(`u:${lower.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/$/, '')}`, 1);
    }
    if (NUMBER_FIRST.has(text[0]) && NUMBER_START.test(text)) return this.number(text);
    if (/\d/.test(text)) return this.salient(`@${lower}`, 1);
    if (text.includes('.') && DOTTED.test(text) && !ABBREVIATIONS.has(lower)) return this.salient(`u:${lower}`, 1);
    if (text.startsWith('/') || text.startsWith('~/')) return this.salient(`u:${lower}`, 1);
    if (text.includes('/')) {
      // "and/or", "buy/sell": each side is a word, and together they are the one word at `i`.
      const at = this.i;
      for (const p of text.split('/')) {
        if (p !== '') this.plain(p, false);
        this.i = at;
      }
      this.i = at + 1;
      return;
    }
    this.plain(text, w.sentenceStart, lower);
  }

  private plain(written: string, sentenceStart: boolean, writtenLower = written.toLowerCase()): void {
    let text = written;
    let lower = writtenLower;
    const apostrophe = text.indexOf("'");
    if (apostrophe >= 0) {
      const tail = text.slice(apostrophe + 1).toLowerCase();
      if (tail === 't' && text.slice(0, apostrophe).toLowerCase().endsWith('n')) return this.push('!not', 1); // don't, can't, won't
      // Hamlet's, I'd, we're: the word before the apostrophe; O'Brien: the whole name.
      text = CONTRACTED.has(tail) ? text.slice(0, apostrophe) : text.replace(/'/g, '');
      if (text === '') return this.skip(1);
      lower = text.toLowerCase();
    }
    if (NEGATIONS.has(lower) || NEGATED_WORDS.has(lower)) return this.push('!not', lower === 'no' && this.peek(1) === 'one' ? 2 : 1);
    if (EXCEPT.has(lower)) return this.push('!except', 1);
    if (SMALL.has(lower) || SCALES.has(lower) || (lower === 'a' && SCALES.has(this.peek(1)))) {
      if (this.numberWords()) return;
    }
    const ordinal = ORDINALS.get(lower);
    if (ordinal !== undefined) return this.salient(`n:${ordinal}ord`, 1);
    const opposition = lookup(OPPOSITIONS, lower);
    if (opposition !== undefined) this.items.push(`~${opposition}`);
    const person = PERSONS.get(lower);
    if (person !== undefined) this.items.push(`p:${person}`);
    const asks = ASKS.get(lower);
    if (asks !== undefined && (sentenceStart || ASKS_AFTER.has(this.peek(-1)))) this.items.push(`?${asks}`);
    const day = DAYS.get(lower);
    if (day !== undefined) this.items.push(`t:${day}`);
    if (this.isName(text, lower, sentenceStart)) return this.salient(`@${lower.replace(/\./g, '')}`, 1);
    this.skip(1);
  }

  private isName(text: string, lower: string, sentenceStart: boolean): boolean {
    if (!this.casing || text === lower || text.length < 2 || CAPS_NOT_NAMES.has(lower)) return false;
    if (text === text.toUpperCase()) return true; // HTTP, CEO, U.S
    if (text.slice(1) !== lower.slice(1)) return true; // iPhone, GitHub, McDonald
    return !sentenceStart || !(COMMON.has(lower) || (lower.length >= 6 && WORDISH.test(lower)));
  }

  /** Number words from here ("twenty one", "two hundred and five", "a dozen"); false when they are no count ("which one"). */
  private numberWords(): boolean {
    const start = this.i;
    if (this.words[start].lower === 'one' && start > 0 && ONE_PRONOUN_BEFORE.has(this.words[start - 1].lower)) return false;
    let total = 0;
    let current = 0;
    let any = false;
    let j = start;
    for (; j < this.words.length; j++) {
      const w = this.words[j].lower;
      const small = SMALL.get(w);
      const scale = SCALES.get(w);
      if (small !== undefined) current += small;
      else if (w === 'hundred') current = (current || 1) * 100;
      else if (scale !== undefined) {
        total += (current || 1) * scale;
        current = 0;
      } else if (w === 'a' && j === start) continue;
      else if (w === 'and' && any && SMALL.has(this.words[j + 1]?.lower ?? '')) continue;
      else break;
      any = true;
    }
    if (!any) return false;
    this.i = j;
    this.emitNumber(String(total + current), '');
    return true;
  }

  /** A word that starts like a number: sign, currency, digits and separators, then perhaps a glued unit. */
  private number(text: string): void {
    const m = /^([+-]?)([$€£¥]?)([+-]?)([\d.,:/-]*\d)(.*)$/u.exec(text);
    if (m === null) return this.salient(`n:${text.toLowerCase()}`, 1);
    const [, sign1, currency, sign2, body, rest] = m;
    let value = canonicalNumber(`${sign1 === '-' || sign2 === '-' ? '-' : ''}${body}`);
    let suffix = rest.toLowerCase().replace(/^-/, '').replace(/\./g, '');
    const gluedScale = GLUED_SCALES.get(suffix);
    if (gluedScale !== undefined && isDecimal(value)) {
      value = String(Number(value) * gluedScale);
      suffix = '';
    }
    this.i++;
    let unitName = currency === '' ? '' : (UNITS.get(currency) ?? '');
    const scale = SCALES.get(this.peek(0));
    if (suffix !== '') unitName += UNITS.get(suffix) ?? suffix;
    else if (scale !== undefined && isDecimal(value)) {
      value = String(Number(value) * scale); // "1.5 million"
      this.i++;
    }
    this.emitNumber(value, unitName);
  }

  /** Emits `n:<value><unit>`, taking the next word as the unit when the number has none yet ("5 kilograms", "$20 dollars"). */
  private emitNumber(value: string, unitName: string): void {
    const next = this.peek(0).replace(/\./g, '');
    const nextUnit = next.length > 1 ? UNITS.get(next) : undefined;
    let u = unitName;
    if (nextUnit !== undefined && (u === '' || u === nextUnit)) {
      u = nextUnit;
      this.i++;
    }
    this.salient(`n:${value}${u}`, 0);
  }

  private salient(item: string, advance: number): void {
    this.items.push(this.role === undefined ? item : `${this.role}>${item}`);
    this.role = undefined;
    this.i += advance;
  }

  private push(item: string, advance: number): void {
    this.items.push(item);
    this.i += advance;
  }

  private skip(advance: number): void {
    this.i += advance;
  }

  private peek(ahead: number): string {
    return this.words[this.i + ahead]?.lower ?? '';
  }
}

function isDecimal(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}

/** "2,500" → "2500", "1.50" → "1.5", "007" → "7"; dates, times, versions and ranges as written. */
function canonicalNumber(body: string): string {
  let b = body;
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(b)) b = b.replace(/,/g, '');
  if (/^-?(\d+(\.\d*)?|\.\d+)$/.test(b)) return String(Number(b));
  return b;
}

/** Looks a word up as written, then under light stemming (increases, increased, increasing → increase). */
function lookup(words: Map<string, string>, w: string): string | undefined {
  const found = words.get(w);
  if (found !== undefined) return found;
  for (const [suffix, repl] of STEMS) {
    if (w.length > suffix.length + 2 && w.endsWith(suffix)) {
      const stemmed = words.get(w.slice(0, -suffix.length) + repl);
      if (stemmed !== undefined) return stemmed;
    }
  }
  return undefined;
}
const STEMS: Array<[string, string]> = [
  ['ies', 'y'],
  ['es', ''],
  ['s', ''],
  ['ed', ''],
  ['ed', 'e'],
  ['d', ''],
  ['ing', ''],
  ['ing', 'e'],
];
