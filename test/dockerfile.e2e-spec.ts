import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { buildIfStale } from './support/gateway-process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';

/**
 * docker/Dockerfile against the build output, with no container engine: the Dockerfile is parsed,
 * `nest build` runs as its build stage does, every COPY source and every path the image runs
 * (CMD, HEALTHCHECK, the chart's router args) must exist in what the stages produce, and the
 * runtime stage's layout, assembled in a temp dir from its COPY lines, must start the router and
 * the gateway and answer the image's own health check.
 */
const root = resolve(__dirname, '..');
const dockerfileText = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  workdir: string;
  instructions: Instruction[];
}

/** Instructions with their continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending)!;
    out.push({ op: m[1].toUpperCase(), args: m[2] });
    pending = '';
  }
  return out;
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k, v] = ins.args.split('=');
      args[k] = v ?? '';
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ name: m[2] ?? String(stages.length), from: m[1], workdir: '/', instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (ins.op === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, ins.args);
      stage.instructions.push({ ...ins, args: ins.args });
    }
  }
  return { args, stages };
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  /** The destination is a directory (trailing slash, or several sources). */
  intoDir: boolean;
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      const rawDest = paths[paths.length - 1];
      const sources = paths.slice(0, -1);
      return { from, sources, dest: posix.resolve(stage.workdir, rawDest), intoDir: rawDest.endsWith('/') || sources.length > 1 };
    });
}

/** .dockerignore's rules (Go filepath.Match plus `**`; a matched directory excludes its contents; `!` re-includes). */
function dockerignore(): (rel: string) => boolean {
  const rules = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(.*/)?');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  return (rel) => {
    const parts = rel.split('/');
    let ignored = false;
    for (const { negate, re } of rules) {
      for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) ignored = !negate;
    }
    return ignored;
  };
}

const { args, stages } = parseDockerfile(dockerfileText);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`docker/Dockerfile has no stage "${name}"`);
  return s;
};
const runtime = stages[stages.length - 1];
const ignored = dockerignore();

/**
 * Where a path of a build stage comes from on this machine: what the stage's RUN produced
 * (`npm run build` → dist/, `npm ci` → node_modules/), or a COPY from the build context (the
 * repository minus .dockerignore). Undefined when the stage would not have it.
 */
function originOf(stageName: string, absPath: string): string | undefined {
  const s = stage(stageName);
  const rel = posix.relative(s.workdir, absPath);
  if (rel.startsWith('..')) return undefined;
  const runs = s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
  const top = rel.split('/')[0];
  if (top === 'dist' && runs.some((r) => /npm run build|nest build/.test(r))) return existsSync(join(root, rel)) ? join(root, rel) : undefined;
  if (top === 'node_modules' && runs.some((r) => /npm ci/.test(r))) return join(root, rel);
  for (const c of copies(s)) {
    if (c.from) continue;
    for (const src of c.sources) {
      // A directory's contents land in the destination; a file lands in it (or is it).
      const isDir = existsSync(join(root, src)) && statSync(join(root, src)).isDirectory();
      const landing = isDir || !c.intoDir ? c.dest : posix.join(c.dest, posix.basename(src));
      const under = posix.relative(landing, absPath);
      if (under.startsWith('..')) continue;
      const contextPath = posix.normalize(posix.join(src, under));
      if (contextPath.startsWith('..') || ignored(contextPath)) continue;
      if (existsSync(join(root, contextPath))) return join(root, contextPath);
    }
  }
  return undefined;
}

/** The file on this machine behind a path of the runtime image, via its COPY --from lines. */
function imagePath(absPath: string): string | undefined {
  for (const c of copies(runtime)) {
    if (!c.from) continue;
    for (const src of c.sources) {
      const origin = originOf(c.from, src);
      if (!origin) continue;
      const landing = statSync(origin).isDirectory() || !c.intoDir ? c.dest : posix.join(c.dest, posix.basename(src));
      const under = posix.relative(landing, absPath);
      if (under.startsWith('..')) continue;
      const found = originOf(c.from, posix.join(src, under));
      if (found) return found;
    }
  }
  return undefined;
}

