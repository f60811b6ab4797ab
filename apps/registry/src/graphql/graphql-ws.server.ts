import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { REGISTRY_CONFIG, type RegistryConfig } from '@lib/config';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Context, ServerOptions, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientAddressOf } from '../access/access.middleware';
import { AccessService } from '../access/access.service';
import type { RequestContext } from '../commands/request-context';
import { sharedSubscribe } from '../watch/shared-subscribe';
import { SharedPayloads } from './shared-payloads';
import { ApiError, formatErrors, toGraphQLError, type RegistryErrorCode } from './format-error';
import { PreparedDocuments } from './prepared-documents';
import { ApiMetrics } from '../metrics/api-metrics';
import { withWsMetrics } from '../metrics/graphql-metrics';

const PATH = '/graphql';
/** A socket that has not sent connection_init by then is closed (4408), so idle sockets hold nothing. */
const CONNECTION_INIT_WAIT_MS = 3000;

/** graphql-ws close codes for a connection_init refused by the guard; 4401/4403 as graphql-ws itself uses them. */
const CLOSE_CODE: Readonly<Partial<Record<RegistryErrorCode, number>>> = { UNAUTHENTICATED: 4401, FORBIDDEN: 4403, RATE_LIMITED: 4429, UNAVAILABLE: 1013 };
const REVOKED_CLOSE_CODE = 4403;

interface Session {
  /** Kept to authenticate every operation again: revocation and the rate limit apply per operation. */
  readonly authorization: unknown;
  readonly address: string | undefined;
  readonly tokenId: string | undefined;
  readonly operations: Set<string>;
}

type WsContext = Context<Record<string, unknown> | undefined, Extra>;

const operationError = (error: unknown): GraphQLError => {
  const { message, code, extensions } = toGraphQLError(error);
  return new GraphQLError(message, { extensions: { ...extensions, code } });
};

/**
 * GraphQL over WebSocket (graphql-transport-ws on /graphql) under the same guard as HTTP: frames
 * above MAX_BODY_BYTES close the socket (1009); connection_init must authenticate (else 4401/4403)
 * within CONNECTION_INIT_WAIT_MS; every operation authenticates again (revocation, rate limit) and
 * passes the validation, depth and cost rules of HTTP; a revoked token's sockets close with 4403.
 */
@Injectable()
export class GraphQLWsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GraphQLWsServer.name);
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly payloads = new SharedPayloads();
  private dispose?: () => Promise<void>;
  private stopWatchingRevocations?: () => void;

  constructor(
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Inject(GraphQLSchemaHost) private readonly schemaHost: GraphQLSchemaHost,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(PreparedDocuments) private readonly documents: PreparedDocuments,
  ) {}

  onApplicationBootstrap(): void {
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.config.access.maxBodyBytes });
    const server = useServer(withWsMetrics(this.options(), this.metrics), wss);
    this.dispose = async () => server.dispose();
    this.http.httpAdapter.getHttpServer().on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== PATH) return;
      wss.handleUpgrade(request, socket, head, (ws) => {
        this.payloads.attach(ws);
        wss.emit('connection', ws, request);
        // ws has already closed the socket (1009 for an oversized frame, 1002 for a protocol
        // error) when it emits the error; graphql-ws would log each as an internal error, which
        // lets any client flood the logs.
        ws.removeAllListeners('error');
        ws.on('error', (error) => this.logger.debug({ msg: 'graphql-ws socket error', error: error.message }));
      });
    });
    this.stopWatchingRevocations = this.access.onRevoked((tokenIds) => this.closeRevoked(tokenIds));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopWatchingRevocations?.();
    // graphql-ws closes its sockets and then the server; closing the server first would fail its dispose.
    await this.dispose?.().catch((error: unknown) => this.logger.warn({ msg: 'graphql-ws shutdown', error: (error as Error).message }));
  }

  private closeRevoked(tokenIds: readonly string[]): void {
    for (const [socket, session] of this.sessions) {
      if (tokenIds.includes(session.tokenId ?? '')) socket.close(REVOKED_CLOSE_CODE, 'token revoked');
    }
  }

  private options(): ServerOptions<Record<string, unknown> | undefined, Extra> {
    return {
      schema: this.schemaHost.schema,
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      onConnect: (ctx) => this.connect(ctx),
      onSubscribe: (ctx, id, payload) => this.admit(ctx, id, payload),
      onComplete: (ctx, id) => {
        this.sessions.get(ctx.extra.socket)?.operations.delete(id);
      },
      subscribe: sharedSubscribe,
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      onNext: (ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatErrors(result.errors) } : (this.payloads.payloadFor(ctx.extra.socket, result) as ExecutionResult | undefined),
    };
  }

  private async connect(ctx: WsContext): Promise<boolean> {
    const socket = ctx.extra.socket;
    const authorization = ctx.connectionParams?.authorization;
    const address = clientAddressOf(ctx.extra.request);
    try {
      const principal = await this.access.authenticate(authorization, address);
      this.sessions.set(socket, { authorization, address, tokenId: principal.tokenId, operations: new Set() });
      socket.once('close', () => this.sessions.delete(socket));
      return true;
    } catch (error) {
      const { message, code } = toGraphQLError(error);
      this.metrics.countRefusals([code], 'ws');
      socket.close(CLOSE_CODE[code] ?? 1011, message.slice(0, 120));
      return false;
    }
  }

  private async admit(ctx: WsContext, id: string, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const socket = ctx.extra.socket;
    const session = this.sessions.get(socket);
    if (!session) return [operationError(new ApiError('UNAUTHENTICATED', 'the connection is not authenticated'))];
    let context: RequestContext;
    try {
      context = { principal: await this.access.authenticate(session.authorization, session.address) };
    } catch (error) {
      // Valid at connection_init, unknown now: revoked on another replica before its poll reached this one.
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') socket.close(REVOKED_CLOSE_CODE, 'token revoked');
      return [operationError(error)];
    }
    const limit = this.config.access.maxSubscriptionsPerConnection;
    if (session.operations.size >= limit) {
      return [operationError(new ApiError('RATE_LIMITED', `at most ${limit} operations per connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)`))];
    }
    const schema = this.schemaHost.schema;
    const { prepared, errors } = this.documents.errorsOf(schema, payload.query, payload.variables ?? undefined, payload.operationName);
    if (!prepared || errors.length > 0) return errors;
    session.operations.add(id);
    return { schema, document: prepared.document, variableValues: payload.variables, operationName: payload.operationName, contextValue: context };
  }
}
