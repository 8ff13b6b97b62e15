import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ApiError, createSwitchyardClient, unwrap, type components, type SwitchyardClient } from '@switchyard/client';
import { details, print, table, type Io, type Output } from './output';
import { addUsageCommands } from './usage.commands';

type Tenant = components['schemas']['TenantDto'];
type TenantChanges = Omit<components['schemas']['CreateTenantDto'], 'name'>;
type NewKey = components['schemas']['CreateKeyDto'];

/** Exit codes: 0 done, 1 the gateway refused or failed, 2 the command line was wrong or the gateway unreachable. */
const EXIT_API = 1;
const EXIT_USAGE = 2;

const DEFAULT_URL = 'http://127.0.0.1:8080';

interface Globals {
  url?: string;
  adminKey?: string;
  json?: boolean;
}

/** The admin key: --admin-key, SWITCHYARD_ADMIN_KEY, else the one a local gateway keeps under its data dir. */
function adminKey(globals: Globals, env: NodeJS.ProcessEnv): string {
  const given = globals.adminKey ?? env.SWITCHYARD_ADMIN_KEY;
  if (given) return given;
  const path = join(resolve(env.SWITCHYARD_DATA_DIR ?? 'data'), 'admin-key');
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored) return stored;
  } catch {
    // Not there: say what to do.
  }
  throw new UsageError(`no admin key: pass --admin-key, set SWITCHYARD_ADMIN_KEY, or run where ${path} exists`);
}

class UsageError extends Error {}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};
const usd = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be an amount in USD, e.g. 50 or 12.5');
  return n;
};
const globs = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The tenant options `create` and `update` share, as the admin API's body. */
function tenantOptions(cmd: Command): Command {
  return cmd
    .option('--rpm <n>', 'requests per minute', positiveInt)
    .option('--tpm <n>', 'tokens per minute', positiveInt)
    .option('--daily-budget-usd <usd>', 'spend cap per UTC day', usd)
    .option('--monthly-budget-usd <usd>', 'spend cap per UTC month', usd)
    .option('--models <globs>', "models it may use, comma-separated globs (e.g. 'chat*,embed')", globs)
    .addOption(new Option('--on-pii <action>', 'privacy stance over the config').choices(['local-only', 'redact', 'deny', 'allow']))
    .option('--capture', "keep its requests' and answers' bodies with their records, PII replaced (see `requests show`)")
    .option('--no-capture', 'stop keeping them')
    .addOption(new Option('--cache <mode>', "response cache over the config's").choices(['off', 'exact', 'semantic']))
    .option('--cache-ttl <seconds>', 'how long its cached answers are kept', positiveInt)
    .option('--cache-namespace <name>', 'share cached answers with the tenants naming the same namespace');
}

interface TenantFlags {
  rpm?: number;
  tpm?: number;
  dailyBudgetUsd?: number;
  monthlyBudgetUsd?: number;
  models?: string[];
  onPii?: 'local-only' | 'redact' | 'deny' | 'allow';
  capture?: boolean;
  cache?: 'off' | 'exact' | 'semantic';
  cacheTtl?: number;
  cacheNamespace?: string;
}

/** `privacy` and `cache` are replaced whole by a change: what is not given is kept from `current`. */
function tenantBody(f: TenantFlags, current?: Pick<TenantChanges, 'privacy' | 'cache'>): TenantChanges {
  const body: TenantChanges = {};
  if (f.rpm !== undefined || f.tpm !== undefined) body.limits = { rpm: f.rpm, tpm: f.tpm };
  if (f.dailyBudgetUsd !== undefined || f.monthlyBudgetUsd !== undefined) body.budgets = { dailyUsd: f.dailyBudgetUsd, monthlyUsd: f.monthlyBudgetUsd };
  if (f.models !== undefined) body.allowedModels = f.models;
  if (f.onPii !== undefined || f.capture !== undefined) {
    const privacy = { ...current?.privacy, onPii: f.onPii ?? current?.privacy?.onPii, capture: f.capture ?? current?.privacy?.capture };
    body.privacy = Object.fromEntries(Object.entries(privacy).filter(([, v]) => v !== undefined));
  }
  if (f.cache !== undefined || f.cacheTtl !== undefined || f.cacheNamespace !== undefined) {
    const was = current?.cache ?? undefined;
    const cache = { mode: f.cache ?? was?.mode, ttlSeconds: f.cacheTtl ?? was?.ttlSeconds, namespace: f.cacheNamespace ?? was?.namespace };
    body.cache = Object.fromEntries(Object.entries(cache).filter(([, v]) => v !== undefined));
  }
  return body;
}

const TENANT_COLUMNS = ['id', 'name', 'status', 'allowedModels', 'limits', 'budgets'];
const KEY_COLUMNS = ['id', 'name', 'prefix', 'expiresAt', 'lastUsedAt', 'revokedAt'];

