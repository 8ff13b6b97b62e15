import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routerChannelOptions, routerServerTls, routerTarget, splitRouterUrl } from './router-tls';
import { makeTestCerts, type TestCerts } from './test-certs.mock';

describe('router TLS settings', () => {
  let certs: TestCerts;
  let notPem: string;

  beforeAll(() => {
    certs = makeTestCerts();
    notPem = join(certs.dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
  });
  afterAll(() => certs.remove());

  /** Every line of the key files: none may appear in a message. */
  const keyLines = (): string[] =>
    [certs.serverKey, certs.clientKey, certs.strangerKey].flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('-----')),
    );
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected an error');
  };

  describe('routerServerTls (router)', () => {
    it('is plaintext without ROUTER_TLS_CERT', () => {
      expect(routerServerTls({})).toBeUndefined();
      expect(routerServerTls({ ROUTER_TLS_CA: certs.ca })).toBeUndefined();
    });

    it.each(['none', 'optional', 'require'] as const)('serves TLS with client auth %s', (auth) => {
      const tls = routerServerTls({
        ROUTER_TLS_CERT: certs.serverCert,
        ROUTER_TLS_KEY: certs.serverKey,
        ROUTER_TLS_CA: certs.ca,
        ROUTER_TLS_CLIENT_AUTH: auth,
      });
      expect(tls?.clientAuth).toBe(auth);
      expect(tls?.credentials._isSecure()).toBe(true);
      const options = tls?.credentials._getConstructorOptions();
      expect(options).toMatchObject({ requestCert: auth !== 'none' });
      if (auth === 'optional') expect(options).toMatchObject({ rejectUnauthorized: false });
    });

    it('defaults to client auth none', () => {
      expect(routerServerTls({ ROUTER_TLS_CERT: certs.serverCert, ROUTER_TLS_KEY: certs.serverKey })?.clientAuth).toBe('none');
    });

    it.each([
      [{ ROUTER_TLS_KEY: 'x.key' }, /^ROUTER_TLS_KEY is set but ROUTER_TLS_CERT is not/],
      [{ ROUTER_TLS_CERT: 'x.pem' }, /^ROUTER_TLS_CERT is set but ROUTER_TLS_KEY is not/],
      [{ ROUTER_TLS_CLIENT_AUTH: 'yes' }, /^ROUTER_TLS_CLIENT_AUTH must be one of none, optional, require \(got "yes"\)/],
      [{ ROUTER_TLS_CLIENT_AUTH: 'require' }, /^ROUTER_TLS_CLIENT_AUTH=require needs TLS: set ROUTER_TLS_CERT and ROUTER_TLS_KEY/],
    ])('%j is refused: %s', (env, expected) => {
      expect(message(() => routerServerTls(env))).toMatch(expected);
    });

    it('names the variable and the path of a file it cannot read, or that is not what it should be', () => {
      expect(message(() => routerServerTls({ ROUTER_TLS_CERT: '/nonexistent/router.pem', ROUTER_TLS_KEY: certs.serverKey }))).toBe(
        'ROUTER_TLS_CERT: cannot read /nonexistent/router.pem (no such file)',
      );
      expect(message(() => routerServerTls({ ROUTER_TLS_CERT: notPem, ROUTER_TLS_KEY: certs.serverKey }))).toBe(
        `ROUTER_TLS_CERT: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      );
      expect(message(() => routerServerTls({ ROUTER_TLS_CERT: certs.serverCert, ROUTER_TLS_KEY: notPem }))).toBe(
        `ROUTER_TLS_KEY: ${notPem} is not an unencrypted PEM private key`,
      );
      // A key given as the certificate: no certificate in it, and nothing of it in the message.
      const swapped = message(() => routerServerTls({ ROUTER_TLS_CERT: certs.serverKey, ROUTER_TLS_KEY: certs.serverKey }));
      expect(swapped).toBe(`ROUTER_TLS_CERT: ${certs.serverKey} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    });

    it('refuses a key that is not the certificate’s, without quoting either', () => {
      const msg = message(() => routerServerTls({ ROUTER_TLS_CERT: certs.serverCert, ROUTER_TLS_KEY: certs.clientKey }));
      expect(msg).toBe(`ROUTER_TLS_KEY (${certs.clientKey}) is not the private key of the certificate in ROUTER_TLS_CERT (${certs.serverCert})`);
      for (const line of keyLines()) expect(msg).not.toContain(line);
    });

    it('asks for ROUTER_TLS_CA with client auth', () => {
      for (const auth of ['optional', 'require']) {
        expect(message(() => routerServerTls({ ROUTER_TLS_CERT: certs.serverCert, ROUTER_TLS_KEY: certs.serverKey, ROUTER_TLS_CLIENT_AUTH: auth }))).toBe(
          `ROUTER_TLS_CLIENT_AUTH=${auth} needs ROUTER_TLS_CA, the CA that signs client certificates`,
        );
      }
      expect(
        message(() =>
          routerServerTls({
            ROUTER_TLS_CERT: certs.serverCert,
            ROUTER_TLS_KEY: certs.serverKey,
            ROUTER_TLS_CLIENT_AUTH: 'require',
            ROUTER_TLS_CA: certs.serverKey,
          }),
        ),
      ).toBe(`ROUTER_TLS_CA: ${certs.serverKey} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    });
  });

  describe('routerTarget (gateway)', () => {
    it('is plaintext for host:port, grpc:// and http:// without ROUTER_TLS_CA', () => {
      expect(routerTarget('127.0.0.1:50051', {})).toEqual({ address: '127.0.0.1:50051' });
      expect(routerTarget('grpc://router:50051', {})).toEqual({ address: 'router:50051' });
      expect(routerTarget('http://router:50051/', {})).toEqual({ address: 'router:50051' });
    });

    it('is TLS for grpcs:// and https:// (system roots), and for any URL with ROUTER_TLS_CA', () => {
      for (const url of ['grpcs://router:50051', 'https://router:50051']) {
        const t = routerTarget(url, {});
        expect(t.address).toBe('router:50051');
        expect(t.tls?.credentials._isSecure()).toBe(true);
        expect(t.tls?.clientCert).toBe(false);
      }
      const t = routerTarget('127.0.0.1:50051', { ROUTER_TLS_CA: certs.ca });
      expect(t).toMatchObject({ address: '127.0.0.1:50051', tls: { clientCert: false } });
      expect(routerChannelOptions(t.tls)).toEqual({});
    });

    it('presents a client certificate, and verifies another name when told', () => {
      const t = routerTarget('grpcs://10.0.0.7:50051', {
        ROUTER_TLS_CA: certs.ca,
        ROUTER_TLS_CLIENT_CERT: certs.clientCert,
        ROUTER_TLS_CLIENT_KEY: certs.clientKey,
        ROUTER_TLS_SERVERNAME: 'router.test',
      });
      expect(t).toMatchObject({ address: '10.0.0.7:50051', tls: { clientCert: true, serverName: 'router.test' } });
      expect(routerChannelOptions(t.tls)).toEqual({ 'grpc.ssl_target_name_override': 'router.test', 'grpc.default_authority': 'router.test' });
    });

    it.each([
      ['127.0.0.1:1', { ROUTER_TLS_CA: 'ca.pem', ROUTER_TLS_CLIENT_CERT: 'c.pem' }, /^ROUTER_TLS_CLIENT_CERT is set but ROUTER_TLS_CLIENT_KEY is not/],
      ['127.0.0.1:1', { ROUTER_TLS_CA: 'ca.pem', ROUTER_TLS_CLIENT_KEY: 'c.key' }, /^ROUTER_TLS_CLIENT_KEY is set but ROUTER_TLS_CLIENT_CERT is not/],
      [
        '127.0.0.1:1',
        { ROUTER_TLS_CLIENT_CERT: 'c.pem', ROUTER_TLS_CLIENT_KEY: 'c.key' },
        /^ROUTER_TLS_CLIENT_CERT is set but the router channel is plaintext/,
      ],
      ['127.0.0.1:1', { ROUTER_TLS_SERVERNAME: 'router' }, /^ROUTER_TLS_SERVERNAME is set but the router channel is plaintext/],
      ['http://127.0.0.1:1', { ROUTER_TLS_CA: 'ca.pem' }, /^ROUTER_URL says http:\/\/ \(plaintext\) but ROUTER_TLS_CA is set/],
      ['tcp://127.0.0.1:1', {}, /^ROUTER_URL must be host:port or grpc:\/\/, grpcs:\/\//],
      ['grpcs://127.0.0.1:1/x', {}, /^ROUTER_URL must be <scheme>:\/\/host:port with no path/],
      ['grpcs://127.0.0.1:1', { ROUTER_TLS_CA: '/nonexistent/ca.pem' }, /^ROUTER_TLS_CA: cannot read \/nonexistent\/ca.pem \(no such file\)$/],
      ['grpcs://127.0.0.1:1', { ROUTER_TLS_SERVERNAME: 'a b' }, /^ROUTER_TLS_SERVERNAME must be a host name/],
    ])('%s with %j is refused: %s', (url, env, expected) => {
      expect(message(() => routerTarget(url, env as NodeJS.ProcessEnv))).toMatch(expected);
    });

    it('refuses a client key that is not the client certificate’s, naming both variables', () => {
      const msg = message(() =>
        routerTarget('127.0.0.1:1', { ROUTER_TLS_CA: certs.ca, ROUTER_TLS_CLIENT_CERT: certs.clientCert, ROUTER_TLS_CLIENT_KEY: certs.serverKey }),
      );
      expect(msg).toBe(`ROUTER_TLS_CLIENT_KEY (${certs.serverKey}) is not the private key of the certificate in ROUTER_TLS_CLIENT_CERT (${certs.clientCert})`);
      for (const line of keyLines()) expect(msg).not.toContain(line);
    });
  });

  it('splitRouterUrl keeps a bare address and lowercases the scheme', () => {
    expect(splitRouterUrl(' 127.0.0.1:50051 ')).toEqual({ address: '127.0.0.1:50051' });
    expect(splitRouterUrl('GRPCS://[::1]:50051')).toEqual({ address: '[::1]:50051', scheme: 'grpcs' });
  });
});
