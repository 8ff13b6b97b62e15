import { isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

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
  /** The characters a match can start with, when few: retries at other positions skip this detector cheaply. */
  startsWith?: RegExp;
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

/** `Basic <base64 of user:password>`: the finding is the encoded credentials. */
function basicCredentials(text: string, start: number, end: number): number {
  let s = start + 5;
  while (s < end && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  const decoded = Buffer.from(text.slice(s, end), 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon < 1 || colon === decoded.length - 1 || !/^[\x20-\x7e]+$/.test(decoded)) return -1;
  moved.start = s;
  return end;
}

/** `scheme://user:password@host`: the finding is `user:password`. */
function urlCredentials(text: string, start: number, end: number): number {
  moved.start = start + 2;
  return end - 1;
}

/**
 * A word that says a key follows (`api_key`, `token`, `password`...), then within a few characters
 * a value. The value counts when it is a long hex string (32+), or when it is assigned to the word
 * (`api_key=...`, `"token": "..."`, `password is ...`) and looks random (letters and digits).
 */
function keyedValue(text: string, start: number, end: number): number {
  let s = end;
  while (s > start && text.charCodeAt(s - 1) === 61) s--; // base64 padding
  while (s > start && VALUE_CHAR.test(text[s - 1])) s--;
  const length = end - s;
  if (length < 16) return -1;
  moved.start = s;
  if (length >= 32 && HEX_VALUE.test(text.slice(s, end))) return end;
  KEY_WORD.lastIndex = start;
  const word = KEY_WORD.exec(text);
  if (word === null || !ASSIGNED.test(text.slice(start + word[0].length, s))) return -1;
  let digits = 0;
  let letters = 0;
  for (let i = s; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
  }
  return digits > 0 && letters > 0 ? end : -1;
}
const KEY_WORDS =
  /(?:[Aa][Pp][Ii][_-]?[Kk][Ee][Yy]|[Aa]ccess[_-]?[Kk]ey|[Kk]ey|KEY|[Ss]ecret|SECRET|[Tt]oken|TOKEN|[Pp]ass(?:word|wd)?|PASS(?:WORD)?|[Cc]redential|[Aa]uth|AUTH|[Bb]earer)/
    .source;
const KEY_WORD = new RegExp(KEY_WORDS, 'y');
const VALUE_CHAR = /[A-Za-z0-9_\-./+]/;
const HEX_VALUE = /^[0-9A-Fa-f]+$/;
/** What stands between a key word and its value in an assignment: quotes, `:`, `=` or ` is `. */
const ASSIGNED = /^[A-Za-z_-]*["']?(?:[ \t]{0,4}[:=]|[ \t]{1,4}is)[ \t]{0,4}["']?$/;

/** A PEM private key: from its BEGIN line to its END line, or, without one, to the end of the base64 body. */
function pemBlock(text: string, start: number, end: number): number {
  const close = text.indexOf('-----END', end);
  if (close !== -1 && close - end <= 16384) {
    const after = text.indexOf('-----', close + 8);
    return after === -1 ? close + 8 : after + 5;
  }
  let e = end;
  const limit = Math.min(text.length, end + 16384);
  while (e < limit && /[A-Za-z0-9+/=\s\\]/.test(text[e])) e++;
  while (e > end && /\s/.test(text[e - 1])) e--;
  return e;
}

/** Card numbers: 13-19 digits, a card network's first digit, Luhn; separators anywhere. The longest valid prefix ending at a group wins. */
/** Whether `digits` starts like a card network's numbers and has one of that network's lengths. */
function cardNetwork(digits: string): boolean {
  const n = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return n === 16; // Mastercard
  if (two === 34 || two === 37) return n === 15; // Amex
  if (two === 35) return n >= 16 && n <= 19; // JCB
  if (two === 36 || two === 38 || (four >= 3000 && four <= 3059)) return n === 14 || n === 16; // Diners
  if (four === 6011 || two === 65 || (four >= 6440 && four <= 6499) || two === 62) return n >= 16 && n <= 19; // Discover, UnionPay
  return false;
}

function isCard(text: string, start: number, end: number): boolean {
  return luhnSpan(text, start, end) && cardNetwork(text.slice(start, end).replace(/\D/g, ''));
}

function card(text: string, start: number, end: number): number {
  const first = text.charCodeAt(start) - 48;
  if (first < 2 || first > 6) return -1;
  if (isCard(text, start, end)) return end;
  // A number that runs on (`4111 1111 1111 1111 12/29`): drop a last group unlike the one before it.
  let e = end;
  while (e > start && isDigit(text.charCodeAt(e - 1))) e--;
  const last = end - e;
  while (e > start && !isDigit(text.charCodeAt(e - 1))) e--;
  let p = e;
  while (p > start && isDigit(text.charCodeAt(p - 1))) p--;
  return e - p !== last && isCard(text, start, e) ? e : -1;
}

function luhnSpan(text: string, start: number, end: number): boolean {
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
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

/** SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000. `digits` holds the nine digits. */
function ssaValid(digits: string): boolean {
  const area = digits.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

function ssnSeparated(text: string, start: number, end: number): number {
  return ssaValid(text.slice(start, end).replace(/\D/g, '')) ? end : -1;
}

/** Nine digits in a row are an SSN only near a word that says so. */
const SSN_CUE = /\b(?:ssn|social[\s-]*security|soc\.?\s*sec|ss#|ss no|tax\s*id|tin)\b[^\n]{0,24}$/i;
function ssnBare(text: string, start: number, end: number): number {
  return ssaValid(text.slice(start, end)) && SSN_CUE.test(text.slice(Math.max(0, start - 40), start)) ? end : -1;
}

/** IBAN: letters in any case, separated by spaces, dots or dashes; the country's registered length, ISO 7064 mod-97, then its BBAN structure. */
function iban(text: string, start: number, end: number): number {
  const length = IBAN_LENGTHS[text.slice(start, start + 2).toUpperCase()];
  if (length === undefined) return -1;
  let seen = 0;
  let cut = start;
  while (cut < end && seen < length) {
    if (isAlnum(text.charCodeAt(cut))) seen++;
    cut++;
  }
  if (seen < length) return -1;
  if (cut < end && isAlnum(text.charCodeAt(cut))) return -1; // would split a group or a contiguous run
  let r = 0;
  let n = 0;
  const upper = text.slice(start, cut).toUpperCase();
  for (let i = 0; i < upper.length; i++) {
    const c = upper.charCodeAt(i);
    if (!isAlnum(c)) continue;
    if (n++ >= 4) r = mod97Step(r, c);
  }
  let k = 0;
  for (let i = 0; k < 4; i++) {
    const c = upper.charCodeAt(i);
    if (!isAlnum(c)) continue;
    r = mod97Step(r, c);
    k++;
  }
  // mod-97 passes one random string in 97: the country's BBAN structure (ibantools) decides the rest.
  return r === 1 && isValidIBAN(upper.replace(/[^0-9A-Z]/g, '')) ? cut : -1;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// --- phones: a cheap regex finds number-shaped runs; libphonenumber-js decides what is a phone number.

const DATE_SHAPE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/;
const DECIMAL = /^\d+\.\d+$/;
const NANP_GROUPS = /^(?:1[ .-]{0,2})?(?:\(\d{3}\)|\d{3})[ .-]{0,2}\d{3}[ .-]{0,2}\d{4}$/;

/** The number's text from `start` (trailing separators and an unmatched parenthesis dropped). */
/** Whether a value ending at `end` runs on into a longer token: a letter right after it, or a joiner and more. */
function runsOn(text: string, end: number): boolean {
  const c = text.charCodeAt(end);
  if (isAlnum(c)) return true;
  return (c === 45 || c === 95 || c === 46) && isAlnum(text.charCodeAt(end + 1)) && !isDigit(text.charCodeAt(end + 1));
}

function trimNumber(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && !isDigit(text.charCodeAt(e - 1))) e--;
  return e;
}

/** Bare digits are a phone number only near a word that says so (`Heap size 4155552671` is not one). */
const PHONE_CUE = /\b(?:call|phone|tel|telephone|mobile|cell|fax|contact|reach|text|sms|whatsapp|dial|ring|number|no|nr|at)\b[^\n]{0,30}$/i;

function isPhone(candidate: string, regions: readonly CountryCode[], before: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15 || DATE_SHAPE.test(candidate) || DECIMAL.test(candidate)) return false;
  if (candidate.startsWith('+') || candidate.startsWith('00')) {
    const international = candidate.startsWith('+') ? candidate : '+' + candidate.replace(/^00[ .-]?/, '');
    return digits.length >= 8 && parsePhoneNumberFromString(international)?.isPossible() === true;
  }
  const bare = !/\D/.test(candidate);
  if (bare && !PHONE_CUE.test(before)) return false;
  if (digits.startsWith('0')) {
    for (const region of regions) {
      if (region === 'US' || region === 'CA') continue;
      const n = parsePhoneNumberFromString(candidate, region);
      if (n?.isValid() || (n !== undefined && region === 'GB' && /^\+447700900\d{3}$/.test(n.number))) return true; // UK drama range
    }
    return false;
  }
  const nanp = regions.includes('US') ? 'US' : regions.includes('CA') ? 'CA' : undefined;
  if (nanp === undefined || !(digits.length === 10 || (digits.length === 11 && digits[0] === '1'))) return false;
  if (!NANP_GROUPS.test(candidate)) return false;
  const number = parsePhoneNumberFromString(candidate, nanp);
  // Written as a phone number (3-3-4 groups) it is one, even in the 555 range; bare digits must be a valid number.
  return bare ? number?.isValid() === true : number?.isPossible() === true;
}

/** The longest number-shaped prefix (dropping trailing groups) that is a phone number, and not part of a longer token (`0408-4509-b1c2`). */
function phone(text: string, start: number, end: number): number {
  let e = trimNumber(text, start, end);
  if (runsOn(text, e)) return -1;
  // Each try past the shape checks costs a parse: candidates are few, and tries are bounded.
  for (let tries = 0; tries < 8 && e > start; tries++) {
    if (isPhone(text.slice(start, e), phoneRegions, text.slice(Math.max(0, start - 40), start))) return e;
    while (e > start && isDigit(text.charCodeAt(e - 1))) e--;
    e = trimNumber(text, start, e);
  }
  return -1;
}

/** The regions national numbers are read in, for the scan under way (single-threaded, set per scan). */
let phoneRegions: readonly CountryCode[] = [];

const DIGIT = /\d/;

/** Bounds on repeated runs keep every match linear and the regex's backtracking stack small. */
const DETECTORS: readonly Detector[] = [
  // --- secret
  {
    // PEM private key: from BEGIN to END, or to the end of its body when END is missing.
    category: 'secret',
    source: /-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----/.source,
    validate: pemBlock,
  },
  {
    // JWT: three base64url segments, the header starting eyJ.
    category: 'secret',
    source: /eyJ(?<![\w-]...)[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{16,4096}(?![\w-]|\.[\w-])/.source,
    validate: acceptAll,
  },
  {
    // Bearer <token of 20+ chars>: the token only.
    category: 'secret',
    source: /(?:Bearer|bearer|BEARER)(?<![\w-]......)[ \t]{1,8}[A-Za-z0-9._~+/-]{19,4096}[A-Za-z0-9_~+/-]={0,2}(?![\w~+/=-]|\.[\w~+/=-])/.source,
    validate: bearerToken,
  },
  {
    // HTTP Basic credentials: Basic <base64 of user:password>.
    category: 'secret',
    source: /(?:Basic|basic|BASIC)(?<![\w-].....)[ \t]{1,8}[A-Za-z0-9+/]{6,4096}={0,2}(?![\w+/=])/.source,
    validate: basicCredentials,
  },
  {
    // Credentials in a URL: scheme://user:password@host.
    category: 'secret',
    source: /\/\/(?<=[A-Za-z0-9]:\/\/)[^\s/:@'"<>]{1,128}:[^\s/@'"<>]{1,256}@/.source,
    validate: urlCredentials,
  },
  {
    // AWS secret access key in an assignment: the value only.
    category: 'secret',
    source: /(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|[Ss]ecretAccessKey)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/.source,
    validate: awsSecretValue,
  },
  {
    // OpenAI / Anthropic style: sk-, sk-ant-, sk-proj- then 20+ chars.
    category: 'secret',
    source: /sk-(?<![\w-]...)[A-Za-z0-9_-]{20,512}/.source,
    validate: randomToken,
  },
  {
    // Stripe secret and restricted keys.
    category: 'secret',
    source: /[rs](?<![\w-].)k_(?:live|test)_[A-Za-z0-9]{16,256}(?![\w-])/.source,
    validate: randomToken,
  },
  {
    // GitHub tokens (classic and fine-grained).
    category: 'secret',
    source: /g(?<![\w-].)(?:h[pousr]_[A-Za-z0-9]{36}(?![\w-])|ithub_pat_[A-Za-z0-9_]{22,255})/.source,
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
    source: /xox(?<![\w-]...)[abprs]-[A-Za-z0-9-]{10,255}/.source,
    validate: randomToken,
  },
  {
    // AWS access key id.
    category: 'secret',
    source: /A(?<![\w-].)(?:KIA|SIA)[A-Z0-9]{16}(?![\w-])/.source,
    validate: randomToken,
  },
  {
    // A key word, then within a few characters its value: `api_key=...`, `token: ...`, `the key is <hex>`.
    category: 'secret',
    source: `${KEY_WORDS}[^\\n]{0,24}?["'= :\\t][A-Za-z0-9_\\-./+]{16,512}={0,2}(?![A-Za-z0-9_\\-./+=])`,
    validate: keyedValue,
  },
  // --- email: anchored on `@`, local part checked by the look-behind, domain with a 2+ letter TLD (or a punycode one).
  {
    category: 'email',
    source:
      /@(?<=(?<![\w.%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})(?![\w-]|\.[A-Za-z0-9])/
        .source,
    validate: emailStart,
    startsWith: /@/,
  },
  // --- iban: country and check digits, then the BBAN, in either case, contiguous or grouped by spaces, dots or dashes.
  {
    category: 'iban',
    source: /[A-Za-z](?<![\w-].)[A-Za-z]\d{2}(?:[ .-]{0,2}[A-Za-z0-9]){11,34}(?![A-Za-z0-9])/.source,
    validate: iban,
  },
  // --- credit card: 13-19 digits, separated by spaces, dashes or dots in any mix.
  {
    category: 'credit_card',
    source: /\d(?<![\w.,+-].)(?<!\d[ .-]{1,2}.)(?:[ .-]{0,2}\d){12,22}(?![\w]|[.,]\d)/.source,
    validate: card,
    startsWith: DIGIT,
  },
  // --- US SSN: separated by dashes, dots or spaces; nine bare digits only near an SSN cue.
  {
    category: 'us_ssn',
    source: /\d(?<![\w.+-].)\d\d(?:[-.]| {1,2})\d\d(?:[-.]| {1,2})\d{4}(?![\w]|[.-]\d)/.source,
    validate: ssnSeparated,
    startsWith: DIGIT,
  },
  {
    category: 'us_ssn',
    source: /\d(?<![\w.+-].)\d{8}(?![\w]|[.-]\d)/.source,
    validate: ssnBare,
    startsWith: DIGIT,
  },
  // --- ip address
  {
    category: 'ip_address',
    // The first octet is spelled out by its first digit so the source starts with a consumed digit.
    source: `\\d(?<![\\w.].)(?:(?<=1)\\d{0,2}|(?<=2)(?:[0-4]\\d|5[0-5]|\\d)?|(?<=[3-9])\\d?|(?<=0))(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`,
    validate: acceptAll,
    startsWith: DIGIT,
  },
  {
    // IPv6 anchor: the first colon of an address, i.e. after 1-4 hex digits at a word start and
    // followed by a hex digit or colon, or a leading `::`.
    category: 'ip_address',
    source: /:(?:(?<=(?<![\w:])[0-9A-Fa-f]{1,4}:)(?=[0-9A-Fa-f:])|(?<![\w:]:)(?=:))/.source,
    validate: ipv6,
    startsWith: /:/,
  },
  // --- phone: +country or 00country, (area), or a digit; digit groups; libphonenumber-js validates.
  {
    category: 'phone',
    // Dates (2024-03-15, 15/03/2024, 03.15.1990) are ruled out here, before any validation.
    source:
      /(?:[+(](?<![\w+(].)[ (]{0,2}\d|\d(?<![\w.,+\-/(].)(?<!\d[ .-]{1,2}.)(?!\d{3}[-/.]\d\d?[-/.]\d\d?(?!\d)|\d?[-/.]\d\d?[-/.]\d{2,4}(?!\d)))(?:[ ().\-/]{0,3}\d){6,16}/
        .source,
    validate: phone,
    startsWith: /[\d+(]/,
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

export interface PiiScannerOptions {
  /** Regions whose national phone formats are recognised (ISO 3166 alpha-2); international `+`/`00` numbers always are. */
  phoneRegions?: readonly string[];
}

/** National formats read by default: North America, the larger European markets, and a few more. */
export const DEFAULT_PHONE_REGIONS: readonly string[] = [
  'US',
  'CA',
  'GB',
  'IE',
  'DE',
  'AT',
  'CH',
  'FR',
  'BE',
  'NL',
  'ES',
  'IT',
  'PT',
  'SE',
  'AU',
  'IN',
  'BR',
  'MX',
  'JP',
];

export class PiiScanner {
  private readonly combined: RegExp;
  private readonly detectors: readonly number[];
  private readonly regions: readonly CountryCode[];

  constructor(categories: readonly PiiCategory[] = PII_CATEGORIES, options: PiiScannerOptions = {}) {
    let mask = 0;
    for (const c of categories) mask |= CATEGORY_BIT[c];
    const compiled = compile(mask);
    this.combined = compiled.combined;
    this.detectors = compiled.detectors;
    this.regions = (options.phoneRegions ?? DEFAULT_PHONE_REGIONS).map((r) => r.toUpperCase() as CountryCode);
  }

  /** Findings in one string, sorted by start, non-overlapping (on overlap keep the longer / the earlier). */
  scan(text: string): PiiFinding[] {
    return this.find(text) ?? [];
  }

  /**
   * The one pass over `text` (the detectors' view of it: see scanView), for candidates that start
   * in [from, to). Takes the leftmost candidate of any detector and validates it; on failure the
   * later detectors are tried at that position. Scanning resumes one character after each
   * candidate, so a longer value starting inside an accepted one still wins the overlap.
   * Returns undefined (allocating nothing) when nothing is found.
   */
  find(text: string, from = 0, to = text.length): PiiFinding[] | undefined {
    const re = this.combined;
    const detectors = this.detectors;
    phoneRegions = this.regions;
    let out: PiiFinding[] | undefined;
    re.lastIndex = from;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const at = m.index;
      if (at >= to) break;
      let k = 0;
      while (m[k + 1] === undefined) k++;
      let detector = DETECTORS[detectors[k]];
      moved.start = at;
      let end = detector.validate(text, at, at + m[0].length);
      const first = text[at];
      while (end < 0 && ++k < detectors.length) {
        if (DETECTORS[detectors[k]].startsWith?.test(first) === false) continue;
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
