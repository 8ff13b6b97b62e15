import { ModelNotFoundError, type Principal } from '@switchyard/contracts';
import { compileGlob } from '@switchyard/policy';

/**
 * Compiled allow-lists, by the grants' own array: the guard caches a key's principal, so a list is
 * compiled once per cache fill, not per request. Globs are the policy rules' own (`*` matches any
 * run), so `match.tenant` and allow-lists read patterns alike.
 */
const compiled = new WeakMap<readonly string[], (model: string) => boolean>();

/** Whether the caller may use `model` (the name it asks for); a key without an allow-list (the admin key) may use every model. */
export function mayUseModel(principal: Principal | undefined, model: string): boolean {
  const globs = principal?.grants?.allowedModels;
  if (globs === undefined) return true;
  let test = compiled.get(globs);
  if (test === undefined) {
    const tests = globs.map(compileGlob);
    test = (m) => tests.some((t) => t(m));
    compiled.set(globs, test);
  }
  return test(model);
}

/** A model the caller may not use is answered exactly as one that does not exist: its existence is not revealed. */
export function assertMayUseModel(principal: Principal | undefined, model: string): void {
  if (!mayUseModel(principal, model)) throw new ModelNotFoundError(model);
}
