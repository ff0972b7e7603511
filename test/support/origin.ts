import { cliOrigin } from '../../src/core/change-log.js';

/** The origin store-level tests write with: the CLI, as an import would. */
export const TEST_ORIGIN = cliOrigin('import');
