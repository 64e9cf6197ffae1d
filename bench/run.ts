// `npm run bench`: prints every benchmark section as a markdown table.
import { engineBenchmark } from "./engine.js";
import { serverBenchmark } from "./server.js";

const sections: (() => string | Promise<string>)[] = [engineBenchmark, serverBenchmark];
console.log(`# Verdict benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
for (const section of sections) console.log((await section()) + "\n");
