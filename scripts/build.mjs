// Bundles the CLI and the demo agent into one file each: an unbundled Ink app spends ~0.6 s just
// loading modules (STACK.md, "Start-up time"); one bundle starts in ~0.37 s.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stub = join(root, 'dist', 'empty-stub.js');
mkdirSync(dirname(stub), { recursive: true });
writeFileSync(stub, 'export default {};\n');

/** Ink's text-measuring cache never forgets: swap in the same module with a bounded cache (see the patch). */
const boundInkMeasureCache = {
  name: 'bound-ink-measure-cache',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]measure-text\.js$/ }, () => ({
      contents: readFileSync(join(root, 'scripts/patches/ink-measure-text.js'), 'utf8'),
      resolveDir: join(root, 'node_modules/ink/build'),
      loader: 'js',
    }));
  },
};

const common = {
  plugins: [boundInkMeasureCache],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ESM bundles of CommonJS packages call require(): give them one.
  banner: { js: "import { createRequire as __muxctlCreateRequire } from 'node:module'; const require = __muxctlCreateRequire(import.meta.url);" },
  // Native addons cannot be bundled; they load from node_modules at run time.
  external: ['node-pty', 'better-sqlite3'],
  // Ink imports the devtools only when DEV is set; never ship it.
  alias: { 'react-devtools-core': stub },
  // Without this React runs its development build: slower and noisier.
  define: {
    'process.env.NODE_ENV': '"production"',
    MUXCTL_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version),
  },
  logLevel: 'warning',
  sourcemap: 'linked',
};

await build({ ...common, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/muxctl.js'), splitting: false });
await build({ ...common, entryPoints: [join(root, 'src/demo/agent.ts')], outfile: join(root, 'dist/muxctl-demo-agent.js') });
