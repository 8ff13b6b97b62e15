/**
 * The privacy corpus: requests that carry personal data in every place a client can put it, in
 * the formats and disguises attackers use, and near misses that carry none. Written for
 * Switchyard's privacy tests; every value is made up (reserved ranges, test card numbers, the
 * IBAN registry's examples, fictional names).
 *
 * A positive names the strings that must never reach a cloud backend together (`leak`): one
 * value, or the pieces of a value split across messages.
 */

export interface PositiveCase {
  id: string;
  /** fields | translation | formats | unicode | splitting | embeddings | streams */
  kind: string;
  path: '/chat/completions' | '/embeddings';
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Every one of these in one upstream request is a leak. */
  leak: string[];
  /** The text the client gets back restored under `redact` (the fake echoes the last user text), when the case is about it. */
  echoes?: string;
}

export interface NegativeCase {
  id: string;
  text: string;
}

// Token-shaped values are assembled at run time so secret scanners do not flag this file.
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Values by category, each in several of the formats people write them in. */
export const VALUES: Record<string, string[]> = {
  email: ['jane.doe@example.com', 'J.Doe+billing@Mail.Example.org', 'ops_team@sub.example.co.uk', 'jane@bücher.de', 'jane@xn--bcher-kva.de', 'иван@почта.рф'],
  phone: [
    '415 555 2671',
    '4155552671',
    '1-415-555-2671',
    '(415) 555-2671',
    '+1 415 555 2671',
    '415.555.2671',
    '020 7946 0958',
    '07911 123456',
    '+44 20 7946 0958',
    '0044 20 7946 0958',
    '+49 30 901820',
    '+33 1 42 68 53 00',
  ],
  us_ssn: ['123-45-6789', '123 45 6789', '219.09.9999', 'SSN 123456789'],
  credit_card: [
    '4111 1111 1111 1111',
    '4111111111111111',
    '4111-1111-1111-1111',
    '4111.1111.1111.1111',
    '4111-1111 1111.1111',
    '4111  1111  1111  1111',
    '5555 5555 5555 4444',
    '3782 822463 10005',
    '6011111111111117',
  ],
  iban: [
    'GB82 WEST 1234 5698 7654 32',
    'gb82 west 1234 5698 7654 32',
    'DE89-3704-0044-0532-0130-00',
    'DE89370400440532013000',
    'FR14 2004 1010 0505 0001 3M02 606',
    'nl91abna0417164300',
  ],
  ip_address: ['192.168.13.37', '10.20.30.40', '2001:db8::8a2e:370:7334'],
  secret: [
    'sk-proj-' + 'Ab3De6Gh9Jk2Mn5Pq8St1Vw4',
    'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
    'rk_test_' + '51H8xYzAbCdEfGhIjKlMn0p',
    ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB'].join('\n'),
    'Basic ' + b64('jane:hunter22'),
    'api_key=' + '9f8e7d6c5b4a3928' + '1726354453627180',
    'AKIA' + 'IOSFODNN7EXAMPLE',
    'ghp_' + 'a1B2c3D4e5F6'.repeat(3),
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    'https://admin:' + 'S3cretPass' + '@db.internal.example/x',
  ],
};

/** One representative value per category, for placing in every field. */
const ONE: Record<string, string> = {
  email: 'jane.doe@example.com',
  phone: '415 555 2671',
  us_ssn: '123-45-6789',
  credit_card: '4111 1111 1111 1111',
  iban: 'GB82 WEST 1234 5698 7654 32',
  secret: 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
};

const user = (content: unknown): Record<string, unknown> => ({ role: 'user', content });
const chat = (messages: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'chat', messages, ...extra });
const hello = user('Hello, please help me.');

