import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { RegistryConfig } from './registry.config';

export const REGISTRY_CONFIG = Symbol('RegistryConfig');

/** The one global module: every other module reads the validated configuration through it. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }],
      exports: [REGISTRY_CONFIG],
    };
  }
}
