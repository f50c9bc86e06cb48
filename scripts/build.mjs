// Bundles the CLI and the demo agent into one file each: an unbundled Ink app spends ~0.6 s just
// loading modules (STACK.md, "Start-up time"); one bundle starts in ~0.37 s.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * A plugin that loads the modules `filter` matches with some of their lines changed: `edits(path)`
 * gives [what, instead] pairs. The build fails if a line it changes moves (a new version of the
 * package), so a patch is never silently lost.
 */
function editedModule(name, filter, edits) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        for (const [what, instead] of edits(args.path)) {
          if (!source.includes(what)) throw new Error(`${args.path}: "${what}" not found; update scripts/build.mjs`);
          source = source.replace(what, () => instead);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}

/**
 * string-width makes two costly things when it is loaded: its Intl.Segmenter (the first one costs
 * ~35 ms: ICU's break data) and its RGI emoji pattern (a `v`-flag literal: ~35 ms to build, found in
 * a CPU profile of `muxctl status`). A command that measures only plain text (`muxctl status`, a grid
 * of ASCII panels) should pay for neither: each is made on first use. wrap-ansi's own string-width 7
 * makes the segmenter but has no RGI pattern.
 */
const LAZY_SEGMENTER = ['const segmenter = new Intl.Segmenter();', 'let madeSegmenter; const segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };'];
const LAZY_RGI_EMOJI = ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', "let madeRgiEmojiRegex; const rgiEmojiRegex = { test: (text) => (madeRgiEmojiRegex ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(text) };"];
const lazyStringWidthParts = editedModule('lazy-string-width-parts', /[\\/]node_modules[\\/]string-width[\\/]index\.js$/, (path) =>
  path === join(root, 'node_modules/string-width/index.js') ? [LAZY_SEGMENTER, LAZY_RGI_EMOJI] : [LAZY_SEGMENTER],
);

/**
 * Yoga (Ink's layout) carries its WebAssembly as a base64 data: URL and reads it with fetch() when
 * fetch exists, which in Node loads undici first: 85 ms before the first frame, against 21 ms for
 * Buffer's own base64 decoding of the same bytes (measured by loading the module alone).
 */
const yogaWithoutFetch = editedModule('yoga-without-fetch', /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/, () => [
  ['function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?'],
  [
    'var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c',
    'var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))',
  ],
]);

/**
 * Ink makes a new Output for every frame, and with it new caches: each line of each frame is tokenized
 * into styled cells again, though nearly every line on screen is the one it drew last frame (a border, a
 * title, a log line that scrolled up one row). Under the bench's ingest that was ~15% of the dashboard's
 * CPU (tokenize, styledCharsFromTokens). One set of caches serves every frame instead, started over once
 * it holds MAX_CACHED_CELLS cells (~100 bytes each), so memory stays bounded whatever passes through.
 * Safe because Output only reads the cells it is given: it places them in its grid and never changes one.
 */
const MAX_CACHED_CELLS = 40_000;
const inkCachesAcrossFrames = editedModule('ink-caches-across-frames', /[\\/]ink[\\/]build[\\/]output\.js$/, () => [
  ['            cached = styledCharsFromTokens(tokenize(line));\n            this.styledChars.set(line, cached);', '            cached = styledCharsFromTokens(tokenize(line));\n            this.styledChars.set(line, cached);\n            this.cells = (this.cells ?? 0) + cached.length;'],
  ['export default class Output {', `let framesCaches;\nfunction cachesAcrossFrames() {\n    if (framesCaches === undefined || framesCaches.cells > ${MAX_CACHED_CELLS} || framesCaches.widths.size > ${MAX_CACHED_CELLS} || framesCaches.blockWidths.size > ${MAX_CACHED_CELLS})\n        framesCaches = new OutputCaches();\n    return framesCaches;\n}\nexport default class Output {`],
  ['    caches = new OutputCaches();', '    caches = cachesAcrossFrames();'],
]);

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

/** Ink's `@alcalzone/ansi-tokenize` goes through patches/ansi-tokenize.ts (a row of cells to a string, faster). */
const fastStyledChars = {
  name: 'fast-styled-chars',
  setup(b) {
    const shim = join(root, 'scripts/patches/ansi-tokenize.ts');
    b.onResolve({ filter: /^@alcalzone\/ansi-tokenize$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

/**
 * What this build is: a hash of every source it is made of (and package.json, so the dependencies too).
 * The config cache (src/adapters/configCache.ts) keeps a parsed config only for the build that parsed it.
 */
function buildIdentity() {
  const hash = createHash('sha256');
  for (const dir of ['src', 'components', 'scripts/patches']) {
    for (const name of readdirSync(join(root, dir), { recursive: true }).sort()) {
      const file = join(root, dir, String(name));
      if (/\.(ts|tsx|js)$/.test(file)) hash.update(`${dir}/${name}\0`).update(readFileSync(file));
    }
  }
  return hash.update(readFileSync(join(root, 'package.json'))).update(readFileSync(join(root, 'package-lock.json'))).digest('hex').slice(0, 16);
}

const common = {
  plugins: [boundInkMeasureCache, lazyStringWidthParts, yogaWithoutFetch, inkCachesAcrossFrames, fastStringWidth, fastStyledChars],
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
    MUXCTL_BUILD: JSON.stringify(buildIdentity()),
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
