import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { credentials, ServerCredentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';

/**
 * TLS on the gateway↔router gRPC channel. Both apps read the same variables, so one Secret and
 * one set of environment variables configure both ends:
 *
 * router (server): ROUTER_TLS_CERT + ROUTER_TLS_KEY turn TLS on; ROUTER_TLS_CLIENT_AUTH
 *   (`none` | `optional` | `require`, default `none`) with ROUTER_TLS_CA asks gateways for a
 *   client certificate signed by that CA.
 * gateway (client): ROUTER_TLS_CA, or a `grpcs://` / `https://` ROUTER_URL, turns TLS on;
 *   ROUTER_TLS_CLIENT_CERT + ROUTER_TLS_CLIENT_KEY present a client certificate;
 *   ROUTER_TLS_SERVERNAME is the name to verify when it is not the URL's host.
 *
 * Files are read and checked once, at start; an error names the variable and the path, never
 * what the file holds. Rotating a certificate takes a restart of the process that reads it.
 */

export type RouterClientAuth = 'none' | 'optional' | 'require';

const CLIENT_AUTH: readonly RouterClientAuth[] = ['none', 'optional', 'require'];

/** The router's server side. */
export interface RouterServerTls {
  credentials: ServerCredentials;
  clientAuth: RouterClientAuth;
}

/** The gateway's client side. */
export interface RouterClientTls {
  credentials: ChannelCredentials;
  /** Whether a client certificate is presented. */
  clientCert: boolean;
  /** The name the router's certificate must carry, when it is not the address's host. */
  serverName?: string;
}

/** The router's TLS from ROUTER_TLS_*; undefined (plaintext, as before) without ROUTER_TLS_CERT. Throws a message naming the variable. */
export function routerServerTls(env: NodeJS.ProcessEnv): RouterServerTls | undefined {
  const rawAuth = (env.ROUTER_TLS_CLIENT_AUTH ?? '').trim().toLowerCase() || 'none';
  if (!CLIENT_AUTH.includes(rawAuth as RouterClientAuth)) {
    throw new Error(`ROUTER_TLS_CLIENT_AUTH must be one of ${CLIENT_AUTH.join(', ')} (got ${JSON.stringify(env.ROUTER_TLS_CLIENT_AUTH)})`);
  }
  const clientAuth = rawAuth as RouterClientAuth;
  if (!set(env.ROUTER_TLS_CERT)) {
    if (set(env.ROUTER_TLS_KEY)) throw new Error('ROUTER_TLS_KEY is set but ROUTER_TLS_CERT is not: set both to serve TLS');
    if (clientAuth !== 'none') throw new Error(`ROUTER_TLS_CLIENT_AUTH=${clientAuth} needs TLS: set ROUTER_TLS_CERT and ROUTER_TLS_KEY`);
    return undefined;
  }
  if (!set(env.ROUTER_TLS_KEY)) throw new Error('ROUTER_TLS_CERT is set but ROUTER_TLS_KEY is not: set both to serve TLS');
  const pair = readKeyPair(env, 'ROUTER_TLS_CERT', 'ROUTER_TLS_KEY');
  if (clientAuth === 'none') return { credentials: ServerCredentials.createSsl(null, [pair], false), clientAuth };
  if (!set(env.ROUTER_TLS_CA)) throw new Error(`ROUTER_TLS_CLIENT_AUTH=${clientAuth} needs ROUTER_TLS_CA, the CA that signs client certificates`);
  const ca = readCertificates(env, 'ROUTER_TLS_CA');
  return {
    credentials: clientAuth === 'require' ? ServerCredentials.createSsl(ca, [pair], true) : new OptionalClientCertCredentials(ca, pair),
    clientAuth,
  };
}

/** Where the gateway reaches the router, and how. */
export interface RouterTarget {
  /** `host:port`, as grpc-js takes it (the URL without its scheme). */
  address: string;
  tls?: RouterClientTls;
}

/**
 * The gateway's side from ROUTER_URL and ROUTER_TLS_*. `host:port` and `grpc://` / `http://` are
 * plaintext unless ROUTER_TLS_CA is set; `grpcs://` / `https://` are TLS (verified against
 * ROUTER_TLS_CA, else the system's roots). Throws a message naming the variable.
 */
export function routerTarget(url: string, env: NodeJS.ProcessEnv): RouterTarget {
  const { address, scheme } = splitRouterUrl(url);
  const plainScheme = scheme === 'grpc' || scheme === 'http';
  const wantsTls = scheme === 'grpcs' || scheme === 'https' || set(env.ROUTER_TLS_CA);
  const clientCert = set(env.ROUTER_TLS_CLIENT_CERT);
  const clientKey = set(env.ROUTER_TLS_CLIENT_KEY);
  if (clientCert !== clientKey) {
    throw new Error(
      `${clientCert ? 'ROUTER_TLS_CLIENT_CERT' : 'ROUTER_TLS_CLIENT_KEY'} is set but ${clientCert ? 'ROUTER_TLS_CLIENT_KEY' : 'ROUTER_TLS_CLIENT_CERT'} is not: set both to present a client certificate`,
    );
  }
  if (!wantsTls) {
    if (clientCert) throw new Error('ROUTER_TLS_CLIENT_CERT is set but the router channel is plaintext: set ROUTER_TLS_CA or use a grpcs:// ROUTER_URL');
    if (set(env.ROUTER_TLS_SERVERNAME))
      throw new Error('ROUTER_TLS_SERVERNAME is set but the router channel is plaintext: set ROUTER_TLS_CA or use a grpcs:// ROUTER_URL');
    return { address };
  }
  if (plainScheme) throw new Error(`ROUTER_URL says ${scheme}:// (plaintext) but ROUTER_TLS_CA is set: use grpcs:// or host:port`);
  const ca = set(env.ROUTER_TLS_CA) ? readCertificates(env, 'ROUTER_TLS_CA') : null;
  const pair = clientCert ? readKeyPair(env, 'ROUTER_TLS_CLIENT_CERT', 'ROUTER_TLS_CLIENT_KEY') : undefined;
  const serverName = env.ROUTER_TLS_SERVERNAME?.trim() || undefined;
  if (serverName !== undefined && !/^[A-Za-z0-9.-]+$|^[0-9A-Fa-f:.]+$/.test(serverName)) {
    throw new Error(`ROUTER_TLS_SERVERNAME must be a host name (got ${JSON.stringify(serverName)})`);
  }
  return {
    address,
    tls: {
      credentials: credentials.createSsl(ca, pair?.private_key ?? null, pair?.cert_chain ?? null),
      clientCert,
      serverName,
    },
  };
}

/** Channel options a client needs for `tls` (the name to verify). */
export function routerChannelOptions(tls: RouterClientTls | undefined): ChannelOptions {
  if (!tls?.serverName) return {};
  return { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName };
}

/** `grpcs://host:port/` → host:port and its scheme; a bare `host:port` has none. */
export function splitRouterUrl(url: string): { address: string; scheme?: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(url.trim());
  if (!m) return { address: url.trim() };
  const scheme = m[1].toLowerCase();
  if (!['grpc', 'grpcs', 'http', 'https'].includes(scheme)) {
    throw new Error(`ROUTER_URL must be host:port or grpc://, grpcs://, http://, https:// host:port (got scheme ${JSON.stringify(scheme)})`);
  }
  const address = m[2].replace(/\/+$/, '');
  if (!address || address.includes('/')) throw new Error(`ROUTER_URL must be <scheme>://host:port with no path (got ${JSON.stringify(url)})`);
  return { address, scheme };
}

/**
 * `optional` client auth: a certificate is asked for, and a client without one (or with one the CA
 * did not sign) is still served, over TLS. grpc-js' createSsl only has "require" or "do not ask".
 */
class OptionalClientCertCredentials extends ServerCredentials {
  constructor(ca: Buffer, pair: { private_key: Buffer; cert_chain: Buffer }) {
    super({ requestCert: true, rejectUnauthorized: false }, { ca, cert: [pair.cert_chain], key: [pair.private_key] });
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

function set(v: string | undefined): boolean {
  return v !== undefined && v.trim() !== '';
}

function readFile(env: NodeJS.ProcessEnv, name: string): { path: string; data: Buffer } {
  const path = env[name]!.trim();
  try {
    return { path, data: readFileSync(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${name}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
}

/** One or more PEM certificates (a chain or a CA bundle). */
function readCertificates(env: NodeJS.ProcessEnv, name: string): Buffer {
  const { path, data } = readFile(env, name);
  const blocks = data.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${name}: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new Error(`${name}: ${path} holds a certificate that does not parse`);
    }
  }
  return data;
}

/** A certificate (chain) and its private key, checked to belong together. */
function readKeyPair(env: NodeJS.ProcessEnv, certVar: string, keyVar: string): { private_key: Buffer; cert_chain: Buffer } {
  const cert = readCertificates(env, certVar);
  const { path, data: key } = readFile(env, keyVar);
  try {
    createPrivateKey(key);
  } catch {
    // The parser's message is not passed on: nothing of the file's content may reach a log.
    throw new Error(`${keyVar}: ${path} is not an unencrypted PEM private key`);
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new Error(`${keyVar} (${path}) is not the private key of the certificate in ${certVar} (${env[certVar]!.trim()})`);
  }
  return { private_key: key, cert_chain: cert };
}
