// Options of `verdict test`; the runner itself loads only when the command runs.
import type { Command } from "commander";
import { runAction } from "../output.js";
import type { TestOptions } from "./test.js";

export function registerTest(program: Command): void {
  program
    .command("test")
    .description('run the policy tests (`test "name" { ... }` blocks) found under the paths')
    .argument("[paths...]", "policy files or directories", ["."])
    .option("-v, --verbose", "also show the rules and print output of passing tests")
    .option("--run <regex>", "only run tests whose package.name matches")
    .option("--format <format>", "text, json or junit", "text")
    .option("--watch", "re-run when a policy or data file changes")
    .option("--coverage", "report line coverage per file")
    .option("--threshold <percent>", "fail when total coverage is below this (implies --coverage)")
    .option("--fail-on-empty", "fail when no test ran")
    .action(
      runAction(async (paths: string[], opts: TestOptions) => {
        const { testOnce, watchTests } = await import("./test.js");
        return opts.watch ? watchTests(paths, opts) : testOnce(paths, opts);
      }),
    );
}
