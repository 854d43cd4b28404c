import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const EXPORTS = ['GatewayCloseCode', 'ResumableSubscriptionError', 'cappedBackoff', 'createResumableClient', 'isAfter', 'isEventId', 'rootFieldId'];

/** Bundles `import * as client from 'leadgraph/client'` for a browser, from `resolveDir`. */
async function bundleForBrowser(resolveDir: string) {
  const result = await build({
    stdin: { contents: `import * as client from 'leadgraph/client'; globalThis.leadgraphClient = client;`, resolveDir, loader: 'js' },
    absWorkingDir: resolveDir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs).filter((input) => input !== '<stdin>') };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, JSON.stringify(value, null, 2));
}

describe('the leadgraph/client subpath', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-client-'));
  });
  afterAll(async () => {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  it('resolves in this repository under tsx, from its TypeScript source', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '-e', `import('leadgraph/client').then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`],
      { cwd: ROOT },
    );
    expect(JSON.parse(stdout)).toEqual(EXPORTS);
  });

  it('resolves under vitest', async () => {
    const client = await import('leadgraph/client');
    expect(Object.keys(client).sort()).toEqual(EXPORTS);
  });

  it('bundles for a browser with nothing from Node: only its own files and graphql-ws\'s client', async () => {
    const { code, inputs } = await bundleForBrowser(ROOT);

    const foreign = inputs.filter((input) => !input.startsWith('src/client/') && !/^node_modules\/graphql-ws\/dist\/(client|common-[\w-]+)\.js$/.test(input));
    expect(foreign).toEqual([]);
    expect(code).not.toMatch(/\brequire\(|from ["']node:|\bprocess\.|\bBuffer\b/);
  });

  it('type-checks without Node\'s types, against the DOM\'s (what a browser project has)', async () => {
    const config = path.join(scratch, 'tsconfig.browser.json');
    await writeJson(config, {
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { types: [], lib: ['ES2023', 'DOM'], noEmit: true },
      include: [path.join(ROOT, 'src/client')],
    });
    await expect(run(process.execPath, [TSC, '-p', config], { cwd: ROOT })).resolves.toBeDefined();
  });

  it('works as a built package: compiled with the build\'s settings, imported by plain Node, typed through `types`, bundled through `default`', async () => {
    // The package as `npm run build` lays it out (dist/src/client), limited to the client.
    const pkg = path.join(scratch, 'app/node_modules/leadgraph');
    await fs.mkdir(pkg, { recursive: true });
    const buildConfig = path.join(scratch, 'tsconfig.build-client.json');
    await writeJson(buildConfig, {
      extends: path.join(ROOT, 'tsconfig.build.json'),
      // The build's own settings; only the types' location is spelled out from the scratch directory.
      compilerOptions: { outDir: path.join(pkg, 'dist'), rootDir: ROOT, typeRoots: [path.join(ROOT, 'node_modules/@types')] },
      include: [path.join(ROOT, 'src/client')],
    });
    await run(process.execPath, [TSC, '-p', buildConfig], { cwd: ROOT });
    await fs.copyFile(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    for (const dependency of ['graphql-ws', 'graphql']) {
      await fs.symlink(path.join(ROOT, 'node_modules', dependency), path.join(scratch, 'app/node_modules', dependency), 'dir');
    }
    const app = path.join(scratch, 'app');

    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import('leadgraph/client'); console.log(JSON.stringify(Object.keys(m).sort()));`],
      { cwd: app },
    );
    expect(JSON.parse(stdout)).toEqual(EXPORTS);

    await fs.writeFile(
      path.join(app, 'consumer.ts'),
      [
        `import { createResumableClient, type ResumableEvent } from 'leadgraph/client';`,
        `const client = createResumableClient({ url: 'ws://127.0.0.1:4000/graphql' });`,
        `client.subscribe<{ statusChanged: { id: string } }>(`,
        `  { query: 'subscription ($after: ID) { statusChanged(after: $after) { id } }', after: '0' },`,
        `  { next: (event: ResumableEvent<{ statusChanged: { id: string } }>) => void event.data.statusChanged.id, error: (error) => void error.closeCode },`,
        `);`,
      ].join('\n'),
    );
    await writeJson(path.join(app, 'tsconfig.json'), {
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', lib: ['ES2023', 'DOM'], types: [], strict: true, noEmit: true },
      files: ['consumer.ts'],
    });
    await expect(run(process.execPath, [TSC, '-p', path.join(app, 'tsconfig.json')], { cwd: app })).resolves.toBeDefined();

    const { inputs } = await bundleForBrowser(app);
    expect(inputs.filter((input) => input.startsWith('node_modules/leadgraph/'))).toContain('node_modules/leadgraph/dist/src/client/index.js');
    expect(inputs.filter((input) => input.endsWith('.ts'))).toEqual([]);
  });
});
