// The offline index in Node: MiniSearch (static/vendor) fed by static/js/search.js's buildIndex
// from a programme JSON file, as the phone builds it. Prints JSON: sizes, build and query times.
//   node bench/search_offline.mjs programme.json query…
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// The UMD build, loaded as the browser loads it: it sets globalThis.MiniSearch.
await import("../static/vendor/minisearch.js");
const { buildIndex } = await import("../static/js/search.js");

const [file, ...queries] = process.argv.slice(2);
const text = readFileSync(file, "utf8");
const form = { dataset: { sessionUrl: "/c/sessions/__id__/", speakerUrl: "/c/speakers/__id__/", trackUrl: "/c/tracks/__id__/" } };
const builds = [];
let searcher = null;
for (let n = 0; n < 3; n += 1) {
  const started = performance.now();
  searcher = buildIndex(form, JSON.parse(text));
  builds.push(performance.now() - started);
}
const times = [];
for (let round = 0; round < 20; round += 1) {
  for (const query of queries) {
    const started = performance.now();
    searcher.search(query);
    times.push(performance.now() - started);
  }
}
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(JSON.stringify({
  documents: searcher.documents,
  index_json_bytes: searcher.size(),
  programme_bytes: Buffer.byteLength(text),
  programme_gzip_bytes: gzipSync(text).length,
  build_ms: Math.min(...builds),
  query_p50_ms: at(0.5),
  query_p99_ms: at(0.99),
  heap_mib: process.memoryUsage().heapUsed / 2 ** 20,
}));
