import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Which layers each layer may import (besides itself), from CONVENTIONS.md:
 * cli, http -> graphql -> auth, core <- store. Packages and node: built-ins
 * are not layers; core may import none but itself.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  auth: ['core'],
  store: ['core'],
  graphql: ['auth', 'core', 'store'],
  http: ['graphql', 'auth', 'core', 'store'],
  cli: ['http', 'graphql', 'auth', 'core', 'store'],
};

/** Files of a lower layer that even an allowed importer must not reach into. */
const PRIVATE: Record<string, readonly string[]> = {
  cli: ['http/credentials.ts', 'http/request-body.ts'],
};

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import in src, as [importing file, imported file], both relative to src. */
function relativeImports(): [string, string][] {
  return files(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((match) => match[1] ?? match[2]!)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier): [string, string] => [
        relative(SRC, file),
        relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'),
      ]),
  );
}

const layerOf = (path: string) => path.split('/')[0]!;

describe('layers', () => {
  const imports = relativeImports();

  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports).toContainEqual(['http/graphql-server.ts', 'graphql/schema.ts']);
  });

  it('point one way: cli, http -> graphql -> auth, core <- store', () => {
    const wrong = imports.filter(([from, to]) => {
      const [source, target] = [layerOf(from), layerOf(to)];
      return source !== target && !(ALLOWED[source] ?? []).includes(target);
    });
    expect(wrong.map(([from, to]) => `${from} imports ${to}`)).toEqual([]);
  });

  it('keep the HTTP layer to itself where a lower or sibling layer needs its own module', () => {
    const wrong = imports.filter(([from, to]) => (PRIVATE[layerOf(from)] ?? []).includes(to));
    expect(wrong.map(([from, to]) => `${from} imports ${to}`)).toEqual([]);
  });

  it('let resolvers reach the store only through its ports, never an adapter', () => {
    const PORTS = ['store/call-store.ts', 'store/webhook-store.ts'];
    const wrong = imports.filter(([from, to]) => layerOf(from) === 'graphql' && layerOf(to) === 'store' && !PORTS.includes(to));
    expect(wrong.map(([from, to]) => `${from} imports ${to}`)).toEqual([]);
  });

  it('keep core free of I/O and frameworks: no package or node: import at all', () => {
    const external = files(join(SRC, 'core')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(IMPORT)]
        .map((match) => match[1] ?? match[2]!)
        .filter((specifier) => !specifier.startsWith('.'))
        .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
    );
    expect(external).toEqual([]);
  });
});
