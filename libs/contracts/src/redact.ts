// Masks credentials that could ride along in upstream error text or log lines.
const SECRET_PATTERNS: RegExp[] = [
  /\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-...), most OpenAI-compatible providers
  /\bsy-[A-Za-z0-9_-]{8,}/g, // Switchyard's own keys
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS)
    out = out.replace(re, (m, p1: unknown) => (typeof p1 === 'string' && /^bearer/i.test(p1) ? `${p1}[REDACTED]` : '[REDACTED]'));
  return out;
}
