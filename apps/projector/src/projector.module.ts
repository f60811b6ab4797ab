import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type RegistryConfig } from '@lib/config';
import { HealthModule } from '@lib/health';
import { ProjectionModule } from '@lib/projection';

@Module({})
export class ProjectorAppModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return { module: ProjectorAppModule, imports: [ConfigModule.forRoot(config), ProjectionModule, HealthModule.register({ projector: true })] };
  }
}
