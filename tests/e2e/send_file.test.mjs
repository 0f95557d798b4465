// A mailbox user on the internet route sends a file: from their mailbox to the new message page,
// a file one byte over 50MB refused with the internet's limit (by the server without JavaScript,
// by the page before sending with it), a refusal with its reason at the
// field, then the file sent to one recipient found by ODS code, and the message's page with its
// ID. The recipient logs in, finds it in their inbox and downloads it; the sender sees it
// downloaded. With and without JavaScript; every page checked with axe-core.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileOf, serverAndBrowser } from "./harness.mjs";
import { mailboxUser } from "./people.mjs";

const SENDERS = { js: "X26OT005", "no-js": "X26OT006" };

const env = serverAndBrowser(async (server) => {
  for (const [mailbox, ods, workflow] of [
    [SENDERS.js, "X26", "PATH_MEDRPT_V3:send"],
    [SENDERS["no-js"], "X26", "PATH_MEDRPT_V3:send"],
    ["RR8TR007", "RR8", "PATH_MEDRPT_V3:receive"],
  ]) {
    const added = await server.command(["add-mailbox", mailbox, "--ods-code", ods, "--environment", "integration", "--workflow", workflow]);
    assert.equal(added.code, 0, added.stderr);
  }
  // Loopback is not HSCN here, so these browsers are on the internet route (50MB).
}, { MESH_PORTAL_HSCN_NETWORKS: "10.0.0.0/8" });

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  const sender = SENDERS[mode];

  test(`a mailbox user sends a file to one recipient (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const person = await mailboxUser(env, "sender", sender, javaScriptEnabled);
    const { page, ready, check } = person;
    const file = join(mkdtempSync(join(tmpdir(), "mesh-portal-send-")), "results.csv");
    writeFileSync(file, "patient,result\n1,normal\n");

    await page.getByRole("button", { name: "Send a file" }).click();
    await page.getByRole("heading", { level: 1, name: "New message" }).waitFor();
    await ready();
    await check("new-message");

    // The recipient, found by ODS code and workflow.
    await page.getByLabel("Recipient organisation's ODS code").fill("rr8");
    await page.getByRole("button", { name: "Find mailboxes" }).click();
    await page.getByRole("list", { name: "Mailboxes that receive this workflow" }).waitFor();
    await ready();
    assert.match(await page.getByRole("list", { name: "Mailboxes that receive this workflow" }).innerText(), /RR8TR007/);
    await check("recipient-found");

    // Refused: one byte over the internet route's limit, said at the file field.
    await page.getByLabel("Workflow ID", { exact: true }).selectOption("PATH_MEDRPT_V3");
    await page.getByLabel("Recipient's Mailbox ID").fill("RR8TR007");
    await page.getByLabel("File").setInputFiles(fileOf("scan.pdf", 50_000_001));
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator(".nhsuk-error-summary").waitFor({ timeout: 120_000 });
    assert.match(await page.locator(".nhsuk-error-summary").innerText(), /The selected file must be 50MB or smaller over the internet/);
    await ready();
    await check("too-large");

    // Refused: a recipient that does not exist, said at the field.
    await page.getByLabel("Workflow ID", { exact: true }).selectOption("PATH_MEDRPT_V3");
    await page.getByLabel("Recipient's Mailbox ID").fill("NOSUCHBOX");
    await page.getByLabel("File").setInputFiles(file);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    // With JavaScript the summary of the last refusal is still there until the answer comes.
    const summary = page.locator(".nhsuk-error-summary");
    await summary.getByText(/There is no mailbox with the ID NOSUCHBOX/).waitFor();
    assert.doesNotMatch(await summary.innerText(), /50MB or smaller/, "the earlier refusal is gone");
    await ready();
    await check("refused");

    // Sent.
    await page.getByLabel("Workflow ID", { exact: true }).selectOption("PATH_MEDRPT_V3");
    await page.getByLabel("Recipient's Mailbox ID").fill("RR8TR007");
    await page.getByLabel("File").setInputFiles(file);
    // After a refusal the section is already open (it keeps what was typed); open it if not.
    if (!(await page.getByLabel("Message subject (optional)").isVisible())) {
      await page.getByText("+ Additional information").click();
    }
    await page.getByLabel("Message subject (optional)").fill("November results");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForURL(new RegExp(`/mailboxes/${sender}/sent/[0-9]{20}_[0-9A-F]{16}$`));
    await page.getByRole("heading", { level: 1, name: "Message sent" }).waitFor();
    await ready();
    const details = await page.locator("main").innerText();
    assert.match(details, /RR8TR007/);
    assert.match(details, /results\.csv \(24 bytes\)/);
    assert.match(details, /November results/);
    await check("sent");
    const messageId = page.url().split("/").pop();

    // The recipient finds it in their inbox and downloads it.
    const receiver = await mailboxUser(env, "receiver", "RR8TR007", javaScriptEnabled);
    await receiver.page.getByRole("link", { name: "Inbox" }).click();
    await receiver.page.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
    await receiver.ready();
    const row = receiver.page.getByRole("row").filter({ hasText: sender });
    assert.match(await row.innerText(), /New/);
    assert.match(await row.innerText(), /Removed in 5 days/);
    await receiver.check("inbox");
    const [download] = await Promise.all([
      receiver.page.waitForEvent("download"),
      row.getByRole("link", { name: /results\.csv/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "results.csv");
    assert.equal(readFileSync(await download.path(), "utf8"), readFileSync(file, "utf8"));
    await receiver.page.reload();
    await receiver.ready();
    assert.match(await receiver.page.getByRole("row").filter({ hasText: sender }).innerText(), /Downloaded/);

    // The sender sees it downloaded.
    await page.goto(`${env.server.url}/mailboxes/${sender}/sent`);
    await ready();
    const sentRow = page.getByRole("row").filter({ hasText: "RR8TR007" });
    assert.match(await sentRow.innerText(), /Downloaded/);
    await check("sent-items");
    assert.ok(messageId.length > 20);

    assert.deepEqual([...person.problems, ...receiver.problems], []);
    await receiver.page.context().close();
    await page.context().close();
  });
}
