import { Injectable, type PipeTransform } from '@nestjs/common';
import { Args, Int } from '@nestjs/graphql';

/** PRODUCT.md declares these arguments nullable with a default; an explicit null means the default too. */
@Injectable()
class DefaultWhenNull<T> implements PipeTransform<T | null | undefined, T> {
  constructor(private readonly fallback: T) {}

  transform(value: T | null | undefined): T {
    return value ?? this.fallback;
  }
}

export const NamespaceArg = () =>
  Args('namespace', { type: () => String, nullable: true, defaultValue: 'default' }, new DefaultWhenNull('default'));

export const IntArg = (name: string, fallback: number) =>
  Args(name, { type: () => Int, nullable: true, defaultValue: fallback }, new DefaultWhenNull(fallback));

export const BooleanArg = (name: string, fallback: boolean) =>
  Args(name, { type: () => Boolean, nullable: true, defaultValue: fallback }, new DefaultWhenNull(fallback));
