// @ts-check
/**
 * Regenerates examples/frontend with graphql-codegen and relay-compiler, fails
 * when that changes a committed file (or adds one), then type-checks the
 * example with its own tsconfig.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** @param {string} command @param {string[]} args */
const run = (command, args) => {
  try {
    execFileSync(command, args, { cwd: root, stdio: 'inherit' });
  } catch {
    // The command printed its own errors.
    console.error(`examples/frontend: ${[command.replace(/.*\//, ''), ...args].join(' ')} failed`);
    process.exit(1);
  }
};

run('npm', ['run', '--silent', 'example:codegen', '--', '--errors-only']);
run('npm', ['run', '--silent', 'example:relay', '--', '--output', 'quiet-with-errors']);
const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'examples/frontend'], { cwd: root, encoding: 'utf8' });
if (changed.trim() !== '') {
  run('git', ['--no-pager', 'diff', '--stat', '--', 'examples/frontend']);
  console.error(
    `examples/frontend differs from what the compilers write (or has uncommitted changes):\n${changed}` +
      'run npm run example:codegen and npm run example:relay, and commit the result',
  );
  process.exit(1);
}
run(fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url)), ['-p', 'examples/frontend/tsconfig.json', '--noEmit']);
console.log('examples/frontend matches both compilers and type-checks');
