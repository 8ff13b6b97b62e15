import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  HEALTH_FILE,
  HEALTH_SERVICE,
  PROTO_LOADER_OPTIONS,
  PROTO_SUBDIR,
  ROUTER_FILE,
  ROUTER_SERVICE,
  type HealthServiceDefinition,
  type RouterProto,
  type RouterProtoFiles,
  type RouterServiceDefinition,
} from '@switchyard/contracts/router';

/**
 * Absolute paths of the two .proto files. `SWITCHYARD_PROTO_DIR` wins; otherwise the nearest
 * ancestor of this file holding `libs/contracts/proto` (so it works from `libs/contracts/src` under
 * jest, from `dist/libs/contracts/src` after a build, and from a `dist` that copied the protos).
 */
export function routerProtoFiles(env: NodeJS.ProcessEnv = process.env): RouterProtoFiles {
  const dir = env.SWITCHYARD_PROTO_DIR ? resolve(env.SWITCHYARD_PROTO_DIR) : findProtoDir(__dirname);
  const files = { dir, router: join(dir, ROUTER_FILE), health: join(dir, HEALTH_FILE) };
  for (const f of [files.router, files.health]) {
    if (!existsSync(f)) throw new Error(`router proto not found: ${f} (set SWITCHYARD_PROTO_DIR to the directory holding switchyard/ and grpc/)`);
  }
  return files;
}

function findProtoDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PROTO_SUBDIR);
    if (existsSync(join(candidate, ROUTER_FILE))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find ${PROTO_SUBDIR}/${ROUTER_FILE} above ${from}; set SWITCHYARD_PROTO_DIR`);
}

let loaded: RouterProto | undefined;

/** Loads both protos once per process (the first call reads the files; later calls are a field read). */
export function loadRouterProto(): RouterProto {
  if (loaded) return loaded;
  // Required here rather than imported at the top: importing contracts must not pull in protobufjs.
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const files = routerProtoFiles();
  const packageDefinition = protoLoader.loadSync([files.router, files.health], { ...PROTO_LOADER_OPTIONS, includeDirs: [files.dir] });
  loaded = {
    files,
    packageDefinition,
    router: packageDefinition[ROUTER_SERVICE] as unknown as RouterServiceDefinition,
    health: packageDefinition[HEALTH_SERVICE] as unknown as HealthServiceDefinition,
  };
  return loaded;
}