function execForm(op: string): string[] {
  const ins = runtime.instructions.filter((i) => i.op === op).pop();
  if (!ins) throw new Error(`the runtime stage has no ${op}`);
  const json = ins.args.replace(/^(--\S+\s+)*(CMD\s+)?/, '');
  return JSON.parse(json) as string[];
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('docker/Dockerfile', () => {
  // What the build stage's `npm run build` does (unless dist/ already holds the build of these
  // sources); dist/ is then what the runtime stage copies.
  beforeAll(() => buildIfStale(), 260_000);

  it('builds from an exact Node tag (or a digest), the same in every stage', () => {
    const image = args.NODE_IMAGE;
    expect(image).toMatch(/^node:\d+\.\d+\.\d+-(bookworm|bullseye|trixie)-slim(@sha256:[0-9a-f]{64})?$/);
    expect(stages.map((s) => s.from)).toEqual(stages.map(() => '${NODE_IMAGE}'));
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'runtime']);
  });

  it('puts production dependencies only in the runtime stage', () => {
    const depsRuns = stage('deps')
      .instructions.filter((i) => i.op === 'RUN')
      .map((i) => i.args);
    expect(depsRuns.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    const nodeModules = copies(runtime).filter((c) => c.dest === '/app/node_modules');
    expect(nodeModules).toEqual([{ from: 'deps', sources: ['/src/node_modules'], dest: '/app/node_modules', intoDir: false }]);
    // Nothing is installed in the runtime stage itself, and nothing comes from the host.
    expect(runtime.instructions.filter((i) => i.op === 'RUN' && /\bnpm\b/.test(i.args))).toEqual([]);
    expect(copies(runtime).filter((c) => !c.from)).toEqual([]);
  });

  it('finds every COPY source in the build context or in what a stage built', () => {
    for (const s of stages) {
      for (const c of copies(s)) {
        for (const src of c.sources) {
          if (c.from) {
            expect({ copy: `${c.from}:${src}`, origin: originOf(c.from, src) }).toEqual({ copy: `${c.from}:${src}`, origin: expect.any(String) });
          } else if (src !== '.') {
            expect({ copy: src, inContext: existsSync(join(root, src)) && !ignored(src) }).toEqual({ copy: src, inContext: true });
          }
        }
      }
    }
    // What the build stage compiles and reads is in the context.
    for (const needed of [
      'package.json',
      'package-lock.json',
      'nest-cli.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'apps/gateway/src/main.ts',
      'libs/contracts/proto/switchyard/router/v1/router.proto',
    ]) {
      expect({ needed, ignored: ignored(needed) }).toEqual({ needed, ignored: false });
    }
    expect(ignored('node_modules/x')).toBe(true);
    expect(ignored('dist/apps/gateway/src/main.js')).toBe(true);
  });

  it('runs paths the image holds: CMD, HEALTHCHECK and the chart router args', () => {
    const workdir = runtime.workdir;
    expect(workdir).toBe('/app');
    const cmd = execForm('CMD');
    expect(cmd).toEqual(['node', 'dist/apps/gateway/src/main.js']);
    const health = execForm('HEALTHCHECK');
    expect(health).toEqual(['node', 'docker/healthcheck.js']);
    const routerTemplate = readFileSync(join(root, 'helm', 'switchyard', 'templates', 'router-deployment.yaml'), 'utf8');
    const routerArgs = JSON.parse(/args: (\[.*\])/.exec(routerTemplate)![1]) as string[];
    for (const file of [cmd[1], health[1], routerArgs[1]]) {
      const origin = imagePath(posix.resolve(workdir, file));
      expect({ file, origin }).toEqual({ file, origin: expect.any(String) });
      expect(statSync(origin!).isFile()).toBe(true);
    }
    // The entrypoint is installed in the runtime stage.
    expect(execForm('ENTRYPOINT')).toEqual(['/usr/bin/tini', '--']);
    expect(runtime.instructions.some((i) => i.op === 'RUN' && /apt-get install[^&]*\btini\b/.test(i.args))).toBe(true);
  });

  it('runs as the numeric non-root user the chart expects', () => {
    const user = runtime.instructions.filter((i) => i.op === 'USER').pop()?.args;
    expect(user).toBe('10001:10001');
    const values = readFileSync(join(root, 'helm', 'switchyard', 'values.yaml'), 'utf8');
    expect(values).toMatch(/runAsUser: 10001/);
  });

  describe('the runtime layout, assembled from its COPY lines', () => {
    let app: string;
    const children: ChildProcess[] = [];

    beforeAll(() => {
      app = mkdtempSync(join(tmpdir(), 'switchyard-image-'));
      for (const c of copies(runtime)) {
        for (const src of c.sources) {
          const origin = originOf(c.from!, src)!;
          const isDir = statSync(origin).isDirectory();
          const landing = isDir || !c.intoDir ? c.dest : posix.join(c.dest, posix.basename(src));
          const dest = join(app, posix.relative(runtime.workdir, landing));
          mkdirSync(dirname(dest), { recursive: true });
          // node_modules is linked, not copied: it is the same tree either way.
          if (src.endsWith('/node_modules')) symlinkSync(origin, dest, 'dir');
          else cpSync(origin, dest, { recursive: true });
        }
      }
      writeFileSync(
        join(app, 'test-config.yaml'),
        'backends:\n  - { name: local, protocol: openai, baseUrl: "http://127.0.0.1:9/v1", tier: local, models: [m1] }\nmodels: []\nusage: { enabled: false }\n',
      );
    });

    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(app, { recursive: true, force: true });
    });

    // Nothing from this machine's environment but PATH (no SWITCHYARD_PROTO_DIR): the layout must stand alone.
    // A small config without the usage ledger, so the gateway does not open embedded PGlite at start.
    const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, NODE_ENV: 'production', SWITCHYARD_CONFIG: join(app, 'test-config.yaml') });

    const start = (main: string, env: NodeJS.ProcessEnv): ChildProcess => {
      const child = spawn(process.execPath, [main], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) process.stderr.write(`${main} exited ${code}:\n${output.slice(-2000)}\n`);
      });
      children.push(child);
      return child;
    };

    /** The image's HEALTHCHECK, run from the layout; polls until it passes or `withinMs` ends. */
    const healthcheck = (appName: string, env: NodeJS.ProcessEnv): number =>
      spawnSync(process.execPath, ['docker/healthcheck.js', appName], { cwd: app, env, encoding: 'utf8', timeout: 10_000 }).status ?? -1;
    const healthyWithin = async (appName: string, env: NodeJS.ProcessEnv, withinMs: number): Promise<number> => {
      const until = Date.now() + withinMs;
      let status = healthcheck(appName, env);
      while (status !== 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        status = healthcheck(appName, env);
      }
      return status;
    };
    const stop = (child: ChildProcess): Promise<void> =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });

    it('starts the router and the gateway (asking that router), and the image health check sees both', async () => {
      const grpcPort = await freePort();
      const routerEnv = { ...baseEnv(), ROUTER_GRPC_HOST: '127.0.0.1', ROUTER_GRPC_PORT: String(grpcPort) };
      const router = start('dist/apps/router/src/main.js', routerEnv);
      expect(await healthyWithin('router', routerEnv, 60_000)).toBe(0);

      const httpPort = await freePort();
      const gatewayEnv = {
        ...baseEnv(),
        PORT: String(httpPort),
        ROUTER_URL: `127.0.0.1:${grpcPort}`,
        SWITCHYARD_DATA_DIR: join(app, 'data'),
        SWITCHYARD_ADMIN_KEY: 'sy-admin-image-test-0123456789',
      };
      const gateway = start('dist/apps/gateway/src/main.js', gatewayEnv);
      expect(await healthyWithin('gateway', gatewayEnv, 90_000)).toBe(0);
      const models = await fetch(`http://127.0.0.1:${httpPort}/v1/models`, { headers: { authorization: `Bearer ${gatewayEnv.SWITCHYARD_ADMIN_KEY}` } });
      expect(models.status).toBe(200);

      await stop(gateway);
      await stop(router);
      expect(gateway.exitCode).toBe(0);
      expect(router.exitCode).toBe(0);
      // Stopped: the same check fails.
      expect(healthcheck('gateway', gatewayEnv)).toBe(1);
      expect(healthcheck('router', routerEnv)).toBe(1);
    }, 180_000);
  });
});
