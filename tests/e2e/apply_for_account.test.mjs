// A member of staff applying for a MESH UI account, with and without JavaScript, for a mailbox the
// register holds. Every page visited is checked with axe-core.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkPage, journey, newPage, serverAndBrowser, waitForHydration } from "./harness.mjs";

const env = serverAndBrowser(async (server) => {
  const added = await server.command(["add-mailbox", "X26HC005", "--ods-code", "X26", "--environment", "integration"]);
  assert.equal(added.code, 0, added.stderr);
});

for (const javaScriptEnabled of [true, false]) {
  test(`applies for a MESH UI account (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const { page, mode, problems, check, ready, go } = await journey(env, "apply-account", javaScriptEnabled);

    await page.goto(`${env.server.url}/apply/account`);
    await ready();
    await check("start");
    await page.getByRole("button", { name: "Start now" }).click();
    await page.waitForURL(/\/apply\/account\/organisation$/);
    await page.getByLabel("ODS code").fill("x26");
    await check("organisation");
    await go("Continue", /\/apply\/account\/mailboxes$/, "Which mailboxes will you use?");

    await page.getByLabel("Mailbox IDs").fill("x26hc005");
    await check("mailboxes");
    await go("Continue", /\/apply\/account\/name$/, "What is your name?");

    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lovelase");
    await go("Continue", /\/apply\/account\/email$/, "What is your work email address?");

    // A personal address is refused; the summary leads to the field, which keeps what was typed.
    await page.getByLabel("Work email address").fill("ada@gmail.com");
    await go("Continue", /\/apply\/account\/email$/, "What is your work email address?");
    const link = page.getByRole("alert").getByRole("link", { name: "Email address must end in @nhs.net, @nhs.uk or @gov.uk" });
    await link.waitFor();
    await check("email-error");
    assert.equal(await page.getByLabel("Work email address").inputValue(), "ada@gmail.com");
    await link.click();
    if (javaScriptEnabled) await page.waitForFunction(() => document.activeElement?.id === "email");
    await page.getByLabel("Work email address").fill(`ada.${mode}@nhs.net`);
    await go("Continue", /\/apply\/account\/access$/, "How will you connect to MESH?");

    await page.getByLabel("HSCN, with a smartcard").check();
    await page.getByLabel("Smartcard number").fill("1234 5678 9012");
    await page.getByLabel("My smartcard has the R8015 activity code").check();
    await check("access");
    await go("Continue", /\/apply\/account\/reason$/, "Why do you need access to MESH?");

    // Text that closes the textarea and opens a heading stays text, on the server's page and once
    // hydrated: the saved draft shows it back in the box, and no heading of it appears.
    const payload = "</textarea><h1>Injected</h1>";
    await page.getByLabel("Reason for access").fill(payload);
    await go("Continue", /\/apply\/account\/check-answers$/, "Check your answers before sending your application");
    await page.goto(`${env.server.url}/apply/account/reason`);
    await ready();
    assert.equal(await page.getByLabel("Reason for access").inputValue(), payload);
    assert.equal(await page.getByRole("heading", { name: "Injected" }).count(), 0);
    assert.equal(await page.locator("textarea").count(), 1);

    await page.getByLabel("Reason for access").fill("I collect pathology results for our practices.");
    await check("reason");
    await go("Continue", /\/apply\/account\/check-answers$/, "Check your answers before sending your application");
    await check("check-answers");

    // Correct the name through its Change link.
    await page.getByRole("link", { name: "Change name" }).click();
    await page.waitForURL(/\/apply\/account\/name$/);
    await ready();
    assert.equal(await page.getByLabel("Last name").inputValue(), "Lovelase");
    await page.getByLabel("Last name").fill("Lovelace");
    await go("Continue", /\/apply\/account\/check-answers$/, "Check your answers before sending your application");
    const answers = await page.locator(".nhsuk-summary-list").innerText();
    assert.match(answers, /Ada Lovelace/);
    assert.match(answers, /123456789012/);
    assert.match(answers, /X26HC005/);

    await page.getByRole("button", { name: "Send application" }).click();
    await page.waitForURL(/\/apply\/account\/confirmation$/);
    const reference = (await page.locator(".app-reference").innerText()).trim();
    assert.match(reference, /^ACC-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    await check("confirmation");

    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test("asks for a new workflow ID and gets a reference", async () => {
  const page = await newPage(env.browser, env.server.url);
  await page.goto(`${env.server.url}/workflows/request`);
  await waitForHydration(page);

  await page.getByRole("button", { name: "Send request" }).click();
  await page.getByRole("alert").getByRole("link", { name: "Enter a workflow ID" }).waitFor();
  const violations = await checkPage(page, "workflow-request-errors");
  await page.getByLabel("Proposed workflow ID").fill("WOUND_CARE_PHOTO");
  await page.getByLabel("Workflow group").selectOption("new");
  await page.getByLabel("Name of the new group").fill("Tissue viability");
  await page.getByLabel("Description").fill("Photographs of wounds for the tissue viability team");
  await page.getByLabel("Sending organisations").fill("District nursing teams");
  await page.getByLabel("Receiving organisations").fill("Tissue viability services");
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("Your work email address").fill("ada@nhs.net");
  await page.getByRole("button", { name: "Send request" }).click();
  await page.waitForURL(/\/workflows\/request\/confirmation$/);
  const reference = (await page.locator(".app-reference").innerText()).trim();

  assert.match(reference, /^WFR-/);
  violations.push(...(await checkPage(page, "workflow-request-confirmation")));
  assert.deepEqual(violations, []);
  await page.context().close();
});
