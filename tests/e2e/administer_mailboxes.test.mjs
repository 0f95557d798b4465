// The service desk looks after what it has issued: it adds a workflow ID to the catalogue, finds a
// mailbox, registers it for that workflow, sets it a new MESH API password (shown once), suspends
// it with a reason and reactivates it, then reads what it did in the audit log. With and without
// JavaScript; every page checked with axe-core.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverAndBrowser } from "./harness.mjs";
import { serviceDesk } from "./people.mjs";

const MAILBOXES = { js: "X26OT005", "no-js": "X26OT006" };

const env = serverAndBrowser(async (server) => {
  for (const mailbox of Object.values(MAILBOXES)) {
    const added = await server.command(["add-mailbox", mailbox, "--ods-code", "X26", "--environment", "integration"]);
    assert.equal(added.code, 0, added.stderr);
  }
});

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  const mailbox = MAILBOXES[mode];
  const workflow = javaScriptEnabled ? "WOUND_PHOTO_JS" : "WOUND_PHOTO_NOJS";

  test(`the service desk adds a workflow ID and looks after a mailbox (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const desk = await serviceDesk(env, mode, javaScriptEnabled);
    const { page, ready, go, check } = desk;

    // The catalogue: a new workflow ID, refused until it is complete.
    const menu = page.getByRole("navigation", { name: "Service desk" });
    await menu.getByRole("link", { name: "Workflow ID catalogue" }).click();
    await page.getByRole("heading", { level: 1, name: "Workflow ID catalogue" }).waitFor();
    await ready();
    await check("catalogue");
    await page.getByRole("button", { name: "Add a workflow ID" }).click();
    await page.getByRole("heading", { level: 1, name: "Add a workflow ID" }).waitFor();
    await ready();
    await check("add-workflow");
    await page.getByLabel("Workflow ID", { exact: true }).fill("wound photo");
    await page.getByRole("button", { name: "Add to the catalogue" }).click();
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor();
    assert.match(await summary.innerText(), /Workflow ID must not contain spaces/);
    assert.match(await summary.innerText(), /Enter workflow group/);
    await ready();
    await check("add-workflow-refused");
    await page.getByLabel("Workflow ID", { exact: true }).fill(workflow);
    await page.getByLabel("Workflow group").fill("Tissue viability");
    await page.getByLabel("Description").fill("Photographs of wounds from community nurses");
    await page.getByLabel("Only over HSCN").check();
    await go("Add to the catalogue", new RegExp(`/service-desk/workflows/${workflow}$`), `Change ${workflow}`);
    await ready();
    await check("workflow");

    // The mailbox: found by its ID, registered for the new workflow.
    await page.goto(`${env.server.url}/service-desk`);
    await ready();
    await menu.getByRole("link", { name: "Mailboxes" }).click();
    await page.getByRole("heading", { level: 1, name: "Mailboxes" }).waitFor();
    await ready();
    await page.getByLabel("Mailbox ID, ODS code or organisation").fill(mailbox.toLowerCase());
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(/\/service-desk\/mailboxes\?/);
    await ready();
    await check("mailboxes");
    await page.getByRole("link", { name: mailbox }).click();
    await page.getByRole("heading", { level: 1, name: `Mailbox ${mailbox}` }).waitFor();
    await ready();
    await check("mailbox");
    await page.getByLabel("Workflow ID", { exact: true }).fill(workflow);
    await page.getByLabel("Send and receive").check();
    await page.getByRole("button", { name: "Save workflow" }).click();
    await page.getByRole("button", { name: `Remove ${workflow}` }).waitFor();
    await ready();

    // A new MESH API password, shown once.
    await page.getByRole("button", { name: "Set a new MESH API password" }).click();
    const callout = page.locator(".nhsuk-warning-callout");
    await callout.waitFor();
    const shown = await callout.innerText();
    assert.match(shown, /No mailbox manager is on record/);
    const password = shown.match(/\b[A-Za-z0-9]{20}\b/);
    assert.ok(password, `a password in: ${shown}`);
    await ready();
    await check("new-password");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: `Mailbox ${mailbox}` }).waitFor();
    assert.equal(await page.getByText(password[0]).count(), 0, "shown once only");
    await ready();

    // Suspended with a reason, then active again.
    await page.getByLabel("Reason for suspending it").fill("Checking a report of misuse");
    await page.getByRole("button", { name: "Suspend the mailbox" }).click();
    await page.getByText("This mailbox is suspended").waitFor();
    await ready();
    await check("suspended");
    await page.getByRole("button", { name: "Reactivate the mailbox" }).click();
    await page.getByRole("button", { name: "Suspend the mailbox" }).waitFor();
    await ready();

    // What was done, in the audit log.
    await page.getByRole("link", { name: "What has been done to this mailbox (audit log)" }).click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await ready();
    const log = await page.locator("table").innerText();
    for (const action of ["mailbox.set_workflow", "mailbox.reset_api_password", "mailbox.suspend", "mailbox.reactivate"]) {
      assert.match(log, new RegExp(action.replace(".", "\\.")));
    }
    assert.match(log, /Checking a report of misuse/);
    assert.ok(!log.includes(password[0]), "no password in the audit log");
    await check("audit");

    assert.deepEqual(desk.problems, []);
    await page.context().close();
  });
}
