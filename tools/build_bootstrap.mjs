// Make the trimmed Bootstrap files the pages load (committed, so running the app needs no Node):
//   static/vendor/bootstrap-5.3.9/css/bootstrap.purged.min.css  the vendored bootstrap.min.css less the rules
//       no template, script or Python module can use (PurgeCSS);
//   static/vendor/bootstrap-5.3.9/js/bootstrap.alert-collapse.min.js  only the Alert and Collapse plugins (the
//       navbar toggler and dismissible flash messages: the only data-bs-* attributes in templates/), bundled
//       from Bootstrap's own sources with esbuild, as Bootstrap's docs suggest for using a few plugins.
// Run from the project folder after adding a Bootstrap class or plugin to a template:
//   npm ci && npm run build:bootstrap
// The output depends only on the inputs and the versions pinned in package-lock.json.
import { readFile, writeFile } from "node:fs/promises";

import * as esbuild from "esbuild";
import { PurgeCSS } from "purgecss";

const VENDOR = "static/vendor/bootstrap-5.3.9";
const CSS_OUT = `${VENDOR}/css/bootstrap.purged.min.css`;
const JS_OUT = `${VENDOR}/js/bootstrap.alert-collapse.min.js`;

// Every file that can put a class on a page: templates, our scripts, and Python that picks a class name
// (exhibit status colours, flash categories).
const CONTENT = ["templates/**/*.html", "static/js/**/*.js", "festival/**/*.py"];

// Classes no file spells out whole: set by Bootstrap's plugins while they run, or built from pieces.
const SAFELIST = {
  standard: [
    // Collapse (navbar toggler) and Alert (dismiss) add and remove these.
    "show", "fade", "collapse", "collapsing", "collapsed", "collapse-horizontal",
    // State classes a script or a later template is likely to toggle.
    "active", "disabled", "is-invalid", "is-valid", "was-validated",
    // base.html: alert-{{ category }} from flash(…, "success" | "info" | "warning" | "danger");
    // exhibits/_status.html: text-bg-{{ status.colour }} from STATUS_COLOURS in festival/models/exhibit.py.
    /^alert-(primary|secondary|success|info|warning|danger|light|dark)$/,
    /^text-bg-(primary|secondary|success|info|warning|danger|light|dark)$/,
  ],
};

async function buildCss() {
  const [result] = await new PurgeCSS().purge({
    content: CONTENT,
    css: [`${VENDOR}/css/bootstrap.min.css`],
    safelist: SAFELIST,
    keyframes: true, // drop @keyframes no kept rule animates
  });
  // The source map describes the whole file, not this one.
  const css = result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "").trimEnd() + "\n";
  await writeFile(CSS_OUT, css);
  return css.length;
}

async function buildJs() {
  // Bootstrap's own licence banner, from its dist bundle.
  const bundle = await readFile("node_modules/bootstrap/dist/js/bootstrap.bundle.min.js", "utf8");
  const banner = bundle.match(/^\/\*![\s\S]*?\*\//)[0];
  await esbuild.build({
    stdin: {
      // Importing a plugin registers its data-bs-* click handlers; window.bootstrap is Bootstrap's own global.
      contents: [
        'import Alert from "bootstrap/js/src/alert.js";',
        'import Collapse from "bootstrap/js/src/collapse.js";',
        "window.bootstrap = { Alert, Collapse };",
      ].join("\n"),
      resolveDir: ".",
      sourcefile: "bootstrap-alert-collapse.js",
    },
    bundle: true,
    minify: true,
    format: "iife",
    // ES2019: the syntax level of Bootstrap's own dist files.
    target: "es2019",
    banner: { js: banner.replace("v5.3.9", "v5.3.9 (Alert and Collapse only)") },
    legalComments: "none",
    outfile: JS_OUT,
    logLevel: "warning",
  });
  return (await readFile(JS_OUT)).length;
}

const [cssBytes, jsBytes] = await Promise.all([buildCss(), buildJs()]);
console.log(`${CSS_OUT}: ${cssBytes.toLocaleString("en")} bytes`);
console.log(`${JS_OUT}: ${jsBytes.toLocaleString("en")} bytes`);
