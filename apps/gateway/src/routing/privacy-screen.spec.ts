import { EgressBlockedError, parseConfig, PrivacyScanError } from '@switchyard/contracts';
import { CallAbort } from '@switchyard/adapters';
import type { RouteCandidate, ScanResult } from '@switchyard/policy';
import { PrivacyScreen } from './privacy-screen';
import type { RequestContext } from './request-context';

const config = (onPii: string) =>
  parseConfig(
    JSON.stringify({
      backends: [
        { name: 'local', protocol: 'openai', baseUrl: 'http://127.0.0.1:1/v1', tier: 'local', models: ['m'] },
        { name: 'cloud', protocol: 'openai', baseUrl: 'http://127.0.0.1:2/v1', tier: 'cloud', models: ['m'] },
      ],
      policy: { privacy: { onPii } },
    }),
    {},
    'test',
  );
const ctx = (requestId = 'req-1'): RequestContext => ({ requestId, startedAt: 0, signal: new CallAbort(), deadlineAt: 1e12, upstreamMs: 0 });
const local: RouteCandidate = { backend: 'local', model: 'm', tier: 'local' };
const cloud: RouteCandidate = { backend: 'cloud', model: 'm', tier: 'cloud' };
const chat = (content: string) => ({ model: 'chat', messages: [{ role: 'user', content }] });

describe('PrivacyScreen', () => {
  const screen = new PrivacyScreen(config('local-only'));

  it('sends a local candidate the request as it came, with no egress check', () => {
    const request = chat('hello');
    const out = screen.outbound(request, screen.scan(request, undefined) as ScanResult, local, ctx(), true);
    expect(out.request).toBe(request);
    expect(out.ctx.egress).toBeUndefined();
  });

  it('sends a cloud candidate a copy of what was scanned, and checks the bytes that leave', async () => {
    const request = chat('hello there');
    const out = screen.outbound(request, screen.scan(request, undefined) as ScanResult, cloud, ctx(), true);
    expect(out.request).not.toBe(request);
    expect(out.request).toEqual(request);
    await expect(out.ctx.egress!(JSON.stringify(out.request), { 'x-request-id': 'req-1' })).resolves.toBeUndefined();
    // Whatever a mapper adds is read: a schema pasted into a system prompt, say.
    const translated = JSON.stringify({ system: 'Answer as JSON for jane@example.com', messages: [{ role: 'user', content: 'hello there' }] });
    await expect(out.ctx.egress!(translated, { 'x-request-id': 'req-1' })).rejects.toBeInstanceOf(EgressBlockedError);
    await expect(out.ctx.egress!(JSON.stringify(out.request), { 'x-request-id': 'req-4111 1111 1111 1111' })).rejects.toMatchObject({
      code: 'pii_egress_blocked',
      status: 403,
      categories: ['credit_card'],
    });
  });

  it("reads the client's request id, not one the gateway made up", async () => {
    const request = chat('hello there');
    // Shaped like a phone number on purpose: read if it were the client's, skipped as the gateway's own.
    const own = screen.outbound(request, screen.scan(request, undefined) as ScanResult, cloud, ctx('+1 415 555 2671'), true);
    await expect(own.ctx.egress!(JSON.stringify(own.request), { 'x-request-id': '+1 415 555 2671' })).resolves.toBeUndefined();
    const scanned = screen.scan(request, '+1 415 555 2671') as ScanResult;
    expect(scanned.categories).toEqual(['phone']);
  });

  it('redacts for a redact candidate, the request id included, and the egress check passes the placeholders', async () => {
    const redacting = new PrivacyScreen(config('redact'));
    const request = chat('mail jane@example.com');
    const scan = redacting.scan(request, 'req-jane@example.com') as ScanResult;
    const out = redacting.outbound(request, scan, { ...cloud, redact: true }, ctx('req-jane@example.com'), true);
    expect(out.request.messages[0].content).toBe('mail [EMAIL_1]');
    expect(out.ctx.requestId).toBe('[EMAIL]'); // `req-jane` is a valid local part
    expect(out.redaction).toBeDefined();
    await expect(out.ctx.egress!(JSON.stringify(out.request), { 'x-request-id': out.ctx.requestId })).resolves.toBeUndefined();
  });

  it('checks nothing when policy allows personal data anywhere', () => {
    const open = new PrivacyScreen(config('allow'));
    expect(open.scan(chat('jane@example.com'), 'r')).toBeUndefined();
    const request = chat('jane@example.com');
    expect(open.outbound(request, undefined, cloud, ctx(), true).request).toBe(request);
  });

  it("applies a tenant's stance over the config's, either way, with the same screen", async () => {
    const open = new PrivacyScreen(config('allow'));
    const request = chat('mail jane@example.com');
    // A local-only tenant under an allow-all config: scanned, copied, checked on the way out.
    const scan = open.scan(request, undefined, 'local-only') as ScanResult;
    expect(scan.categories).toEqual(['email']);
    const out = open.outbound(request, scan, cloud, { ...ctx(), onPii: 'local-only' }, true);
    expect(out.request).not.toBe(request);
    await expect(out.ctx.egress!(JSON.stringify(request), { 'x-request-id': 'req-1' })).rejects.toBeInstanceOf(EgressBlockedError);
    // A tenant that allows PII under a local-only config: nothing scanned, nothing checked.
    expect(screen.scan(request, undefined, 'allow')).toBeUndefined();
    const free = screen.outbound(request, undefined, cloud, { ...ctx(), onPii: 'allow' }, true);
    expect(free.request).toBe(request);
    expect(free.ctx.egress).toBeUndefined();
  });

  it('fails closed when the scan itself fails', () => {
    const hostile = {
      get messages(): never {
        throw new Error('getter failed');
      },
    };
    expect(() => screen.scan(hostile, 'r')).toThrow(PrivacyScanError);
  });
});
