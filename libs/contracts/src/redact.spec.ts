import { backendSecrets, maskValue, redactSecrets, SecretValues, secretValues } from './redact';

describe('SecretValues', () => {
  it('masks each owner’s values by value, longest first, and forgets an owner’s replaced set', () => {
    const s = new SecretValues();
    s.set('a', ['0123456789abcdef', '0123456789abcdef-longer', undefined, 'short']);
    s.set('b', ['fedcba9876543210']);
    expect(s.redact('k=0123456789abcdef-longer j=fedcba9876543210 short')).toBe('k=[REDACTED] j=[REDACTED] short');
    s.set('a', ['new-value-0000']);
    expect(s.redact('0123456789abcdef new-value-0000')).toBe('0123456789abcdef [REDACTED]');
    s.delete('b');
    expect(s.redact('fedcba9876543210')).toBe('fedcba9876543210');
  });

  it('masks a value as it appears inside a JSON string', () => {
    const s = new SecretValues();
    s.set('a', ['abc"def\\ghi']);
    expect(s.redact(JSON.stringify({ error: 'key abc"def\\ghi' }))).toBe('{"error":"key [REDACTED]"}');
  });

  it('is what redactSecrets masks, besides key shapes', () => {
    const owner = {};
    secretValues.set(owner, ['deadbeefdeadbeefdeadbeef']);
    try {
      expect(redactSecrets('echo deadbeefdeadbeefdeadbeef and sk-proj-abcdefgh1234')).toBe('echo [REDACTED] and [REDACTED]');
    } finally {
      secretValues.delete(owner);
    }
  });
});

describe('backendSecrets', () => {
  it('takes the API key, credential headers (and their tokens) and a URL password, not other headers', () => {
    expect(
      backendSecrets({
        apiKey: 'key-1234567890',
        baseUrl: 'https://user:p%40ssword99@example.com/v1',
        headers: { 'OpenAI-Organization': 'org-123456789', 'X-Custom-Auth': 'Token tok-abcdefghij', 'api-key': 'azure-key-0000' },
      }),
    ).toEqual(['key-1234567890', 'Token tok-abcdefghij', 'tok-abcdefghij', 'azure-key-0000', 'p@ssword99']);
  });
});

describe('maskValue', () => {
  it('masks one value as it appears raw and inside a JSON string, and leaves other text alone', () => {
    expect(maskValue('key a1b2"c3d4 and {"k":"a1b2\\"c3d4"}', 'a1b2"c3d4')).toBe('key [REDACTED] and {"k":"[REDACTED]"}');
    expect(maskValue('nothing here', 'a1b2c3d4')).toBe('nothing here');
    expect(maskValue('text', '')).toBe('text');
  });
});
