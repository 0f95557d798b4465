// A person looking up a workflow ID: with JavaScript, without it, and with the keyboard alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newPage, serverAndBrowser, testAccessibility, waitForHydration } from "./harness.mjs";

const env = serverAndBrowser();

describe("search workflow IDs", () => {
  test("results follow the search box and the group filter as the person uses them, with JavaScript", async () => {
    const page = await newPage(env.browser, env.server.url);
    await page.goto(`${env.server.url}/workflows`);
    await waitForHydration(page);

    const box = page.getByLabel("Search workflow IDs");
    await box.pressSequentially("cardiolgy", { delay: 40 });

    await page.waitForURL(/\/workflows\?q=cardiolgy$/, { timeout: 10_000 });
    const link = page.getByRole("link", { name: "CRDLGY_SCANS", exact: true });
    await link.waitFor({ timeout: 10_000 });
    assert.match(await page.locator("#result-count").innerText(), /^10 workflow IDs found/);
    assert.equal(await box.inputValue(), "cardiolgy", "typing was not interrupted");
    await box.fill("");
    await box.pressSequentially("PATH_MEDRPT", { delay: 20 });
    await page.getByRole("link", { name: "PATH_MEDRPT_V3", exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole("link", { name: "CRDLGY_SCANS", exact: true }).count(), 0);

    await box.fill("");
    await page.getByLabel("Workflow group").selectOption("Cardiology");
    await page.waitForURL(/\/workflows\?group=Cardiology$/, { timeout: 10_000 });
    await page.getByRole("link", { name: "CRDLGY_ECG_REPORT", exact: true }).waitFor({ timeout: 10_000 });
    assert.match(await page.locator("#result-count").innerText(), /^10 workflow IDs found/);
    await page.context().close();
  });

  test("the same search works with JavaScript switched off", async () => {
    const page = await newPage(env.browser, env.server.url, { javaScriptEnabled: false });
    await page.goto(`${env.server.url}/workflows`);

    await page.getByLabel("Search workflow IDs").fill("cardiolgy");
    await page.getByLabel("Workflow group").selectOption("Cardiology");
    await page.getByRole("button", { name: "Search" }).click();

    await page.waitForURL(/\/workflows\?q=cardiolgy&group=Cardiology$/);
    await page.getByRole("link", { name: "CRDLGY_SCANS", exact: true }).waitFor();
    assert.match(await page.locator("#result-count").innerText(), /^10 workflow IDs found/);
    assert.equal(await page.locator("body[data-hydrated]").count(), 0, "no script ran");

    await page.goto(`${env.server.url}/workflows?q=${"x".repeat(101)}`);
    const summary = page.getByRole("alert");
    assert.match(await summary.innerText(), /There is a problem[\s\S]*100 characters or fewer/);
    await page.context().close();
  });

  test("a keyboard alone finds an entry and opens it", async () => {
    const page = await newPage(env.browser, env.server.url);
    await page.goto(`${env.server.url}/`);
    await waitForHydration(page);

    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to main content");
    await page.keyboard.press("Enter");
    await tabUntil(page, (el) => el.textContent === "Search workflow IDs");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/workflows$/);

    await tabUntil(page, (el) => el.id === "q");
    await page.keyboard.type("TOC_FHIR_EC_DISCH");
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=TOC_FHIR_EC_DISCH/);
    await page.getByRole("link", { name: "TOC_FHIR_EC_DISCH_ACK", exact: true }).waitFor();
    await tabUntil(page, (el) => el.textContent === "TOC_FHIR_EC_DISCH");
    await page.keyboard.press("Enter");

    await page.waitForURL(/\/workflows\/TOC_FHIR_EC_DISCH$/);
    await page.getByRole("heading", { level: 1, name: "TOC_FHIR_EC_DISCH" }).waitFor();
    await page.context().close();
  });
});

describe("accessibility", () => {
  testAccessibility(env, [
    ["start-page", "/"],
    ["workflow-search", "/workflows?q=discharge"],
    ["workflow-entry", "/workflows/CRDLGY_SCANS"],
    ["workflow-search-error", "/workflows?group=Astrology"],
    ["page-not-found", "/workflows/NO_SUCH_ID"],
  ]);
});

/** Presses Tab until the focused element passes `check` (at most 60 times). */
async function tabUntil(page, check) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const found = await page.evaluate(
      (source) => new Function("el", `return (${source})(el)`)(document.activeElement),
      check.toString(),
    );
    if (found) return;
  }
  throw new Error(`no element matching ${check} could be reached with Tab`);
}
