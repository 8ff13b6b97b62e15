import type { RuleActionConfig, RuleConfig } from '@switchyard/contracts';
import { compileGlob } from './glob';
import type { RequestFeatures } from './policy.types';

export interface CompiledRule {
  name: string;
  action: RuleActionConfig;
  matches(f: RequestFeatures): boolean;
}

/** Turns `policy.rules` into predicates; every condition in `match` must hold, and an empty match matches all. */
export function compileRules(rules: readonly RuleConfig[]): CompiledRule[] {
  return rules.map((rule) => {
    const m = rule.match;
    const tests: ((f: RequestFeatures) => boolean)[] = [];
    if (m.tenant !== undefined) {
      const g = compileGlob(m.tenant);
      tests.push((f) => g(f.tenant));
    }
    if (m.model !== undefined) {
      const g = compileGlob(m.model);
      tests.push((f) => g(f.model));
    }
    if (m.tags && m.tags.length > 0) {
      const tags = m.tags;
      tests.push((f) => tags.every((t) => f.tags.includes(t)));
    }
    if (m.pii !== undefined) {
      const want = m.pii;
      tests.push((f) => f.pii.length > 0 === want);
    }
    if (m.header) {
      const checks = Object.entries(m.header).map(([k, v]) => [k.toLowerCase(), compileGlob(String(v))] as const);
      tests.push((f) => checks.every(([k, g]) => g(f.headers[k])));
    }
    return { name: rule.name, action: rule.action, matches: (f) => tests.every((t) => t(f)) };
  });
}
