// A person finding their organisation's ODS code, with and without JavaScript.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPage, serverAndBrowser, testAccessibility, waitForHydration } from "./harness.mjs";

const env = serverAndBrowser();

for (const javaScriptEnabled of [true, false]) {
  test(`finds an ODS code by the organisation's name (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const page = await newPage(env.browser, env.server.url, { javaScriptEnabled });
    await page.goto(`${env.server.url}/organisations`);
    if (javaScriptEnabled) await waitForHydration(page);

    await page.getByLabel("Search organisations").fill("leeds teaching");
    await page.getByRole("button", { name: "Search" }).click();

    await page.waitForURL(/\/organisations\?q=leeds\+teaching$/);
    await page.getByRole("cell", { name: "Leeds Teaching Hospitals NHS Trust" }).waitFor();
    assert.match(await page.locator("#result-count").innerText(), /^1 organisation found/);
    await page.context().close();
  });
}

test("results link back to the application page that opened the finder", async () => {
  const page = await newPage(env.browser, env.server.url);
  await page.goto(`${env.server.url}/organisations?return=/apply/mailbox/organisation`);
  await waitForHydration(page);

  await page.getByLabel("Search organisations").fill("RR8");
  await page.keyboard.press("Enter");

  const link = page.getByRole("link", { name: /Use RR8/ });
  await link.waitFor();
  assert.equal(await link.getAttribute("href"), "/apply/mailbox/organisation?ods_code=RR8");
  await page.context().close();
});

testAccessibility(env, [
  ["organisation-finder", "/organisations?q=manchester"],
  ["organisation-finder-choosing", "/organisations?q=RR&return=/apply/mailbox/organisation"],
  ["organisation-finder-error", `/organisations?q=${"x".repeat(101)}`],
]);