/** The places a value can sit in a chat request; each returns the body for value `v`. */
const FIELDS: Record<string, (v: string) => Record<string, unknown>> = {
  content: (v) => chat([user(`Please contact ${v} today.`)]),
  text_part: (v) => chat([user([{ type: 'text', text: `Details: ${v}` }])]),
  system: (v) => chat([{ role: 'system', content: `Account owner ${v}.` }, hello]),
  developer: (v) => chat([{ role: 'developer', content: `Owner ${v}.` }, hello]),
  message_name: (v) => chat([{ role: 'user', name: v, content: 'Hi there.' }]),
  user_field: (v) => chat([hello], { user: v }),
  metadata_value: (v) => chat([hello], { metadata: { customer: v } }),
  metadata_key: (v) => chat([hello], { metadata: { [v]: 'vip' } }),
  tool_description: (v) =>
    chat([hello], { tools: [{ type: 'function', function: { name: 'notify', description: `Notify ${v} when done.`, parameters: { type: 'object' } } }] }),
  tool_enum: (v) =>
    chat([hello], {
      tools: [{ type: 'function', function: { name: 'send', parameters: { type: 'object', properties: { to: { type: 'string', enum: [v] } } } } }],
    }),
  tool_default: (v) =>
    chat([hello], {
      tools: [{ type: 'function', function: { name: 'send', parameters: { type: 'object', properties: { to: { type: 'string', default: v } } } } }],
    }),
  tool_param_description: (v) =>
    chat([hello], {
      tools: [
        { type: 'function', function: { name: 'send', parameters: { type: 'object', properties: { to: { type: 'string', description: `e.g. ${v}` } } } } },
      ],
    }),
  response_format: (v) =>
    chat([hello], {
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object', description: `Reply for ${v}`, properties: {} } } },
    }),
  stop: (v) => chat([hello], { stop: [v] }),
  prediction: (v) => chat([hello], { prediction: { type: 'content', content: `Draft for ${v}` } }),
  legacy_function_call: (v) => chat([hello, { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: JSON.stringify({ who: v }) } }]),
  legacy_functions: (v) => chat([hello], { functions: [{ name: 'lookup', description: `Find ${v}`, parameters: { type: 'object' } }] }),
  tool_call_arguments: (v) =>
    chat([
      hello,
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: JSON.stringify({ to: v }) } }] },
    ]),
  tool_call_name: (v) =>
    chat([hello, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: `send to ${v}`, arguments: '{}' } }] }]),
  tool_call_id: (v) =>
    chat([hello, { role: 'assistant', content: null, tool_calls: [{ id: `call ${v}`, type: 'function', function: { name: 'send', arguments: '{}' } }] }]),
  tool_result: (v) =>
    chat([
      hello,
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: `found ${v}` },
    ]),
  assistant_refusal: (v) => chat([hello, { role: 'assistant', content: null, refusal: `I cannot share ${v}.` }, user('Why?')]),
  input_text_part: (v) => chat([user([{ type: 'input_text', text: `Details: ${v}` }])]),
  uppercase_part_type: (v) => chat([user([{ type: 'TEXT', text: `Details: ${v}` }])]),
  refusal_part: (v) => chat([hello, { role: 'assistant', content: [{ type: 'refusal', refusal: `Not for ${v}` }] }, user('ok')]),
  image_url_query: (v) =>
    chat([
      user([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `https://img.example/a.png?owner=${encodeURIComponent(v)}&raw=${v}` } },
      ]),
    ]),
  extra_part_key: (v) => chat([user([{ type: 'text', text: 'Hi', note: v }])]),
  logit_bias_key: (v) => chat([hello], { logit_bias: { [v]: 1 } }),
  web_search_options: (v) => chat([hello], { web_search_options: { user_location: { type: 'approximate', approximate: { city: v } } } }),
  nested_deep: (v) => chat([hello], { metadata: { a: { b: { c: { d: [{ e: [`x ${v}`] }] } } } } }),
};

/** Disguises that keep a value readable to a person (and to a model) but not to a naive regex. */
const DISGUISES: Record<string, (v: string) => string> = {
  fullwidth: (v) => v.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  zero_width: (v) => [...v].join('\u200b'),
  soft_hyphen: (v) => [...v].join('\u00ad'),
  zwj_and_bidi: (v) => v.slice(0, 3) + '\u200d\u2066' + v.slice(3),
  cyrillic: (v) => v.replace(/a/g, '\u0430').replace(/e/g, '\u0435').replace(/o/g, '\u043e').replace(/c/g, '\u0441').replace(/p/g, '\u0440'),
  arabic_digits: (v) => v.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d))),
  nbsp: (v) => v.replace(/ /g, '\u00a0'),
  nb_hyphen: (v) => v.replace(/-/g, '\u2011'),
};

