// `verdict build`: package a folder of policies and data files as a bundle tarball. The bundle
// code loads only when the command runs, like the other commands.
import { Option, type Command } from "commander";
import type { SigningAlgorithm } from "../../server/bundles/signing.js";
import { exitCodes, printDiagnostics, runAction } from "../output.js";

export interface BuildCommandOptions {
  readonly output: string;
  readonly signingKey?: string;
  readonly signingAlg: SigningAlgorithm;
  readonly keyid?: string;
  readonly revision?: string;
  readonly roots?: string;
}

export async function buildCommand(dir: string, opts: BuildCommandOptions): Promise<number> {
  const { BundleBuildError, BundleError, buildBundle, KeyError } = await import("../../server/bundles/index.js");
  try {
    await buildBundle(dir, opts.output, {
      ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
      ...(opts.roots !== undefined ? { roots: opts.roots.split(",").map((r) => r.trim()) } : {}),
      ...(opts.signingKey !== undefined ? { signingKey: opts.signingKey, signingAlg: opts.signingAlg } : {}),
      ...(opts.keyid !== undefined ? { keyid: opts.keyid } : {}),
    });
  } catch (err) {
    if (err instanceof BundleBuildError) {
      printDiagnostics(err.diagnostics, err.sources);
      return exitCodes.failed;
    }
    if (err instanceof BundleError) {
      process.stderr.write(`verdict build: ${err.message}\n`);
      return exitCodes.failed;
    }
    if (err instanceof KeyError || (err as NodeJS.ErrnoException).code !== undefined) {
      process.stderr.write(`verdict build: ${(err as Error).message}\n`);
      return exitCodes.usage;
    }
    throw err;
  }
  process.stdout.write(`wrote ${opts.output}\n`);
  return exitCodes.ok;
}

export function registerBuild(program: Command): void {
  program
    .command("build")
    .description("package a folder of policies and data files as a bundle (.tar.gz)")
    .argument("<dir>", "the bundle folder: *.verdict files, data.json/data.yaml files, optional .manifest")
    .option("-o, --output <file>", "where to write the bundle", "bundle.tar.gz")
    .option("--revision <rev>", "the manifest revision (overrides the folder's .manifest)")
    .option("--roots <a,b>", "comma-separated data roots the bundle owns (overrides the folder's .manifest)")
    .option("--signing-key <file>", "sign: a PEM private key (RS256, ES256) or a file holding the secret (HS256)")
    .addOption(
      new Option("--signing-alg <alg>", "signing algorithm").choices(["HS256", "RS256", "ES256"]).default("RS256"),
    )
    .option("--keyid <id>", "key id written into the signature")
    .action(runAction((dir: string, opts: BuildCommandOptions) => buildCommand(dir, opts)));
}
