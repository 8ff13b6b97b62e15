// Nesting depth of a JSON text, measured before it is parsed: every later step that walks a body
// (serialising it again for a backend, scanning it) then has a bound, whatever the client sent.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Where the string opened at `start` (a quote) closes; `text.length` when it never does. */
function stringEnd(text: string, start: number): number {
  let j = start;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) return text.length;
    // A quote preceded by an odd run of backslashes is escaped.
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - k) % 2 === 1) return j;
  }
}

/**
 * The index of the first `{` or `[` that opens a level deeper than `max`, or -1. One linear pass
 * (strings are skipped with indexOf), no recursion, nothing allocated: it runs on every body.
 */
export function tooDeepAt(text: string, max: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return -1;
}

/** The top-level field whose value holds `index` (for an error's `param`), if the text is an object. */
export function topLevelFieldAt(text: string, index: number): string | null {
  let depth = 0;
  let field: string | null = null;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1) {
        let k = end + 1;
        while (k < index && text.charCodeAt(k) <= 0x20) k++;
        if (text.charCodeAt(k) === 0x3a) {
          try {
            field = JSON.parse(text.slice(i, end + 1)) as string;
          } catch {
            field = null;
          }
        }
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return text.trimStart().startsWith('{') ? field : null;
}
