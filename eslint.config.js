// ESLint for the front end (`make lint`): plain browser ES modules, no build step.
import js from "@eslint/js";
import globals from "globals";

// templates/offline/sw.js is a Jinja template whose only template parts are `{{ value|tojson }}`
// expressions. Each is read as `null` (padded to the same length, so columns stay right); the
// rest is the service worker exactly as served.
const jinja = {
  preprocess: (text) => [text.replace(/\{\{.*?\}\}/g, (expression) => "null".padEnd(expression.length))],
  postprocess: (messages) => messages.flat(),
  supportsAutofix: false,
};

// Linted: static/js/ (browser modules), the service worker template, the Node scripts of the tests.
export default [
  // static/vendor/: third-party files kept exactly as published (docs/dependencies.md).
  { ignores: ["node_modules/", "tests/js/node_modules/", ".venv/", "bench/", "static/vendor/"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    files: ["eslint.config.js", "tests/js/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
  {
    files: ["templates/offline/sw.js"],
    processor: jinja,
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.serviceworker },
  },
];
