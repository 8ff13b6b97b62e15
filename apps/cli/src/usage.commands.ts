import { InvalidArgumentError, type Command } from 'commander';
import { unwrap, type components, type SwitchyardClient } from '@switchyard/client';
import { details, print, table, type Output } from './output';

type UsageReport = components['schemas']['UsageReportDto'];
type UsageFigures = components['schemas']['UsageFiguresDto'];
type RequestRecord = components['schemas']['RequestRecordDto'];

/** What each command needs: the admin API's client and where to print. */
export type Context = (cmd: Command) => { client: SwitchyardClient; out: Output };

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

/** USD as people read it: cents from a dollar up, three significant digits below (a request costs fractions of a cent). */
function dollars(n: number): string {
  const abs = Math.abs(n);
  // Below a micro-dollar, toPrecision would turn to exponents: a bound reads better.
  if (abs > 0 && abs < 1e-6) return `${n < 0 ? '>-' : '<'}$0.000001`;
  const text = abs === 0 ? '0.00' : abs >= 1 ? abs.toFixed(2) : abs.toPrecision(3);
  return `${n < 0 ? '-' : ''}$${text}`;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

function figures(f: UsageFigures): Record<string, string | number> {
  return {
    requests: f.requests,
    errors: f.errors,
    input_tokens: f.input_tokens,
    output_tokens: f.output_tokens,
    cost: dollars(f.cost_usd),
    savings: dollars(f.savings_usd),
    local_share: percent(f.local_share),
  };
}

const FIGURE_COLUMNS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cost', 'savings', 'local_share'];

/** The usage table: a row per group and a TOTAL row under them (the one row when nothing is grouped). */
function usageTable(report: UsageReport): string {
  const groups = report.group_by;
  const window = `${report.since} .. ${report.until}${report.tenant_id === null ? ' (all tenants)' : ` (tenant ${report.tenant_id})`}\n`;
  if (groups.length === 0) return window + table([figures(report.totals)], FIGURE_COLUMNS);
  const group = (g: Record<string, string | null | undefined>) => Object.fromEntries(groups.map((k) => [k, g[k] ?? '-']));
  const rows = report.data.map((r) => ({ ...group(r.group as Record<string, string | null>), ...figures(r) }));
  const total = { ...Object.fromEntries(groups.map((k, i) => [k, i === 0 ? 'TOTAL' : ''])), ...figures(report.totals) };
  return window + table([...rows, total], [...groups, ...FIGURE_COLUMNS]);
}

function attempts(r: RequestRecord): string {
  return r.attempts.map((a) => `${a.backend} ${a.outcome} ${a.status} ${a.ms}ms`).join('; ');
}

/** `usage` and `requests show|list`, over /admin/v1/usage and /admin/v1/requests. */
export function addUsageCommands(root: Command, ctx: Context): void {
  root
    .command('usage')
    .description('Requests, tokens, cost, savings against all-cloud and local share, per tenant or overall, from the usage ledger.')
    .option('--tenant <tenant>', 'tenant id or name (default: every tenant)')
    .option('--since <when>', 'ISO 8601 date or time, or an age: 7d, 24h, 30m (default: 30 days ago)')
    .option('--until <when>', 'same forms, exclusive (default: now)')
    .option('--group-by <dims>', 'comma-separated: model, backend, tier, key, tenant, day, hour')
    .option('--csv', 'print CSV (a header row, one row per group)')
    .action(async (flags: { tenant?: string; since?: string; until?: string; groupBy?: string; csv?: boolean }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const query = { tenant: flags.tenant, since: flags.since, until: flags.until, group_by: flags.groupBy };
      if (flags.csv === true) {
        const csv = await unwrap(client.GET('/admin/v1/usage', { params: { query: { ...query, format: 'csv' } }, parseAs: 'text' }));
        out.io.stdout.write(csv);
        return;
      }
      const report = await unwrap(client.GET('/admin/v1/usage', { params: { query } }));
      if (typeof report === 'string') throw new Error('the gateway answered CSV where JSON was asked for');
      print(out, report, () => usageTable(report));
    });

  const requests = root.command('requests').description("Request records from the usage ledger: one request's whole story, or a search.");
  requests
    .command('show <id>')
    .description('Everything recorded about one request: attempts, tokens, cost, timings, PII categories found.')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const r = await unwrap(client.GET('/admin/v1/requests/{id}', { params: { path: { id } } }));
      const none = (list: string[]) => (list.length === 0 ? undefined : list);
      print(out, r, () => details({ ...r, attempts: attempts(r), pii_categories: none(r.pii_categories), tags: none(r.tags) }));
    });
  requests
    .command('list')
    .description('Request records, newest first.')
    .option('--tenant <tenant>', 'tenant id or name')
    .option('--status <code>', 'an exact final HTTP status', positiveInt)
    .option('--since <when>', 'ISO 8601 date or time, or an age: 7d, 24h, 30m')
    .option('--until <when>', 'same forms, exclusive')
    .option('--limit <n>', 'at most this many (1 to 1000, default 100)', positiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .action(async (flags: { tenant?: string; status?: number; since?: string; until?: string; limit?: number; cursor?: string }, cmd: Command) => {
      const { client, out } = ctx(cmd);
      const page = await unwrap(client.GET('/admin/v1/requests', { params: { query: flags } }));
      print(out, page, () => {
        const rows = page.data.map((r) => ({
          ...r,
          tokens: `${r.input_tokens ?? '-'}/${r.output_tokens ?? '-'}`,
          cost: r.cost_usd === null ? '-' : dollars(r.cost_usd),
          ms: r.latency_ms,
        }));
        const list = table(rows, ['created_at', 'request_id', 'tenant_id', 'status', 'model', 'backend', 'tier', 'tokens', 'cost', 'ms']);
        return page.next_cursor === null ? list : `${list}more: --cursor ${page.next_cursor}\n`;
      });
    });
}
