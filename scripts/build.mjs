// Bundles the CLI and the demo agent into one file each: an unbundled Ink app spends ~0.6 s just
// loading modules (STACK.md, "Start-up time"); one bundle starts in ~0.37 s.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stub = join(root, 'dist', 'empty-stub.js');

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

/**
 * string-width makes its Intl.Segmenter when it is loaded, and the first one costs ~35 ms (ICU's
 * break data): a command that measures only plain text (`muxctl status`) should not pay for it. The
 * same module with the segmenter made on first use; the build fails if the line it changes moves.
 */
const lazyStringWidthSegmenter = {
  name: 'lazy-string-width-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const eager = 'const segmenter = new Intl.Segmenter();';
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`${args.path}: "${eager}" not found; update scripts/build.mjs`);
      const lazy = 'let madeSegmenter; const segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };';
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/** Ink's `string-width` (the top-level one: wrap-ansi keeps its own v7) goes through the fast path of patches/string-width.js. */
const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    const shim = join(root, 'scripts/patches/string-width.js');
    const ours = [shim, join(root, 'src/core/views/textWidth.ts')];
    const topLevel = join(root, 'node_modules/string-width/index.js');
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real || ours.includes(args.importer)) return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
      return real.path === topLevel ? { path: shim } : real;
    });
  },
};

const common = {
  plugins: [boundInkMeasureCache, lazyStringWidthSegmenter, fastStringWidth],
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
  // Smaller code to compile at every start; identifiers kept so a stack trace still names functions.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  sourcemap: 'linked',
};

// Split at the entry's dynamic imports: each command loads only its own code (`--version` loads the
// entry alone). The chunks sit beside the entry, so import.meta.url means dist/ in every one of them.
rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(dirname(stub), { recursive: true });
writeFileSync(stub, 'export default {};\n');
await build({
  ...common,
  entryPoints: { muxctl: join(root, 'src/cli/main.ts') },
  outdir: join(root, 'dist'),
  splitting: true,
  chunkNames: '[name]-[hash]',
});
await build({ ...common, entryPoints: [join(root, 'src/demo/agent.ts')], outfile: join(root, 'dist/muxctl-demo-agent.js') });