export function positives(): PositiveCase[] {
  const out: PositiveCase[] = [];
  // 1. Every field, every category.
  for (const [field, build] of Object.entries(FIELDS)) {
    for (const [category, v] of Object.entries(ONE)) {
      out.push({ id: `field:${field}:${category}`, kind: 'fields', path: '/chat/completions', body: build(v), leak: [v] });
    }
  }
  // The client's request id travels upstream as x-request-id.
  for (const [category, v] of Object.entries(ONE)) {
    if (/\s/.test(v)) continue; // header values cannot hold every value as is
    out.push({
      id: `field:x-request-id:${category}`,
      kind: 'fields',
      path: '/chat/completions',
      body: chat([hello]),
      headers: { 'x-request-id': `req-${v}` },
      leak: [v],
    });
  }
  // 2. Every format of every category, in the last user message (so redaction's restore is visible).
  for (const [category, values] of Object.entries(VALUES)) {
    values.forEach((v, i) => {
      out.push({
        id: `format:${category}:${i}`,
        kind: 'formats',
        path: '/chat/completions',
        body: chat([user(`Contact me: ${v} thanks`)]),
        leak: [v],
        echoes: v,
      });
    });
  }
  // 3. Disguises of emails, phones, cards and IBANs.
  const disguisable = [...VALUES.email.slice(0, 3), ...VALUES.phone.slice(0, 6), ...VALUES.credit_card.slice(0, 4), VALUES.iban[0], VALUES.us_ssn[0]];
  for (const [name, disguise] of Object.entries(DISGUISES)) {
    disguisable.forEach((v, i) => {
      const d = disguise(v);
      if (d === v) return;
      out.push({ id: `unicode:${name}:${i}`, kind: 'unicode', path: '/chat/completions', body: chat([user(`Reach me: ${d} please`)]), leak: [d], echoes: d });
    });
  }
  // 4. Values split across messages and parts.
  const splits: [string, string][] = [
    ['jane.doe@', 'example.com'],
    ['jane.doe', '@example.com'],
    ['4111 1111 ', '1111 1111'],
    ['4111111111', '111111'],
    ['415 555 ', '2671'],
    ['GB82 WEST 1234 ', '5698 7654 32'],
    ['sk_live_4eC39Hq', 'LyjWDarjtT1zdp7dc'],
    ['123-45-', '6789'],
  ];
  splits.forEach(([a, b], i) => {
    out.push({ id: `split:messages:${i}`, kind: 'splitting', path: '/chat/completions', body: chat([user(`note ${a}`), user(`${b} end`)]), leak: [a, b] });
    out.push({
      id: `split:parts:${i}`,
      kind: 'splitting',
      path: '/chat/completions',
      body: chat([
        user([
          { type: 'text', text: `note ${a}` },
          { type: 'text', text: `${b} end` },
        ]),
      ]),
      leak: [a, b],
    });
    out.push({
      id: `split:bare-parts:${i}`,
      kind: 'splitting',
      path: '/chat/completions',
      body: chat([
        user([
          { type: 'text', text: a },
          { type: 'text', text: b },
        ]),
      ]),
      leak: [a, b],
    });
  });
  // 5. Embeddings: inputs and the user field.
  for (const [category, v] of Object.entries(ONE)) {
    out.push({ id: `embeddings:input:${category}`, kind: 'embeddings', path: '/embeddings', body: { model: 'embed', input: `profile of ${v}` }, leak: [v] });
    out.push({
      id: `embeddings:inputs:${category}`,
      kind: 'embeddings',
      path: '/embeddings',
      body: { model: 'embed', input: ['hello', `profile of ${v}`] },
      leak: [v],
    });
    out.push({ id: `embeddings:user:${category}`, kind: 'embeddings', path: '/embeddings', body: { model: 'embed', input: 'hello', user: v }, leak: [v] });
  }
  // 6. Streams: the same fields, asked for as a stream.
  for (const field of ['content', 'system', 'tool_description', 'response_format', 'message_name', 'metadata_value']) {
    for (const [category, v] of Object.entries(ONE)) {
      out.push({ id: `stream:${field}:${category}`, kind: 'streams', path: '/chat/completions', body: { ...FIELDS[field](v), stream: true }, leak: [v] });
    }
  }
  return out;
}

