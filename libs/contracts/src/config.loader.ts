import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { SwitchyardConfig } from './config.schema';

/** A config that cannot be used; the message names the file and the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses YAML, substitutes `${VAR}` / `${VAR:-default}` in string values, validates. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env, source = 'config'): SwitchyardConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source}: invalid YAML: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source}: must be a YAML mapping with at least \`backends\``);
  }
  const plain = normalise(substituteEnv(raw, env)) as Record<string, unknown>;
  const config = plainToInstance(SwitchyardConfig, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new ConfigError(`${source}: ${flatten(errors).join('; ')}`);
  }
  const problems = crossCheck(config);
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function substituteEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return value.replace(ENV_REF, (_, name: string, dflt?: string) => env[name] ?? dflt ?? '');
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env)]));
  }
  return value;
}

/** Short forms: `models: [llama3.2]` means `[{ id: llama3.2 }]`; an empty `apiKey` means none. */
function normalise(raw: unknown): unknown {
  const cfg = raw as { backends?: unknown };
  if (!Array.isArray(cfg.backends)) return raw;
  cfg.backends = cfg.backends.map((b: unknown) => {
    if (b === null || typeof b !== 'object') return b;
    const backend = { ...(b as Record<string, unknown>) };
    if (Array.isArray(backend.models)) {
      backend.models = backend.models.map((m: unknown) => (typeof m === 'string' ? { id: m } : m));
    }
    if (backend.apiKey === '') delete backend.apiKey;
    return backend;
  });
  return cfg;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) {
      // class-validator starts each message with the property name; say the full path instead.
      const text = msg.startsWith(`${e.property} `) ? msg.slice(e.property.length + 1) : msg;
      out.push(`${path} ${text}${e.value !== undefined && typeof e.value !== 'object' ? ` (got ${JSON.stringify(e.value)})` : ''}`);
    }
    out.push(...flatten(e.children ?? [], path));
  }
  return out;
}

function crossCheck(config: SwitchyardConfig): string[] {
  const problems: string[] = [];
  const backends = new Map<string, Set<string>>();
  config.backends.forEach((b, i) => {
    if (backends.has(b.name)) problems.push(`backends[${i}].name "${b.name}" is used by another backend`);
    backends.set(b.name, new Set(b.models.map((m) => m.id)));
  });
  const publicNames = new Set<string>();
  config.models.forEach((m, i) => {
    if (publicNames.has(m.name)) problems.push(`models[${i}].name "${m.name}" is used by another model`);
    publicNames.add(m.name);
    m.targets.forEach((t, j) => {
      const models = backends.get(t.backend);
      if (!models) problems.push(`models[${i}].targets[${j}].backend "${t.backend}" is not a configured backend`);
      else if (!models.has(t.model)) problems.push(`models[${i}].targets[${j}].model "${t.model}" is not listed in backend "${t.backend}" models`);
    });
  });
  config.policy.rules.forEach((r, i) => {
    for (const b of r.action.backends ?? []) {
      if (!backends.has(b)) problems.push(`policy.rules[${i}].action.backends: "${b}" is not a configured backend`);
    }
  });
  return problems;
}
