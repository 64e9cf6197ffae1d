#!/usr/bin/env node
// The `verdict` command line.
import { Command, Option } from "commander";
import { checkCommand } from "./commands/check.js";
import { evalCommand } from "./commands/eval.js";
import { fmtCommand } from "./commands/fmt.js";
import { parseCommand } from "./commands/parse.js";
import { registerTest } from "./commands/test.js";
import { runAction as run } from "./output.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
    .action(run((query: string, opts) => evalCommand(query, opts)));

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
    .action(run((paths: string[], opts) => checkCommand(paths, opts)));

  program
    .command("fmt")
    .description("format policies canonically")
    .argument("<paths...>", "policy files or directories")
    .option("-w, --write", "rewrite files in place")
    .addOption(new Option("--check", "list files that are not formatted; exit 1 if any").conflicts("write"))
    .action(run((paths: string[], opts) => fmtCommand(paths, opts)));

  program
    .command("parse")
    .description("print the AST of a policy file as JSON")
    .argument("<file>", "a .verdict file")
    .action(run((file: string) => parseCommand(file)));

  registerTest(program);
  return program;
}

await buildCli().parseAsync(process.argv);
