// TLS for the listener: a certificate and key, and optionally a CA whose client certificates
// are required (mTLS): a client without a certificate signed by it fails the handshake.
import { readFileSync } from "node:fs";
import type { ServerOptions as HttpsOptions } from "node:https";
import { ConfigurationError, type ServerConfig } from "./config.js";

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigurationError(`tls: cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Options for fastify's `https`; null when TLS is not configured. */
export function httpsOptions(tls: ServerConfig["tls"]): HttpsOptions | null {
  if (!tls) return null;
  const options: HttpsOptions = {
    cert: read(tls.cert_file, "certificate"),
    key: read(tls.key_file, "private key"),
    minVersion: "TLSv1.2",
  };
  if (tls.client_ca_file === undefined) return options;
  return { ...options, ca: read(tls.client_ca_file, "client CA"), requestCert: true, rejectUnauthorized: true };
}
