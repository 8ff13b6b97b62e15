import type { ChatCompletionRequest, ChatMessage } from '@switchyard/contracts';

export const PII_CATEGORIES = ['email', 'phone', 'credit_card', 'iban', 'us_ssn', 'ip_address', 'secret'] as const;
export type PiiCategory = (typeof PII_CATEGORIES)[number];

/** Where a value of one category sits in the scanned string. The value itself is never kept. */
export interface PiiFinding {
  category: PiiCategory;
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------
// Detectors. Each is a regex source plus a validator for what a regex cannot express (Luhn,
// mod-97, digit counts, token entropy). All detectors are joined into ONE global regex per
// category set, so a string is scanned once; each detector is one capturing group of it (its own
// source has none), which tells which detector matched.
//
// Speed: every source starts by CONSUMING a character (or a literal) and only then checks its
// left boundary with a look-behind (`\d(?<![\w.].)` = "a digit not preceded by a word char or a
// dot"). Irregexp can then skip positions that cannot start any detector; a leading look-behind
// would make it try every alternative at every position (10x slower). For the same reason the
// email detector is anchored on its `@`, the IPv6 detector on its first colon, and the "Bearer"
// and AWS-assignment detectors on their keyword: their validators move `start` back or forward
// to where the value really begins.
// ---------------------------------------------------------------------------------------------

/**
 * Accepted end of a candidate, or -1. `start` is the candidate's start in `text`; a validator
 * may move the start of the finding by assigning `moved.start` (preset to `start`).
 */
type Validator = (text: string, start: number, end: number) => number;

/** Scratch for validators that move the start of a finding (single-threaded, reset per call). */
const moved = { start: 0 };

interface Detector {
  category: PiiCategory;
  source: string;
  validate: Validator;
}

const OCTET = /(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)/.source;
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const HEX = '[0-9A-Fa-f]{1,4}';

/** The IPv6 forms, run (sticky) from the start found by the IPv6 anchor. */
const IPV6 = new RegExp(
  '(?:' +
    [
      `(?:${HEX}:){6}${IPV4}`,
      `::(?:[Ff]{4}(?::0{1,4})?:)?${IPV4}`,
      `(?:${HEX}:){1,4}:${IPV4}`,
      `(?:${HEX}:){7}${HEX}`,
      `(?:${HEX}:){1,7}:`,
      `(?:${HEX}:){1,6}:${HEX}`,
      `(?:${HEX}:){1,5}(?::${HEX}){1,2}`,
      `(?:${HEX}:){1,4}(?::${HEX}){1,3}`,
      `(?:${HEX}:){1,3}(?::${HEX}){1,4}`,
      `(?:${HEX}:){1,2}(?::${HEX}){1,5}`,
      `${HEX}:(?::${HEX}){1,6}`,
      `:(?::${HEX}){1,7}`,
    ].join('|') +
    ')(?![\\w:]|\\.\\d)',
  'y',
);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function acceptAll(_text: string, _start: number, end: number): number {
  return end;
}

/** The match starts at `@`; the local part (already checked by the look-behind) is the run of local characters before it. */
function emailStart(text: string, start: number, end: number): number {
  let s = start;
  while (s > 0) {
    const c = text.charCodeAt(s - 1);
    // [A-Za-z0-9._%+-]
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45) s--;
    else break;
  }
  moved.start = s;
  return end;
}

function phoneDigits(text: string, start: number, end: number): number {
  let digits = 0;
  for (let i = start; i < end; i++) if (isDigit(text.charCodeAt(i))) digits++;
  return digits >= 8 && digits <= 15 ? end : -1;
}

function luhn(text: string, start: number, end: number): number {
  let digits = 0;
  let sum = 0;
  for (let i = end - 1; i >= start; i--) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) continue;
    let d = c - 48;
    if (digits % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    digits++;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0 ? end : -1;
}

/** IBAN length per country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28,
  LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24,
  SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** Appends one IBAN character to a running mod-97 remainder: a digit as itself, a letter A-Z as 10-35. */
function mod97Step(r: number, c: number): number {
  return c <= 57 ? (r * 10 + (c - 48)) % 97 : (r * 100 + (c - 55)) % 97;
}

/** The country's registered length (a longer greedy match is cut at a group boundary), then ISO 7064 mod-97 == 1. */
function iban(text: string, start: number, end: number): number {
  const length = IBAN_LENGTHS[text.slice(start, start + 2)];
  if (length === undefined) return -1;
  let seen = 0;
  let cut = start;
  while (cut < end && seen < length) {
    if (text.charCodeAt(cut) !== 32) seen++;
    cut++;
  }
  if (seen < length) return -1;
  if (cut < end && text.charCodeAt(cut) !== 32) return -1; // would split a group or a contiguous run
  let r = 0;
  let n = 0;
  for (let i = start; i < cut; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) continue;
    if (n++ >= 4) r = mod97Step(r, c);
  }
  for (let i = start; i < start + 4; i++) r = mod97Step(r, text.charCodeAt(i));
  return r === 1 ? cut : -1;
}

