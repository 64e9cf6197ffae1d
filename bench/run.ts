// `npm run bench`: prints every benchmark section as a markdown table.
import { engineBenchmark } from "./engine.js";

const sections = [engineBenchmark];
console.log(`# Verdict benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
for (const section of sections) console.log(section() + "\n");
