import { type Reporter, type TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`, that any
 * CI log reader understands, whatever it knows of vitest's own summary. Files that
 * failed to load, failing hooks and errors thrown outside any test count as failures.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    // A file that failed with no test of it failing (it did not load, or a beforeAll or
    // afterAll hook threw) fails the run too: it counts as one failure.
    const failedOutsideTests = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests('failed')].length === 0).length;
    // An error thrown outside any test fails the run too (vitest exits 1): it is counted as a failure.
    const failed = count('failed') + failedOutsideTests + unhandledErrors.length;
    process.stdout.write(`\ntests: ${count('passed')} passed, ${failed} failed, ${count('skipped')} skipped\n`);
  }
}