export function program(io: Io): Command {
  const root = new Command('switchyard')
    .description('Operate a Switchyard gateway: tenants, API keys, credentials, limits, usage and request records.')
    .option('--url <url>', `the gateway (default: $SWITCHYARD_URL, else ${DEFAULT_URL})`)
    .option('--admin-key <key>', 'the admin key (default: $SWITCHYARD_ADMIN_KEY, else the one in ./data/admin-key)')
    .option('--json', 'print JSON instead of tables')
    .showHelpAfterError()
    .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) })
    .exitOverride();

  const ctx = (cmd: Command): { client: SwitchyardClient; out: Output } => {
    const g = cmd.optsWithGlobals<Globals>();
    return {
      client: createSwitchyardClient({ url: g.url ?? io.env.SWITCHYARD_URL ?? DEFAULT_URL, key: adminKey(g, io.env) }),
      out: { json: g.json === true, io },
    };
  };

  /** A tenant by id or by name. */
  const findTenant = async (client: SwitchyardClient, ref: string): Promise<Tenant> => {
    if (ref.startsWith('tnt_')) return unwrap(client.GET('/admin/v1/tenants/{id}', { params: { path: { id: ref } } }));
    const list = await unwrap(client.GET('/admin/v1/tenants', { params: { query: { limit: 1000 } } }));
    const found = list.data.find((t) => t.name === ref);
    if (!found) throw new ApiError(404, `no tenant named "${ref}"`, undefined);
    return found;
  };

  const tenants = root.command('tenants').description('Create, list, change and delete tenants.');
  tenantOptions(tenants.command('create <name>').description('Create a tenant.')).action(async (name: string, flags: TenantFlags, cmd: Command) => {
    const { client, out } = ctx(cmd);
    const t = await unwrap(client.POST('/admin/v1/tenants', { body: { name, ...tenantBody(flags) } }));
    print(out, t, () => details(t));
  });
  tenants
    .command('list')
    .description('List tenants.')
    .action(async (_flags: object, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const list = await unwrap(client.GET('/admin/v1/tenants', { params: { query: { limit: 1000 } } }));
      print(out, list.data, () => table(list.data, TENANT_COLUMNS));
    });
  tenants
    .command('show <tenant>')
    .description('Show a tenant (by id or name).')
    .action(async (ref: string, _flags: object, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, ref);
      print(out, t, () => details(t));
    });
  tenantOptions(tenants.command('update <tenant>').description('Change a tenant’s limits, budgets, models or privacy stance.')).action(
    async (ref: string, flags: TenantFlags, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, ref);
      const body = tenantBody(flags, t);
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one option (see --help)');
      const changed = await unwrap(client.PATCH('/admin/v1/tenants/{id}', { params: { path: { id: t.id } }, body }));
      print(out, changed, () => details(changed));
    },
  );
  for (const [verb, status] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
  ] as const) {
    tenants
      .command(`${verb} <tenant>`)
      .description(verb === 'suspend' ? 'Suspend a tenant: its keys stop working within seconds.' : 'Make a suspended tenant active again.')
      .action(async (ref: string, _flags: object, cmd: Command) => {
        const { client, out } = ctx(cmd);
        const t = await findTenant(client, ref);
        const changed = await unwrap(client.PATCH('/admin/v1/tenants/{id}', { params: { path: { id: t.id } }, body: { status } }));
        print(out, changed, () => details(changed));
      });
  }
  tenants
    .command('delete <tenant>')
    .description('Delete a tenant with its keys and credentials.')
    .action(async (ref: string, _flags: object, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, ref);
      await unwrap(client.DELETE('/admin/v1/tenants/{id}', { params: { path: { id: t.id } } }));
      print(out, { deleted: t.id }, () => `deleted tenant ${t.name} (${t.id})\n`);
    });

  const keys = root.command('keys').description('Issue, list, rotate and revoke API keys.');
  keys
    .command('create')
    .description('Create an API key for a tenant; the key is printed this once.')
    .requiredOption('--tenant <tenant>', 'tenant id or name')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--expires-at <time>', 'ISO 8601 time the key stops working')
    .option('--rpm <n>', "the key's own requests per minute", positiveInt)
    .option('--tpm <n>', "the key's own tokens per minute", positiveInt)
    .action(async (flags: { tenant: string; name: string; expiresAt?: string; rpm?: number; tpm?: number }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, flags.tenant);
      const body: NewKey = { name: flags.name };
      if (flags.expiresAt !== undefined) body.expiresAt = flags.expiresAt;
      if (flags.rpm !== undefined || flags.tpm !== undefined) body.limits = { rpm: flags.rpm, tpm: flags.tpm };
      const k = await unwrap(client.POST('/admin/v1/tenants/{id}/keys', { params: { path: { id: t.id } }, body }));
      print(
        out,
        k,
        () =>
          `${details({ id: k.id, tenant: t.name, name: k.name, prefix: k.prefix })}\nkey: ${k.key}\n\nThis is the only time the key is shown: store it now.\n`,
      );
    });
  keys
    .command('list')
    .description("List a tenant's keys (never their secrets).")
    .requiredOption('--tenant <tenant>', 'tenant id or name')
    .action(async (flags: { tenant: string }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, flags.tenant);
      const list = await unwrap(client.GET('/admin/v1/tenants/{id}/keys', { params: { path: { id: t.id } } }));
      print(out, list.data, () => table(list.data, KEY_COLUMNS));
    });
  keys
    .command('rotate <keyId>')
    .description('Give a key a new secret, printed this once; the old one works for the grace period.')
    .option('--grace-seconds <n>', 'how long the old secret keeps working (default 0)', positiveInt)
    .action(async (id: string, flags: { graceSeconds?: number }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const k = await unwrap(client.POST('/admin/v1/keys/{id}/rotate', { params: { path: { id } }, body: { gracePeriodSeconds: flags.graceSeconds ?? 0 } }));
      print(out, k, () => `rotated ${k.id}\nkey: ${k.key}\n\nThis is the only time the new key is shown: store it now.\n`);
    });
  keys
    .command('revoke <keyId>')
    .description('Revoke a key: it stops working within seconds on every replica.')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const { client, out } = ctx(cmd);
      await unwrap(client.DELETE('/admin/v1/keys/{id}', { params: { path: { id } } }));
      print(out, { revoked: id }, () => `revoked ${id}\n`);
    });

  root
    .command('limits')
    .description('Limits and budgets as counted now (one subcommand: show).')
    .command('show')
    .description("A tenant's counters in the current windows and what remains, and those of its keys with limits of their own.")
    .requiredOption('--tenant <tenant>', 'tenant id or name')
    .action(async (flags: { tenant: string }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, flags.tenant);
      const limits = await unwrap(client.GET('/admin/v1/tenants/{id}/limits', { params: { path: { id: t.id } } }));
      const rows = [
        ...limits.counters.map((c) => ({ ...c, who: t.name })),
        ...limits.keys.flatMap((k) => k.counters.map((c) => ({ ...c, who: `key ${k.name}` }))),
      ].map((c) => ({ ...c, reset: `${Math.ceil(c.resetMs / 1000)}s` }));
      print(out, limits, () =>
        rows.length === 0 ? `${t.name} has no limits or budgets\n` : table(rows, ['who', 'kind', 'limit', 'used', 'remaining', 'reset']),
      );
    });

  const credentials = root.command('credentials').description("Set or clear a tenant's own provider key for a backend (bring your own key).");
  credentials
    .command('set')
    .description("Store a tenant's provider key for a backend; only a masked hint is ever shown again.")
    .requiredOption('--tenant <tenant>', 'tenant id or name')
    .requiredOption('--backend <name>', 'a configured backend')
    .option('--api-key <key>', 'the provider key (default: read from standard input, so it stays out of shell history)')
    .action(async (flags: { tenant: string; backend: string; apiKey?: string }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const apiKey = (flags.apiKey ?? io.stdin()).trim();
      if (!apiKey) throw new UsageError('no provider key given: pass --api-key or pipe it on standard input');
      const t = await findTenant(client, flags.tenant);
      const stored = await unwrap(
        client.PUT('/admin/v1/tenants/{id}/credentials/{backend}', { params: { path: { id: t.id, backend: flags.backend } }, body: { apiKey } }),
      );
      print(out, stored, () => details(stored));
    });
  credentials
    .command('clear')
    .description("Remove a tenant's provider key: its requests carry the backend's own key again.")
    .requiredOption('--tenant <tenant>', 'tenant id or name')
    .requiredOption('--backend <name>', 'a configured backend')
    .action(async (flags: { tenant: string; backend: string }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const t = await findTenant(client, flags.tenant);
      await unwrap(client.DELETE('/admin/v1/tenants/{id}/credentials/{backend}', { params: { path: { id: t.id, backend: flags.backend } } }));
      print(out, { cleared: { tenant: t.id, backend: flags.backend } }, () => `cleared ${t.name}'s key for ${flags.backend}\n`);
    });

  addUsageCommands(root, ctx);

  return root;
}

const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: () => readFileSync(0, 'utf8'),
};

export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ApiError) {
      io.stderr.write(`switchyard: ${err.message} (HTTP ${err.status})\n`);
      return EXIT_API;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_USAGE;
    if (err instanceof UsageError) {
      io.stderr.write(`switchyard: ${err.message}\n`);
      return EXIT_USAGE;
    }
    // fetch failed: the gateway is not there (refused, unknown host, a port fetch will not use).
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    io.stderr.write(`switchyard: ${cause ? `cannot reach the gateway (${cause.code ?? cause.message})` : (err as Error).message}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
