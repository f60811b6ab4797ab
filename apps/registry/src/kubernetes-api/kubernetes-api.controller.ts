import { All, Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../graphql/format-error';
import { acceptsTable, parseIncludeObject, toEndpointSliceTable } from './endpoint-slice-table';
import { API_GROUP_LIST, CORE_API_VERSIONS, CORE_V1_RESOURCES, DISCOVERY_API_GROUP, DISCOVERY_V1_RESOURCES, VERSION_INFO } from './discovery-documents';
import { KubernetesApiService } from './kubernetes-api.service';
import { KubernetesStatusFilter } from './kubernetes-status.filter';
import { methodNotAllowed } from './kubernetes-status';
import { parseListOptions } from './list-options';
import { ReadAccess } from './read-access';
import { watchEncoder } from './watch-events';
import { WatchResponder } from './watch-response';

const COLLECTION = ['apis/discovery.k8s.io/v1/endpointslices', 'apis/discovery.k8s.io/v1/namespaces/:namespace/endpointslices'];
const ITEM = 'apis/discovery.k8s.io/v1/namespaces/:namespace/endpointslices/:name';

type QueryParams = Record<string, unknown>;

/** The read-only Kubernetes API of discovery.k8s.io/v1 EndpointSlices (kubectl, client-go, client-node). */
@Controller()
@UseFilters(KubernetesStatusFilter)
export class KubernetesApiController {
  constructor(
    @Inject(ReadAccess) private readonly access: ReadAccess,
    @Inject(KubernetesApiService) private readonly api: KubernetesApiService,
    @Inject(WatchResponder) private readonly watches: WatchResponder,
  ) {}

  // Discovery is public upstream too (system:public-info-viewer): it names no namespace or object.
  @Get('version')
  version() {
    return VERSION_INFO;
  }

  @Get('api')
  coreVersions() {
    return CORE_API_VERSIONS;
  }

  @Get('api/v1')
  coreResources() {
    return CORE_V1_RESOURCES;
  }

  @Get('apis')
  groups() {
    return API_GROUP_LIST;
  }

  @Get('apis/discovery.k8s.io')
  discoveryGroup() {
    return DISCOVERY_API_GROUP;
  }

  @Get('apis/discovery.k8s.io/v1')
  discoveryResources() {
    return DISCOVERY_V1_RESOURCES;
  }

  @Get(COLLECTION)
  async list(@Req() request: Request, @Res() response: Response, @Query() query: QueryParams, @Param('namespace') namespace?: string): Promise<void> {
    // Authentication first, as upstream: a caller without a token learns nothing from a 400.
    const scope = await this.access.authorize(request, namespace);
    const options = parseListOptions(query);
    const table = acceptsTable(request.headers.accept) ? { include: parseIncludeObject(query.includeObject), now: Date.now } : undefined;
    if (options.watch) {
      return this.watches.serve(response, () => this.api.watch(scope, options), watchEncoder({ fields: options, table }), options.timeoutSeconds);
    }
    const list = await this.api.list(scope, options);
    response.json(table ? toEndpointSliceTable(list.items, { now: table.now(), include: table.include, withColumns: true, metadata: list.metadata }) : list);
  }

  @Get(ITEM)
  async get(@Req() request: Request, @Param('namespace') namespace: string, @Param('name') name: string) {
    await this.access.authorize(request, namespace);
    const slice = await this.api.get(namespace, name);
    return acceptsTable(request.headers.accept) ? toEndpointSliceTable([slice], { now: Date.now(), include: parseIncludeObject(request.query.includeObject), withColumns: true }) : slice;
  }

  // Declared after the GETs: every other verb on an EndpointSlice path lands here.
  @All([...COLLECTION, ITEM])
  async write(@Req() request: Request, @Res() response: Response, @Param('namespace') namespace?: string): Promise<void> {
    await this.access.authorize(request, namespace);
    response.status(405).json(methodNotAllowed(request.method));
  }

  // Declared last: any other resource under /api or /apis is unknown here, answered as upstream does.
  @All(['api/*rest', 'apis/*rest'])
  unknown(): never {
    throw new ApiError('NOT_FOUND', 'the server could not find the requested resource');
  }
}
