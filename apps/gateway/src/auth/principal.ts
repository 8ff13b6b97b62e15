import type { Principal } from '@switchyard/contracts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard on every authenticated request; features, logs and everything downstream read it. */
    principal?: Principal;
  }
}

export type { Principal };
