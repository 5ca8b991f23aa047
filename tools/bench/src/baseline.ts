import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { BaselineInstall } from "./args.js";
import { CHILD_SCRIPT } from "./protocol.js";
import { killChildren, type Build } from "./run-child.js";

/** The build a comparison measures against: a checkout with its own harness and dependencies. */
export interface Baseline extends Build {
  /** What it is, for the header: `main = 585d4b7 subject`. */
  readonly description: string;
  /** How its dependencies were provided (`linked`, `npm ci`, `its own`). */
  readonly install: string;
  /**
   * Removes what was created for it (nothing for `--baseline-dir`). Synchronous
   * and idempotent, so that exit and signal handlers can run it too.
   */
  dispose(): void;
}

/** Where to get the baseline: a git commit-ish of the current checkout, or another checkout's directory. */
export type BaselineSource = { readonly ref: string } | { readonly dir: string };

const git = (root: string, ...args: string[]): string =>
  execFileSync("git", ["-C", root, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The full sha of `ref` in the repository at `root`; throws a readable error for an unknown ref. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return git(root, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    throw new Error(`--baseline: "${ref}" is not a commit of the repository at ${root}`);
  }
}

/** `585d4b7 subject` of a commit, for headers: the reader sees which builds were compared. */
export function describeCommit(root: string, sha: string): string {
  return git(root, "log", "-1", "--format=%h %s", sha);
}

/**
 * What the current side is: the working tree, which may differ from its HEAD,
 * so uncommitted changes are said (they are what is measured).
 */
export function describeWorkingTree(root: string): string {
  try {
    const head = describeCommit(root, "HEAD");
    const dirty = git(root, "status", "--porcelain", "--untracked-files=no") !== "";
    return `working tree at ${head}${dirty ? " + uncommitted changes" : ""}`;
  } catch {
    return `working tree ${root} (not a git checkout)`;
  }
}

const inside = (path: string, dir: string): boolean => {
  const r = relative(dir, path);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

/**
 * Mirrors the directory `from` (a `node_modules`) at `to` with symlinks: an
 * entry that is a workspace link (a symlink into `currentRoot` outside any
 * `node_modules`) is recreated with its own relative target, so that in the
 * baseline it names the baseline's package; every other entry (an external
 * package, `.bin`) links to the current checkout's copy, which is the same
 * package at the same version when the lock files are identical. Scope folders
 * (`@x`) are mirrored entry by entry, because they can hold both kinds.
 */
function mirror(from: string, to: string, currentRoot: string, baselineRoot: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory() && e.name.startsWith("@")) {
      mirror(src, dst, currentRoot, baselineRoot);
      continue;
    }
    if (e.isSymbolicLink()) {
      const target = readlinkSync(src);
      const resolved = resolve(dirname(src), target);
      if (inside(resolved, currentRoot) && !relative(currentRoot, resolved).split(/[\\/]/).includes("node_modules")) {
        const own = join(baselineRoot, relative(currentRoot, resolved));
        if (!existsSync(own))
          throw new Error(`the baseline has no ${relative(currentRoot, resolved)}, which ${relative(currentRoot, src)} links to; use --baseline-install ci`);
        symlinkSync(relative(dirname(dst), own), dst);
        continue;
      }
    }
    symlinkSync(src, dst);
  }
}

/**
 * Gives the baseline at `baselineRoot` the current checkout's installed
 * dependencies without copying them: every `node_modules` that npm created
 * (the root's and any workspace's own, as the lock file lists them) is
 * mirrored by `mirror`. Node resolves symlinks to real paths, so a baseline
 * source file resolves `@unroll/*` through the baseline's links to the
 * baseline's sources, and an external package resolves its own imports inside
 * the current `node_modules`. Valid only when both lock files are identical.
 */
export function linkNodeModules(currentRoot: string, baselineRoot: string): void {
  const lock = JSON.parse(readFileSync(join(currentRoot, "package-lock.json"), "utf8")) as { packages?: Record<string, unknown> };
  const roots = new Set([""]);
  for (const key of Object.keys(lock.packages ?? {})) {
    const at = key.indexOf("node_modules/");
    if (at > 0 && !key.slice(0, at).includes("node_modules")) roots.add(key.slice(0, at));
  }
  for (const r of roots) {
    const from = join(currentRoot, r, "node_modules");
    if (existsSync(from) && existsSync(join(baselineRoot, r))) mirror(from, join(baselineRoot, r, "node_modules"), currentRoot, baselineRoot);
  }
}