/** Requests toward an Anthropic-protocol cloud backend, where the mapper moves fields around (a schema into the system prompt). */
export function translationPositives(): PositiveCase[] {
  const out: PositiveCase[] = [];
  for (const [category, v] of Object.entries(ONE)) {
    out.push({ id: `translation:response_format:${category}`, kind: 'translation', path: '/chat/completions', body: FIELDS.response_format(v), leak: [v] });
    out.push({ id: `translation:tool:${category}`, kind: 'translation', path: '/chat/completions', body: FIELDS.tool_description(v), leak: [v] });
    out.push({ id: `translation:system:${category}`, kind: 'translation', path: '/chat/completions', body: FIELDS.system(v), leak: [v] });
  }
  return out;
}

/** Near misses: look like personal data to a careless detector, carry none. */
export const NEGATIVES: string[] = [
  // order numbers and references
  'Order #100234 shipped on Tuesday.',
  'Your order number is 7730-0041-12.',
  'Ticket INC0012345 was resolved.',
  'Reference ORD-2024-000123 is confirmed.',
  'Invoice 2024/11/0042 is attached.',
  'PO number 4500012345 approved.',
  'Case 00123456 has been escalated.',
  'Tracking 1Z999AA10123456784 is in transit.',
  'Booking ref ABC123 for two nights.',
  'Customer id 88231 asked for a refund.',
  // git SHAs and hashes
  'Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.',
  'Cherry-pick e83c5163316f89bfbde7d9ab23ca2e25604af290 onto main.',
  'The short SHA is 9fceb02.',
  'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'md5 checksum d41d8cd98f00b204e9800998ecf8427e matches.',
  'Build 3f2a9c1 passed all checks.',
  'Docker image digest sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1',
  // UUIDs
  'Request 123e4567-e89b-12d3-a456-426614174000 failed.',
  'Session f47ac10b-58cc-4372-a567-0e02b2c3d479 expired.',
  'Trace id 4bf92f3577b34da6a3ce929d0e0e4736 in the logs.',
  'Span 00f067aa0ba902b7 was sampled.',
  'Tenant 550e8400-e29b-41d4-a716-446655440000 is active.',
  // dates and times
  'The meeting is on 2024-03-15 at 10:30.',
  'Deadline: 15/03/2024.',
  'Born on 03.15.1990? No, that is just an example date.',
  'Timestamp 1711324800 marks the release.',
  'The log shows 2024-03-15T10:30:00Z.',
  'Between 1999 and 2024 sales grew.',
  'Q3 2024 revenue grew 12%.',
  'Epoch millis 1711324800123 in the event.',
  'It happened on 12/31/2023 around noon.',
  'Week 2024-W11 starts Monday.',
  // version strings
  'Upgrade from version 1.2.3 to 1.10.0.',
  'Node v20.18.1 is required.',
  'Kernel 6.1.0-18-amd64 is running.',
  'Chrome 124.0.6367.118 is the latest.',
  'Use python 3.11.7 or newer.',
  'Release 2024.3.15 is out.',
  'OpenSSL 3.0.13 30 Jan 2024',
  'Package lodash@4.17.21 is pinned.',
  'Schema version 10.4.12.3.1 applies.',
  // Luhn-invalid card-like numbers
  '4111 1111 1111 1112',
  '1234 5678 9012 3456',
  '4111111111111112',
  '5555 5555 5555 4445',
  '0000 0000 0000 0001',
  '9999-9999-9999-9999',
  'Account 1234567890123456 is internal only.',
  // invalid IBANs
  'DE89 3704 0044 0532 0130 01',
  'GB82 WEST 1234 5698 7654 33',
  'XX82 WEST 1234 5698 7654 32',
  'DE89 3704 0044 0532 0130',
  'FR14 2004 1010 0505 0001 3M02 607',
  // prices and quantities
  'The total is $1,234.56 including tax.',
  'Price: EUR 4.111,11 per unit.',
  'Revenue was 4,155,552,671 dollars.',
  'We shipped 12,345,678 units.',
  '3.14159265358979 is pi.',
  'The ratio is 0.4155552671.',
  'Discount 15% off 299.99.',
  'It weighs 415.55 kg.',
  // phone-like product codes
  'SKU 4471-2290-11 is out of stock.',
  'Part no. 7730-0041 fits model X.',
  'Model number A1-415-5552 works.',
  'Catalogue item 12-3456-7890-12 ships soon.',
  'Error code 0x80070005 appeared.',
  'Serial SN-2024-5552671 registered.',
  'Product code 123.456.789 listed.',
  'Lot 20240315-A7 recalled.',
  'Room 415, floor 5, desk 2671.',
  'Gate 4155 to 5526 closed.',
  // SSN-like
  'Zip code 94103-1234 is San Francisco.',
  'The value 000-12-3456 is not valid.',
  'Routing 123456789 is a test id.',
  'Numbers 666-12-3456 are never issued.',
  '900-12-3456 is an ITIN range.',
  // IP-like
  'Version 1.2.3.4.5 is an OID.',
  'Ratio 999.1.1.1 overflows.',
  'At 12:30:45 the job ran.',
  'std::vector and cafe::babe in C++.',
  'MAC 00:1A:2B:3C:4D:5E is a device.',
  // secret-like
  'The task-abcdefghijklmnopqrstuvwxyz0123 ran.',
  'Use sk-this-is-a-long-kebab-case-name as a slug.',
  'Bearer of bad news arrived.',
  'The token limit is 4096 tokens.',
  'Set the api key in settings.',
  'password: ********',
  'secret sauce is love',
  'Basic reasoning steps follow.',
  'Our key insight is simple.',
  'The primary key: user_id and created_at.',
  'Token: <redacted>',
  'AKIA1234 is too short.',
  'ghp_tooShort123 is not a token.',
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
  'eyJhbGciOiJIUzI1NiJ9.payload is not a JWT.',
  'Use xoxz-1234567890-abcdefghij as an example.',
  // email-like
  'Ping @handle on chat.',
  'foo@bar is not an address.',
  'user@@example.com is malformed.',
  'john.doe at example dot com',
  'Decorators like @Injectable() are common.',
  'CSS @media (max-width: 600px) rules.',
  'npm install @nestjs/core@11.2.10',
  'git clone git@github',
  'The email field is required.',
  // plain prose and code
  'Summarise the quarterly report in three bullet points.',
  'Write a haiku about autumn leaves.',
  'Translate "good morning" into French.',
  'What is the capital of Australia?',
  'Explain the difference between TCP and UDP.',
  'function add(a, b) { return a + b; }',
  'for (let i = 0; i < 10; i++) console.log(i);',
  'SELECT id, name FROM users WHERE created_at > now() - interval 7 day;',
  'const port = process.env.PORT ?? 8080;',
  'The answer to 6 * 7 is 42.',
  'Matrix [[1, 2], [3, 4]] has determinant -2.',
  'http://localhost:8080/v1/chat/completions is the endpoint.',
  'Coordinates 37.7749, -122.4194 are San Francisco.',
  'ISBN 978-3-16-148410-0 is a book.',
  'The ISO code for Germany is DE.',
  'HTTP 404 means not found; 503 means unavailable.',
  'Call the function with n=128 and k=16.',
  'Score: 98/100 on the test.',
  'The RGB colour is #4A90E2.',
  'Chapter 4, section 15, page 555.',
  'A 1080p display has 2073600 pixels.',
  'Heap size 4155552671 bytes is the limit.',
  'Flight BA2671 departs at 14:15.',
  'The year 2024 has 366 days.',
  'Temperature 21.5 C and humidity 55%.',
  'Latency p99 is 250 ms at 1000 req/s.',
  'Population 8336817 in 2022.',
  'Use base64 like SGVsbG8gd29ybGQ= for hello world.',
  'The hex colour 0xFFAA00 is orange.',
  'Array index 12345678 is out of bounds.',
  'Set max_tokens to 4096 and temperature to 0.7.',
  'The UNIX permissions are 0755.',
  'Port range 49152-65535 is ephemeral.',
  'Call stack depth 10000 was exceeded.',
  'A googol is 10^100.',
  'The Fibonacci numbers 1, 1, 2, 3, 5, 8, 13, 21.',
  'Prime 2147483647 is a Mersenne prime.',
  'Add 4111 to 1111 and you get 5222.',
  'The vector (415, 555, 2671) has three parts.',
  'She ran 5 km in 25:41.',
  'Ingredients: 2 eggs, 250 g flour, 1 tsp salt.',
  'Heap size 2147483647 is the int max.',
  'Build number 20240315 passed.',
  'The hash table has 1048576 buckets.',
  'Invoice total 1,299.00 due 2024-12-01.',
  'Use port 5432 for PostgreSQL and 6379 for Redis.',
];

export function negatives(): NegativeCase[] {
  return NEGATIVES.map((text, i) => ({ id: `negative:${i}`, text }));
}
