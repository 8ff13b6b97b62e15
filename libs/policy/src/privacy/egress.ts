import type { PiiCategory, PiiScanner } from './detectors';
import { scanPayload } from './scan';

/**
 * The egress check: categories of personal data in the exact bytes about to leave for a backend
 * (after translation) and in the client headers carried with them. Scanned like a request, every
 * string and key at any depth, so it holds whatever a mapper added. A body that is not JSON is
 * scanned as one text.
 */
export function egressCategories(
  body: string,
  headerValues: readonly string[],
  scanner: PiiScanner,
  /** Texts already scanned clean (see cleanTexts): read once is enough. */
  known?: ReadonlySet<string>,
): PiiCategory[] | Promise<PiiCategory[]> {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    root = { body };
  }
  const result = scanPayload(root, scanner, headerValues, known);
  return result instanceof Promise ? result.then((r) => r.categories) : result.categories;
}
