// The types of targets.mjs (an nx plugin in plain JavaScript, which nx loads without a build), for its TypeScript test.
import type { CreateNodes } from "@nx/devkit";

/** Where each project's vitest JSON report goes. */
export declare const reportDir: string;
/** The report file of the project at `root` ("packages/ir" → "test-output/vitest/packages-ir.json"). */
export declare function reportOf(root: string): string;
/** Every project's build, test, typecheck and docs targets. */
export declare const createNodes: CreateNodes;