/** True when the two checkouts' `package-lock.json` are byte for byte the same: then they install the same packages. */
export function sameLockFile(a: string, b: string): boolean {
  const read = (root: string): Buffer | undefined => (existsSync(join(root, "package-lock.json")) ? readFileSync(join(root, "package-lock.json")) : undefined);
  const [x, y] = [read(a), read(b)];
  return x !== undefined && y !== undefined && x.equals(y);
}

function npmCi(root: string, log: (line: string) => void): Promise<void> {
  log(`baseline: npm ci in ${root} (the lock files differ; this takes a while)`);
  return new Promise((done, fail) => {
    // npm's output goes to stderr: with --json, stdout carries only JSON lines
    const npm = spawn(process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: root,
      stdio: ["ignore", 2, 2],
    });
    npm.on("error", fail);
    npm.on("close", (code, signal) => (code === 0 ? done() : fail(new Error(`npm ci in the baseline failed (${signal ?? `exit code ${code}`})`))));
  });
}

// exit codes of a process ended by these signals, by convention 128 + the signal's number
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Runs `cleanup` however this process ends: normally (`exit`), or by Ctrl-C,
 * `kill` or a closed terminal, when it also kills the running child and exits
 * with the signal's code. Returns the function that unregisters it.
 */
export function onAnyExit(cleanup: () => void): () => void {
  const handlers = Object.entries(SIGNALS).map(([signal, code]) => {
    const handler = (): void => {
      process.stderr.write(`\n${signal}: removing the baseline copy\n`);
      killChildren();
      cleanup();
      process.exit(code);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on("exit", cleanup);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off("exit", cleanup);
  };
}

/**
 * Makes the baseline runnable. For a ref: extracts that commit's files with
 * `git archive` into a new temporary directory (no worktree is registered in
 * the repository that other checkouts share, so a killed run leaves at most a
 * temporary directory, never a stale worktree entry), then installs its
 * dependencies by `install`, and removes the directory on `dispose`, on exit
 * and on Ctrl-C. For a directory: checks that it is an installed checkout and
 * uses it as it is.
 */
export async function prepareBaseline(source: BaselineSource, install: BaselineInstall, current: Build, log: (line: string) => void): Promise<Baseline> {
  if ("dir" in source) {
    // npm run moves to the package root; a relative path means one from where the user typed it
    const root = resolve(process.env.INIT_CWD ?? process.cwd(), source.dir);
    if (!existsSync(join(root, CHILD_SCRIPT))) throw new Error(`--baseline-dir: ${root} has no ${CHILD_SCRIPT}; is it an unroll checkout with this benchmark?`);
    if (!existsSync(join(root, "node_modules"))) throw new Error(`--baseline-dir: ${root} has no node_modules; run npm ci there first`);
    return { name: "baseline", root, description: `${root} (${describeWorkingTree(root)})`, install: "its own", dispose: () => {} };
  }

  const sha = resolveCommit(current.root, source.ref);
  const description = `${source.ref} = ${describeCommit(current.root, sha)}`;
  const root = mkdtempSync(join(tmpdir(), `unroll-baseline-${sha.slice(0, 7)}-`));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    rmSync(root, { recursive: true, force: true });
  };
  const unregister = onAnyExit(remove);
  const dispose = (): void => {
    unregister();
    remove();
  };
  try {
    const tar = join(root, ".baseline.tar");
    git(current.root, "archive", "--format=tar", `--output=${tar}`, sha);
    execFileSync("tar", ["-xf", tar, "-C", root], { stdio: ["ignore", "ignore", "pipe"] });
    rmSync(tar);
    if (!existsSync(join(root, CHILD_SCRIPT)))
      throw new Error(`--baseline: ${source.ref} has no ${CHILD_SCRIPT}; it predates the child protocol this comparison relies on`);
    const same = sameLockFile(current.root, root);
    const link = install === "link" || (install === "auto" && same);
    if (link) {
      if (!same) throw new Error(`--baseline-install link: ${source.ref}'s package-lock.json differs from this tree's; use --baseline-install ci (or auto)`);
      if (!existsSync(join(current.root, "node_modules"))) throw new Error(`this tree has no node_modules to link; run npm ci first`);
      linkNodeModules(current.root, root);
    } else {
      await npmCi(root, log);
    }
    return { name: "baseline", root, description, install: link ? "this tree's node_modules, linked (identical lock files)" : "npm ci", dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