/**
 * The match is the address's first colon. Back up over its first group, run the IPv6 forms from
 * there, and reject compressed forms more likely to be slices or namespaces (`x[1::2]`,
 * `dead::beef`, `add::`) than addresses: a compressed address needs a digit and either three
 * groups or two with one of 3+ characters (`::1` is allowed as is).
 */
function ipv6(text: string, start: number, _end: number): number {
  let s = start;
  while (s > 0 && start - s < 4 && isHex(text.charCodeAt(s - 1))) s--;
  IPV6.lastIndex = s;
  const m = IPV6.exec(text);
  if (m === null) return -1;
  const end = s + m[0].length;
  moved.start = s;
  let compressed = false;
  let hasDigit = false;
  let groups = 0;
  let run = 0;
  let longest = 0;
  for (let i = s; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) return end; // embedded IPv4: the form is specific enough
    if (c === 58) {
      if (i > s && text.charCodeAt(i - 1) === 58) compressed = true;
      if (run > 0) groups++;
      if (run > longest) longest = run;
      run = 0;
    } else {
      if (isDigit(c)) hasDigit = true;
      run++;
    }
  }
  if (!compressed) return end;
  if (run > 0) groups++;
  if (run > longest) longest = run;
  if (end - s === 3 && text.startsWith('::1', s)) return end; // loopback
  return hasDigit && (groups >= 3 || (groups === 2 && longest >= 3)) ? end : -1;
}

/** Tokens must look random: contain a digit, or both upper and lower case. */
function looksRandom(text: string, start: number, end: number): boolean {
  let upper = false;
  let lower = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) return true;
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    if (upper && lower) return true;
  }
  return false;
}

function randomToken(text: string, start: number, end: number): number {
  return looksRandom(text, start, end) ? end : -1;
}

