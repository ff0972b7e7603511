// @ts-check
/**
 * Fails when src/http/rest/graphql-env.d.ts (gql.tada's types of
 * schema/schema.graphql, which type the REST shim's documents) is not what
 * `npm run graphql-env` writes from the checked-in schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'src/http/rest/graphql-env.d.ts');
const dir = mkdtempSync(join(tmpdir(), 'graphql-env-'));
try {
  const fresh = join(dir, 'graphql-env.d.ts');
  execFileSync(join(root, 'node_modules/.bin/gql.tada'), ['generate-output', '--output', fresh], { cwd: root, stdio: 'pipe' });
  if (readFileSync(fresh, 'utf8') !== readFileSync(committed, 'utf8')) {
    console.error('src/http/rest/graphql-env.d.ts does not match schema/schema.graphql: run npm run graphql-env and commit it');
    process.exit(1);
  }
  console.log('src/http/rest/graphql-env.d.ts matches schema/schema.graphql');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
