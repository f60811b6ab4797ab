import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadRegistryConfig } from '@lib/config';
import type { ExecutionResult } from 'graphql';
import { AccessModule } from '../../apps/registry/src/access/access.module';
import { AccessService } from '../../apps/registry/src/access/access.service';
import { formatErrors } from '../../apps/registry/src/graphql/format-error';
import { queryLimitRules } from '../../apps/registry/src/graphql/query-limits';
import { ApiMetrics } from '../../apps/registry/src/metrics/api-metrics';
import { RegistryModule } from '../../apps/registry/src/registry.module';

/*
 * The front-door benchmark's Mercurius + Fastify candidate (graphql-jit after the first run of a
 * document): the registry's own module, resolvers and access service, with GraphQL over HTTP served
 * by Mercurius on Fastify instead of Apollo on Express. API role only, for `npm run bench`
 * (scenario `frontdoor`); not a supported way to run the registry: the Kubernetes API, Prometheus
 * SD and health controllers are written for Express, and refusals are not formatted as the
 * registry's. What it keeps of the hot path: authentication and the rate limit per request, the
 * depth and introspection rules, formatError, and the request-duration metric.
 */
const bootstrap = async (): Promise<void> => {
  const config = loadRegistryConfig(process.env);
  const graphql = GraphQLModule.forRootAsync<MercuriusDriverConfig>({
    driver: MercuriusDriver,
    imports: [AccessModule],
    inject: [AccessService],
    useFactory: (access: AccessService): MercuriusDriverConfig => ({
      autoSchemaFile: true,
      sortSchema: false,
      path: '/graphql',
      graphiql: false,
      jit: 1,
      allowBatchedQueries: false,
      validationRules: queryLimitRules(config.access),
      context: async (request) => ({ req: request.raw, principal: await access.authenticate(request.headers.authorization, request.raw.socket.remoteAddress) }),
      errorFormatter: (execution: ExecutionResult) => ({
        statusCode: execution.data ? 200 : 400,
        response: { data: execution.data, errors: formatErrors(execution.errors ?? []) },
      }),
    }),
  });
  const logger = new ConsoleLogger({ json: true, logLevels: ['error', 'warn'] });
  const app = await NestFactory.create<NestFastifyApplication>(
    RegistryModule.forRoot(config, { projector: false }, { graphql }),
    new FastifyAdapter({ bodyLimit: config.access.maxBodyBytes }),
    { logger },
  );
  const metrics = app.get(ApiMetrics);
  const started = new WeakMap<IncomingMessage, bigint>();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request) => {
    started.set(request.raw, process.hrtime.bigint());
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const t0 = started.get(request.raw) ?? process.hrtime.bigint();
    const graphqlPath = request.url.split('?')[0] === '/graphql';
    metrics.requestDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9, { route: graphqlPath ? '/graphql' : 'other', operation: 'unknown', code: reply.statusCode < 400 ? 'OK' : `HTTP_${reply.statusCode}` });
  });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
};

bootstrap().catch((error: unknown) => {
  process.stderr.write(`startup failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
