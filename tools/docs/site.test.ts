// The built documentation site (`npm run docs` → docs/site): every relative link of every page resolves (file and anchor), every
// guide under docs/guides/ has its page, and in headless Chromium a reader follows a link from a guide to the API page of a symbol
// and from there its "Defined in" link to the source line. CI builds the site before `npm test` (.ci/run); elsewhere the tests
// are skipped, saying so, until `npm run docs` has been run.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlFiles, repoRoot } from "./src/source-pages.js";

const site = join(repoRoot, "docs/site");
const CHROMIUM = "/usr/bin/chromium";
const noSite = !existsSync(join(site, "index.html"));
const noChromium = !existsSync(CHROMIUM);
const siteSkip = noSite && !process.env.CI ? "skipped: docs/site is not built (npm run docs)" : undefined;
const browserSkip = siteSkip ?? (noChromium && !process.env.CI ? `skipped: ${CHROMIUM} not installed (apt-get install -y chromium)` : undefined);
const requireSite = () => {
  if (noSite) throw new Error("docs/site/index.html is missing on CI: .ci/run runs `npm run docs` before `npm test`");
};
// without the networking flags Chromium stalls on a closed network
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The ids a page defines (anchors a link's #fragment may name). */
const idsCache = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let ids = idsCache.get(file);
  if (!ids) {
    ids = new Set([...readFileSync(file, "utf8").matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]));
    idsCache.set(file, ids);
  }
  return ids;
}

/** Every relative href and src of a page that does not resolve: a missing file, or a #fragment the target page lacks. */
function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  for (const m of readFileSync(page, "utf8").matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const link = m[1].replaceAll("&amp;", "&");
    if (link === "" || /^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, data:, mailto:, javascript:
    const [path, fragment] = link.split("#", 2);
    const target = path === "" ? page : join(dirname(page), decodeURIComponent(path.split("?")[0]));
    if (!existsSync(target)) broken.push(`${link}: no file ${relative(site, target)}`);
    else if (fragment && target.endsWith(".html") && !idsOf(target).has(decodeURIComponent(fragment))) broken.push(`${link}: no #${fragment}`);
  }
  return broken;
}

describe("the documentation site (docs/site)", () => {
  const title = (name: string) => (siteSkip ? `${name} (${siteSkip})` : name);

  it.skipIf(siteSkip)(title("resolves every relative link of every page: the file, and the anchor in an HTML page"), () => {
    requireSite();
    const pages = htmlFiles(site);
    expect(pages.length).toBeGreaterThan(100);
    const broken = pages.flatMap((p) => brokenLinks(p).map((b) => `${relative(site, p)}: ${b}`));
    expect(broken.slice(0, 20), `${broken.length} broken links`).toEqual([]);
  });

  it.skipIf(siteSkip)(title("has a page for every guide under docs/guides/, and the README as its index page"), () => {
    requireSite();
    const guides = readdirSync(join(repoRoot, "docs/guides")).filter((f) => f.endsWith(".md"));
    expect(guides.length).toBeGreaterThan(5);
    const missing = guides.filter((guide) => !existsSync(join(site, "documents", guide.replace(/\.md$/, ".html"))));
    expect(missing, "guides without a page in docs/site (a stale site? run npm run docs)").toEqual([]);
    expect(readFileSync(join(site, "index.html"), "utf8")).toContain("dataflow-graph engine for recurrent neural networks");
  });

  it.skipIf(siteSkip)(title('links API pages to source pages: each "Defined in" link names a line of the file it declares'), () => {
    requireSite();
    const page = readFileSync(join(site, "functions/_unroll_bptt.computeGradients.html"), "utf8");
    const link = /Defined in <a href="([^"]+)"/.exec(page)?.[1];
    expect(link).toMatch(/^\.\.\/source\/packages\/bptt\/src\/gradients\.ts\.html#L\d+$/);
    const [path, line] = link!.split("#L");
    const source = readFileSync(join(site, "functions", path), "utf8");
    const lineHtml = new RegExp(`<span class="line" id="L${line}">(.*?)</span>`).exec(source)?.[1];
    expect(lineHtml).toContain("computeGradients");
  });
});

describe("the documentation site in headless Chromium", () => {
  const title = (name: string) => (browserSkip ? `${name} (${browserSkip})` : name);
  let profile: string | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (browserSkip || noSite || noChromium) return; // skipped, or failed by the test on CI
    profile = mkdtempSync(join(tmpdir(), "unroll-docs-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it.skipIf(browserSkip)(title("follows index → guide → API page of a symbol → its source line, offline from the file system"), async () => {
    requireSite();
    if (noChromium) throw new Error(`${CHROMIUM} is missing on CI: .ci/run installs it with apt-get install -y chromium`);
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(join(site, "index.html")).href);
    await expect.poll(() => page.title()).toContain("unroll");

    // the README's Documentation section → the training guide
    await page.locator(".col-content a", { hasText: "Training through time" }).first().click();
    await page.waitForURL(/documents\/training-through-time\.html$/);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Training through time");

    // a {@link} in the guide → the symbol's API page
    await page.locator('.col-content a[href$="functions/_unroll_bptt.computeGradients.html"]').first().click();
    await page.waitForURL(/functions\/_unroll_bptt\.computeGradients\.html$/);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain("computeGradients");

    // the API page → back to the guide (its comment links the guide)
    const back = page.locator('.col-content a[href$="documents/training-through-time.html"]');
    expect(await back.count(), "the API page links the guide").toBeGreaterThan(0);

    // "Defined in" → the source page, scrolled to the declaration's line
    await page.locator(".tsd-sources a").first().click();
    await page.waitForURL(/source\/packages\/bptt\/src\/gradients\.ts\.html#L\d+$/);
    const line = new URL(page.url()).hash.slice(1);
    await expect.poll(() => page.locator(`[id="${line}"]`).textContent()).toContain("computeGradients");
    expect(await page.locator(`[id="${line}"]`).isVisible()).toBe(true);
    await page.close();
    expect(errors).toEqual([]);
  });
});
