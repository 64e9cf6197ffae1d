#!/usr/bin/env node
// The `verdict` command line. Command implementations load on demand, so `verdict --help` and
// each command pay only for the modules they use.
import { Command, Option } from "commander";
import { registerBuild } from "./commands/build.js";
import { registerTest } from "./commands/register-test.js";
import { registerRun } from "./commands/run.js";
import { collect, runAction as run } from "./output.js";

export function buildCli(): Command {
  const program = new Command("verdict")
    .description("Policy-as-code authorization: write, test and serve Verdict policies")
    .version("0.1.0")
    .showHelpAfterError();

  program
    .command("eval")
    .description("evaluate a data path (data.http.authz.allow) or an expression")
    .argument("<query>", "a data path such as data.http.authz.allow, or an expression")
    .option("-d, --dir <path>", "policy file or directory (repeatable)", collect, [])
    .option("-i, --input <file>", "input document (JSON or YAML; - for stdin)")
    .option("--data <file>", "extra data document merged at data (repeatable)", collect, [])
    .option("--explain", "also print the rule definitions that produced the result")
    .action(run(async (query: string, opts) => (await import("./commands/eval.js")).evalCommand(query, opts)));

  program
    .command("check")
    .description("check policies; report every error as file:line:col")
    .argument("<paths...>", "policy files or directories")
    .option(
      "--schema <target=file>",
      "JSON Schema for input or data, e.g. input=schemas/req.json (repeatable)",
      collect,
      [],
    )
    .action(run(async (paths: string[], opts) => (await import("./commands/check.js")).checkCommand(paths, opts)));

  program
    .command("fmt")
    .description("format policies canonically")
    .argument("<paths...>", "policy files or directories")
    .option("-w, --write", "rewrite files in place")
    .addOption(new Option("--check", "list files that are not formatted; exit 1 if any").conflicts("write"))
    .action(run(async (paths: string[], opts) => (await import("./commands/fmt.js")).fmtCommand(paths, opts)));

  program
    .command("parse")
    .description("print the AST of a policy file as JSON")
    .argument("<file>", "a .verdict file")
    .action(run(async (file: string) => (await import("./commands/parse.js")).parseCommand(file)));

  registerTest(program);
  registerBuild(program);
  registerRun(program);
  return program;
}

await buildCli().parseAsync(process.argv);