/** `Bearer <token>`: the finding is the token, after the keyword and its blanks. */
function bearerToken(text: string, start: number, end: number): number {
  let s = start + 6;
  while (s < end && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  moved.start = s;
  return looksRandom(text, s, end) ? end : -1;
}

/** `aws_secret_access_key = <40 chars>`: the finding is the 40-character value that ends the match. */
function awsSecretValue(text: string, _start: number, end: number): number {
  moved.start = end - 40;
  return looksRandom(text, end - 40, end) ? end : -1;
}

/** In priority order: at one position the first detector whose candidate validates wins. */
const DETECTORS: readonly Detector[] = [
  // --- secret
  {
    // PEM private key, whole block. The body cannot contain `-----` (so an unterminated BEGIN costs
    // one scan to the next dashes) nor `"` (so it never spans two JSON strings).
    category: 'secret',
    source: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[^-"]|-(?!----)){1,16384}-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/.source,
    validate: acceptAll,
  },
  {
    // JWT: three base64url segments, the header starting eyJ.
    category: 'secret',
    source: /eyJ(?<![\w-]...)[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}(?![\w-]|\.[\w-])/.source,
    validate: acceptAll,
  },
  {
    // Bearer <token of 20+ chars>: the token only.
    category: 'secret',
    source: /(?:Bearer|bearer|BEARER)(?<![\w-]......)[ \t]+[A-Za-z0-9._~+/-]{19,}[A-Za-z0-9_~+/-]=*(?![\w~+/=-]|\.[\w~+/=-])/.source,
    validate: bearerToken,
  },
  {
    // AWS secret access key in an assignment: the value only.
    category: 'secret',
    source: /(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|[Ss]ecretAccessKey)["']?[ \t]*[:=][ \t]*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/.source,
    validate: awsSecretValue,
  },
  {
    // OpenAI / Anthropic style: sk-, sk-ant-, sk-proj- then 20+ chars.
    category: 'secret',
    source: /sk-(?<![\w-]...)[A-Za-z0-9_-]{20,}/.source,
    validate: randomToken,
  },
  {
    // GitHub tokens (classic and fine-grained).
    category: 'secret',
    source: /g(?<![\w-].)(?:h[pousr]_[A-Za-z0-9]{36}(?![\w-])|ithub_pat_[A-Za-z0-9_]{22,})/.source,
    validate: randomToken,
  },
  {
    // Google API key.
    category: 'secret',
    source: /AIza(?<![\w-]....)[0-9A-Za-z_-]{35}(?![\w-])/.source,
    validate: randomToken,
  },
  {
    // Slack token.
    category: 'secret',
    source: /xox(?<![\w-]...)[abprs]-[A-Za-z0-9-]{10,}/.source,
    validate: randomToken,
  },
  {
    // AWS access key id.
    category: 'secret',
    source: /A(?<![\w-].)(?:KIA|SIA)[A-Z0-9]{16}(?![\w-])/.source,
    validate: randomToken,
  },
  // --- email: anchored on `@`, local part checked by the look-behind, domain with a 2+ letter TLD.
  {
    category: 'email',
    source: /@(?<=(?<![\w.%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])/
      .source,
    validate: emailStart,
  },
  // --- iban: country, check digits, BBAN contiguous or in groups of four.
  {
    category: 'iban',
    source: /[A-Z](?<![\w-].)[A-Z]\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![A-Za-z0-9])/.source,
    validate: iban,
  },
  // --- credit card: 13-19 digits, contiguous or grouped with one consistent separator.
  {
    category: 'credit_card',
    source: /\d(?<![\w.,+-].)(?:\d{12,18}|\d{3}(?: \d{3,6}){2,4}|\d{3}(?:-\d{3,6}){2,4})(?![\w]|[.,]\d|[ -]\d)/.source,
    validate: luhn,
  },
  // --- US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000. Dashed form only.
  {
    category: 'us_ssn',
    source: /\d(?<![\w.+-].)\d\d(?<!000|666|9\d\d)-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|[.-]\d)/.source,
    validate: acceptAll,
  },
  // --- ip address
  {
    category: 'ip_address',
    // The first octet is spelled out by its first digit so the source starts with a consumed digit.
    source: `\\d(?<![\\w.].)(?:(?<=1)\\d{0,2}|(?<=2)(?:[0-4]\\d|5[0-5]|\\d)?|(?<=[3-9])\\d?|(?<=0))(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`,
    validate: acceptAll,
  },
  {
    // IPv6 anchor: the first colon of an address, i.e. after 1-4 hex digits at a word start and
    // followed by a hex digit or colon, or a leading `::`.
    category: 'ip_address',
    source: /:(?:(?<=(?<![\w:])[0-9A-Fa-f]{1,4}:)(?=[0-9A-Fa-f:])|(?<![\w:]:)(?=:))/.source,
    validate: ipv6,
  },
  // --- phone
  {
    // International: +<country> then digit groups (a parenthesised area code allowed); 8-15 digits.
    category: 'phone',
    source: /\+(?<![\w+].)\d{1,4}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d{1,12}(?:[ .-]\d{1,12}){0,6}(?![\w]|[.-]\d)/.source,
    validate: phoneDigits,
  },
  {
    // North American: (555) 123-4567, 555-123-4567, 555.123.4567 (one separator style per number).
    category: 'phone',
    source: /(?:\((?<![\w(].)\d{3}\) ?\d{3}[-.]\d{4}|\d(?<![\w.+-].)(?:\d\d-\d{3}-|\d\d\.\d{3}\.)\d{4})(?![\w]|[.-]\d)/.source,
    validate: acceptAll,
  },
];

// ---------------------------------------------------------------------------------------------
// Compiled scanners: one combined global regex per category set (cached; the full set is built
// at module load), plus a sticky regex per detector to retry the other detectors at a position
// whose first candidate failed validation.
// ---------------------------------------------------------------------------------------------

const CATEGORY_BIT: Record<PiiCategory, number> = { email: 1, phone: 2, credit_card: 4, iban: 8, us_ssn: 16, ip_address: 32, secret: 64 };
const ALL_CATEGORIES_MASK = 127;

const STICKY: readonly RegExp[] = DETECTORS.map((d) => new RegExp(d.source, 'y'));

interface Compiled {
  readonly combined: RegExp;
  /** detectors[k] is the detector index of capturing group k + 1. */
  readonly detectors: readonly number[];
}

const COMPILED = new Map<number, Compiled>();

function compile(mask: number): Compiled {
  let compiled = COMPILED.get(mask);
  if (compiled) return compiled;
  const detectors: number[] = [];
  for (let i = 0; i < DETECTORS.length; i++) if ((mask & CATEGORY_BIT[DETECTORS[i].category]) !== 0) detectors.push(i);
  const combined = new RegExp(detectors.map((i) => `(${DETECTORS[i].source})`).join('|') || '(?!)', 'g');
  compiled = { combined, detectors };
  COMPILED.set(mask, compiled);
  return compiled;
}

compile(ALL_CATEGORIES_MASK);

/** For the spec: every detector's source and category (sources must contain no capturing group). */
export const PII_DETECTOR_SOURCES: readonly { category: PiiCategory; source: string }[] = DETECTORS.map((d) => ({ category: d.category, source: d.source }));

export class PiiScanner {
  private readonly combined: RegExp;
  private readonly detectors: readonly number[];

  constructor(categories: readonly PiiCategory[] = PII_CATEGORIES) {
    let mask = 0;
    for (const c of categories) mask |= CATEGORY_BIT[c];
    const compiled = compile(mask);
    this.combined = compiled.combined;
    this.detectors = compiled.detectors;
  }

  /** Findings in one string, sorted by start, non-overlapping (on overlap keep the longer / the earlier). */
  scan(text: string): PiiFinding[] {
    return this.find(text) ?? [];
  }

  /** Categories present in plain texts (an embeddings input), deduped, in PII_CATEGORIES order. */
  categoriesInTexts(texts: readonly string[]): PiiCategory[] {
    let mask = 0;
    for (const text of texts) mask |= this.maskOf(text);
    return mask === 0 ? [] : categoriesOfMask(mask);
  }

  /**
   * Categories present anywhere in a chat request's message text (string content and text parts;
   * also tool-call arguments and tool results), deduped, in PII_CATEGORIES order. Allocates
   * nothing per message when nothing matches.
   */
  categoriesIn(request: ChatCompletionRequest): PiiCategory[] {
    let mask = 0;
    const messages = request.messages;
    for (let i = 0; i < messages.length; i++) mask |= this.maskOfMessage(messages[i]);
    return mask === 0 ? [] : categoriesOfMask(mask);
  }

  /** Bitmask (see categoryBit) of the categories in one message's text; 0 when none. */
  maskOfMessage(message: ChatMessage): number {
    let mask = 0;
    const content = message.content;
    if (typeof content === 'string') mask |= this.maskOf(content);
    else if (Array.isArray(content)) {
      for (let j = 0; j < content.length; j++) {
        const part = content[j];
        if (part !== null && typeof part === 'object' && part.type === 'text' && typeof part.text === 'string') mask |= this.maskOf(part.text);
      }
    }
    const calls = message.tool_calls;
    if (Array.isArray(calls)) {
      for (let j = 0; j < calls.length; j++) {
        const args = calls[j]?.function?.arguments;
        if (typeof args === 'string') mask |= this.maskOf(args);
      }
    }
    return mask;
  }

  private maskOf(text: string): number {
    const findings = this.find(text);
    if (findings === undefined) return 0;
    let mask = 0;
    for (let i = 0; i < findings.length; i++) mask |= CATEGORY_BIT[findings[i].category];
    return mask;
  }

  /**
   * The one pass over `text`. Takes the leftmost candidate of any detector and validates it; on
   * failure the later detectors are tried at that position. Scanning resumes one character after
   * each candidate, so a longer value starting inside an accepted one still wins the overlap.
   * Returns undefined (allocating nothing) when nothing is found.
   */
  find(text: string): PiiFinding[] | undefined {
    const re = this.combined;
    const detectors = this.detectors;
    let out: PiiFinding[] | undefined;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const at = m.index;
      let k = 0;
      while (m[k + 1] === undefined) k++;
      let detector = DETECTORS[detectors[k]];
      moved.start = at;
      let end = detector.validate(text, at, at + m[0].length);
      while (end < 0 && ++k < detectors.length) {
        const sticky = STICKY[detectors[k]];
        sticky.lastIndex = at;
        const s = sticky.exec(text);
        if (s === null) continue;
        detector = DETECTORS[detectors[k]];
        moved.start = at;
        end = detector.validate(text, at, at + s[0].length);
      }
      re.lastIndex = at + 1;
      if (end < 0) continue;
      const start = moved.start;
      if (out === undefined) {
        out = [{ category: detector.category, start, end }];
        continue;
      }
      // Candidates arrive by anchor position; a finding whose start moved back (email) may overlap several.
      let keep = true;
      while (out.length > 0) {
        const last = out[out.length - 1];
        if (start >= last.end || end <= last.start) break;
        if (end - start > last.end - last.start) out.pop();
        else {
          keep = false;
          break;
        }
      }
      if (keep) out.push({ category: detector.category, start, end });
    }
    return out;
  }
}

/** Categories of a bitmask (see categoryBit), in PII_CATEGORIES order. */
export function categoriesOfMask(mask: number): PiiCategory[] {
  const out: PiiCategory[] = [];
  for (const c of PII_CATEGORIES) if ((mask & CATEGORY_BIT[c]) !== 0) out.push(c);
  return out;
}

/** The bit of one category in a categories bitmask. */
export function categoryBit(category: PiiCategory): number {
  return CATEGORY_BIT[category];
}
