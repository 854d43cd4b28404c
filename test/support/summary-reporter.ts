import { type Reporter, type TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`, that any
 * CI log reader understands, whatever it knows of vitest's own summary.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    // Files that failed to load have no tests to count, but they are failures too.
    const brokenFiles = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests()].length === 0).length;
    process.stdout.write(`\ntests: ${count('passed')} passed, ${count('failed') + brokenFiles} failed, ${count('skipped')} skipped\n`);
  }
}
