#!/usr/bin/env node
'use strict';
// `npx switchyard …`: the operator CLI. It runs from the build (dist/), made on first use.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const main = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('switchyard: building first (npm run build)…\n');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0 || !existsSync(main)) {
    process.stderr.write('switchyard: the build failed; run `npm run build` to see why\n');
    process.exit(2);
  }
}
require(main)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
