import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const dist = '/work/main/web/dist';
const rewrite = {
  name: 'meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const rel = path.relative(dist, args.path);
      let src = readFileSync(args.path, 'utf8');
      src = src.replaceAll('import.meta.url', `new URL(${JSON.stringify('./' + rel)}, import.meta.url).href`);
      return { contents: src, loader: 'js' };
    });
  },
};
for (const [page, entry] of [['index.html', 'pages/pricing.js'], ['editor.html', 'pages/editor.js']]) {
  const out = page.replace('.html', '.bundle.js');
  await esbuild.build({ stdin: { contents: `import './credit-estimator.js';\nimport './${entry}';\n`, resolveDir: dist, sourcefile: 'entry.js' },
    bundle: true, format: 'esm', outfile: path.join(dist, out), plugins: [rewrite], logLevel: 'warning', external: ['./wasm_exec.*'] , minify: false});
  let html = readFileSync(path.join(dist, page), 'utf8');
  html = html.replace(/\s*<link rel="modulepreload" href="(?!wasm_exec)[^"]+">/g, '');
  html = html.replace(/<script type="module" src="credit-estimator.js"><\/script>\s*<script type="module" src="pages\/[a-z]+.js"><\/script>/, `<script type="module" src="${out}"></script>`);
  html = html.replace('<link rel="modulepreload" href="wasm_exec', `<link rel="modulepreload" href="${out}">\n  <link rel="modulepreload" href="wasm_exec`);
  writeFileSync(path.join(dist, page.replace('.html', '-b.html')), html);
  console.log(page, out, readFileSync(path.join(dist, out)).length);
}
