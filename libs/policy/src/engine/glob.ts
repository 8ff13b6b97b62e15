/** `*` matches any run of characters; everything else is literal. Compiled once per rule. */
export function compileGlob(glob: string): (value: string | undefined) => boolean {
  if (glob === '*') return (v) => v !== undefined;
  if (!glob.includes('*')) return (v) => v === glob;
  const re = new RegExp(`^${glob.split('*').map(escape).join('.*')}$`);
  return (v) => v !== undefined && re.test(v);
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
