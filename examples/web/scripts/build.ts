/**
 * Builds the example app with esbuild: `npm run example:build` → examples/web/dist/
 * (index.html, styles.css, app.js with Apollo Client, graphql-ws and leadgraph/client inside).
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = path.join(EXAMPLE_DIR, 'dist');

/** Writes the app to `outdir`; resolves with the files written. */
export async function buildExample(outdir: string = DIST_DIR): Promise<string[]> {
  await fs.mkdir(outdir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(EXAMPLE_DIR, 'src/main.ts')],
    // The example's own tsconfig: its `paths` point `leadgraph/client` at the source here.
    tsconfig: path.join(EXAMPLE_DIR, 'tsconfig.json'),
    outfile: path.join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
  for (const file of ['index.html', 'styles.css']) await fs.copyFile(path.join(EXAMPLE_DIR, file), path.join(outdir, file));
  return ['index.html', 'styles.css', 'app.js', 'app.js.map'];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildExample();
  console.log(`built ${files.join(', ')} in ${path.relative(process.cwd(), DIST_DIR) || '.'}`);
}
