import { Injectable, Module } from '@nestjs/common';

/**
 * Other modules' contributions to /metrics (the API's request metrics), rendered after the
 * projector's. A static module, so that the health controller and every contributor share one.
 */
@Injectable()
export class MetricsSources {
  private readonly renderers: (() => string)[] = [];

  add(render: () => string): void {
    this.renderers.push(render);
  }

  render(): string {
    return this.renderers.map((render) => render()).join('');
  }
}

@Module({ providers: [MetricsSources], exports: [MetricsSources] })
export class MetricsSourcesModule {}
