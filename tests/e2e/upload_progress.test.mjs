// Sending over HSCN, with and without JavaScript: a file of 100MB + 1 byte is refused with HSCN's
// limit (with JavaScript before a byte is sent). With JavaScript the page shows a progress bar
// while the file goes; the person can cancel (nothing is sent, nothing is stored), and a file sent
// to the end leads to the message's page. Uploads are slowed down in the browser (Chrome DevTools
// network throttling) so that the bar can be seen and cancelled.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileOf, filesUnder, serverAndBrowser } from "./harness.mjs";
import { mailboxUser } from "./people.mjs";

const SENDERS = { js: "X26OT011", "no-js": "X26OT012" };
const RECIPIENT = "RR8TR011";

const env = serverAndBrowser(async (server) => {
  for (const [mailbox, ods, workflow] of [
    [SENDERS.js, "X26", "PATH_MEDRPT_V3:send"],
    [SENDERS["no-js"], "X26", "PATH_MEDRPT_V3:send"],
    [RECIPIENT, "RR8", "PATH_MEDRPT_V3:receive"],
  ]) {
    const added = await server.command(["add-mailbox", mailbox, "--ods-code", ods, "--environment", "integration", "--workflow", workflow]);
    assert.equal(added.code, 0, added.stderr);
  }
  // These browsers come from loopback, counted as HSCN here (100MB).
}, { MESH_PORTAL_HSCN_NETWORKS: "127.0.0.0/8" });

/** Fills the new message form for `file`. */
async function fillIn(page, file) {
  await page.getByLabel("Workflow ID", { exact: true }).selectOption("PATH_MEDRPT_V3");
  await page.getByLabel("Recipient's Mailbox ID").fill(RECIPIENT);
  await page.getByLabel("File").setInputFiles(file);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  const sender = SENDERS[mode];

  test(`over HSCN a file of 100MB + 1 byte is refused with HSCN's limit (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const person = await mailboxUser(env, "hscn", sender, javaScriptEnabled);
    const { page, ready, check } = person;
    const posts = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith(`/mailboxes/${sender}/new`)) posts.push(r.url());
    });
    await page.goto(`${env.server.url}/mailboxes/${sender}/new`);
    await ready();
    assert.match(await page.locator("#file-hint").innerText(), /Up to 100MB on this connection/);

    await fillIn(page, fileOf("scan.pdf", 100_000_001));
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor({ timeout: 120_000 });
    const said = await summary.innerText();
    assert.match(said, /The selected file must be 100MB or smaller/);
    assert.doesNotMatch(said, /over the internet/);
    assert.match(await page.locator("#file-error").innerText(), /The selected file must be 100MB or smaller/);
    await ready();
    await check("hscn-too-large");
    if (javaScriptEnabled) {
      assert.deepEqual(posts, [], "with JavaScript the file is refused before it is sent");
    } else {
      assert.equal(posts.length, 1, "without JavaScript the server refuses it");
    }
    assert.deepEqual(person.problems, []);
    await page.context().close();
  });
}

test("with JavaScript a progress bar shows the file going; cancelling sends nothing; a sent file leads to its page", async () => {
  const sender = SENDERS.js;
  const person = await mailboxUser(env, "progress", sender, true);
  const { page, ready, check } = person;
  const objects = join(env.server.dataDir, "data", "objects");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  // About 2 MB a second up, whatever loopback could do.
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2_000_000 });

  await page.goto(`${env.server.url}/mailboxes/${sender}/new`);
  await ready();

  // Cancelled part way.
  await fillIn(page, fileOf("large-scan.pdf", 20_000_000));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const bar = page.getByRole("progressbar", { name: "Sending the file" });
  await bar.waitFor();
  await page.waitForFunction(() => Number(document.getElementById("upload-progress")?.value) >= 5);
  assert.match(await page.locator(".app-upload").innerText(), /\d+% sent \(\d+\.\dMB of 20\.0MB\)/);
  assert.equal(await page.getByRole("button", { name: "Send", exact: true }).isDisabled(), true, "one send at a time");
  await check("sending");
  await page.getByRole("button", { name: "Cancel sending" }).click();
  await page.getByText("You cancelled sending the file. Nothing was sent.").waitFor();
  assert.equal(await bar.count(), 0);
  // The server saw the request end early and kept nothing of it.
  const deadline = Date.now() + 10_000;
  while (filesUnder(objects).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(filesUnder(objects), [], "nothing stored, not even a partial file");
  await page.goto(`${env.server.url}/mailboxes/${sender}/sent`);
  await ready();
  assert.equal(await page.getByRole("row").filter({ hasText: RECIPIENT }).count(), 0, "no message");

  // Sent to the end: the bar rises, then the message's page.
  await page.goto(`${env.server.url}/mailboxes/${sender}/new`);
  await ready();
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      const bar = document.getElementById("upload-progress");
      if (bar) window.progressSeen.push(Number(bar.value));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await fillIn(page, fileOf("scan.pdf", 4_000_000));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.waitForURL(new RegExp(`/mailboxes/${sender}/sent/[0-9]{20}_[0-9A-F]{16}$`), { timeout: 60_000 });
  await page.getByRole("heading", { level: 1, name: "Message sent" }).waitFor();
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.some((v) => v > 0 && v < 100), `the bar stood part way at some point: ${seen.slice(0, 20)}`);
  assert.ok(seen.includes(100), "and reached the end");
  assert.match(await page.locator("main").innerText(), /scan\.pdf \(4\.0 MB\)/);
  await ready();
  await check("sent");
  assert.equal(filesUnder(join(objects, "messages")).length, 1, "the one message's content");

  assert.deepEqual(person.problems, []);
  await page.context().close();
});
