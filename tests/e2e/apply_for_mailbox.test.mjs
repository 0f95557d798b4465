// An organisation applying for a mailbox, with and without JavaScript: the ODS finder round trip,
// an error summary that leads to its field, the workflow search, a Change link from check your
// answers, the confirmation and the status page. Every page visited is checked with axe-core.
import assert from "node:assert/strict";
import { test } from "node:test";
import { journey, serverAndBrowser } from "./harness.mjs";

const env = serverAndBrowser();

/** Clicks a button and waits for the page at `path` (a string or a RegExp) with its heading. */
for (const javaScriptEnabled of [true, false]) {
  test(`applies for a mailbox from start to status page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const { page, mode, problems, check, ready, go } = await journey(env, "apply-mailbox", javaScriptEnabled);

    await page.goto(`${env.server.url}/apply/mailbox`);
    await ready();
    await check("start");
    await page.getByRole("button", { name: "Start now" }).click();
    await page.waitForURL(/\/apply\/mailbox\/organisation$/);
    await page.getByRole("heading", { level: 1, name: "Which organisation is the mailbox for?" }).waitFor();

    // Continue without an answer: the error summary links to the field.
    await go("Continue", /\/apply\/mailbox\/organisation$/, "Which organisation is the mailbox for?");
    const summary = page.getByRole("alert");
    await summary.getByRole("link", { name: "Enter an ODS code" }).waitFor();
    assert.match(await page.title(), /^Error: /);
    await check("organisation-error");
    await summary.getByRole("link", { name: "Enter an ODS code" }).click();
    if (javaScriptEnabled) {
      await page.waitForFunction(() => document.activeElement?.id === "ods_code");
    } else {
      await page.waitForURL(/#ods_code$/);
    }

    // The ODS code finder fills the code in.
    await page.getByRole("link", { name: "Find your organisation's ODS code" }).click();
    await page.waitForURL(/\/organisations\?return=/);
    await ready();
    await page.getByLabel("Search organisations").fill("leeds teaching");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: /Use RR8/ }).click();
    await page.waitForURL(/\/apply\/mailbox\/organisation\?ods_code=RR8$/);
    await ready();
    assert.equal(await page.getByLabel("ODS code of the organisation that owns the mailbox").inputValue(), "RR8");
    await check("organisation-from-finder");
    await go("Continue", /\/apply\/mailbox\/environment$/, "Which environments do you need a mailbox in?");

    await page.getByLabel(javaScriptEnabled ? "Path to Live: Integration" : "Path to Live: Deployment").check();
    await check("environment");
    await go("Continue", /\/apply\/mailbox\/workflows$/, "Which workflows will the mailbox use?");

    await page.getByLabel("Search workflow IDs").fill("pathology");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/\/apply\/mailbox\/workflows\?q=pathology$/);
    await ready();
    await page.getByLabel("What the mailbox does with PATH_MEDRPT_V3", { exact: true }).selectOption("send");
    await check("workflows-search");
    await page.getByRole("button", { name: "Add PATH_MEDRPT_V3", exact: true }).click();
    const added = page.getByRole("region", { name: "Workflows added" });
    await added.getByRole("button", { name: "Remove PATH_MEDRPT_V3", exact: true }).waitFor();
    assert.match(await added.innerText(), /PATH_MEDRPT_V3[\s\S]*Send/);
    await check("workflows-added");
    await go("Continue", /\/apply\/mailbox\/file-size$/, "What is the largest file the mailbox will handle?");

    await page.getByLabel("Up to 10 MB").check();
    await check("file-size");
    await go("Continue", /\/apply\/mailbox\/contact$/, "Who will manage the mailbox?");

    await page.getByLabel("Full name").fill("Sam Jones");
    await page.getByLabel("Work email address").fill(`sam.${mode}@nhs.net`);
    await page.getByLabel("Telephone number").fill("0113 496 0000");
    await check("contact");
    await go("Continue", /\/apply\/mailbox\/check-answers$/, "Check your answers before sending your application");

    // Change an answer and come back to check your answers.
    await check("check-answers");
    await page.getByRole("link", { name: "Change environments" }).click();
    await page.waitForURL(/\/apply\/mailbox\/environment$/);
    await ready();
    assert.ok(await page.getByLabel(javaScriptEnabled ? "Path to Live: Integration" : "Path to Live: Deployment").isChecked());
    await page.getByLabel("Live", { exact: true }).check();
    await go("Continue", /\/apply\/mailbox\/check-answers$/, "Check your answers before sending your application");
    const answers = await page.locator(".nhsuk-summary-list").innerText();
    assert.match(answers, /Live/);
    assert.match(answers, /Leeds Teaching Hospitals NHS Trust/);

    await page.getByLabel("I confirm this application contains no patient data").check();
    await page.getByRole("button", { name: "Accept and send" }).click();
    await page.waitForURL(/\/apply\/mailbox\/confirmation$/);
    const reference = (await page.locator(".app-reference").innerText()).trim();
    assert.match(reference, /^MBX-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    await check("confirmation");

    await page.getByRole("link", { name: "Check the progress of your application" }).click();
    await page.waitForURL(new RegExp(`/applications/${reference}$`));
    await ready();
    await page.getByLabel("Email address").fill(`sam.${mode}@nhs.net`);
    await page.getByRole("button", { name: "Check progress" }).click();
    await page.getByText("Submitted", { exact: true }).first().waitFor();
    await check("status");

    const emails = env.server.emails().filter((e) => e.includes(reference));
    assert.ok(emails.length >= 1, "the confirmation email was written");
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}
