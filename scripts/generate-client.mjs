/**
 * Regenerates libs/client/src/schema.ts (the typed admin/usage client's types) from the gateway's
 * own /openapi.json:  npm run client:generate   (builds first, then asks the built gateway).
 * `--from <file>` reads a saved document instead; `--check` writes nothing and fails when the
 * checked-in file differs from what the document gives (test/client-schema.e2e-spec.ts runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = join(ROOT, 'libs/client/src/schema.ts');
const require = createRequire(import.meta.url);

export async function generatedSchema(document) {
  const body = astToString(await openapiTS(document));
  const header = "/**\n * Generated from the gateway's /openapi.json by `npm run client:generate`. Do not edit.\n */\n";
  const options = (await prettier.resolveConfig(TARGET)) ?? {};
  return prettier.format(header + body, { ...options, filepath: TARGET });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const from = process.argv.indexOf('--from');
  const document = from > 0 ? JSON.parse(readFileSync(process.argv[from + 1], 'utf8')) : await require('./openapi-document.js').openApiDocument();
  const fresh = await generatedSchema(document);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(TARGET, 'utf8');
    } catch {
      // Missing counts as stale.
    }
    if (current !== fresh) {
      process.stderr.write("libs/client/src/schema.ts is out of date with the gateway's OpenAPI document: run `npm run client:generate` and commit it.\n");
      process.exit(1);
    }
    process.stdout.write('libs/client/src/schema.ts is up to date\n');
  } else {
    writeFileSync(TARGET, fresh);
    process.stdout.write(`wrote ${TARGET}\n`);
  }
}
