import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The bytes of a file in test/fixtures/. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))));
}

/** A JSON file in test/fixtures/, parsed. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), "utf8"));
}
