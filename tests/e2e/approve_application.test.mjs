// The whole way from applying to logging in: an organisation applies for a mailbox (no sign-in),
// the service desk approves it, the Mailbox ID arrives by email (read from a real SMTP server), a
// member of staff applies for a MESH UI account for that mailbox, the service desk approves that,
// and the new user sets up their account from the emailed link and lands on their mailbox. With
// and without JavaScript; every page checked with axe-core.
import assert from "node:assert/strict";
import { test } from "node:test";
import { journey, serverAndBrowser, startSmtp } from "./harness.mjs";
import { PIN, approve, emailAndPin, serviceDesk, setUp, totp } from "./people.mjs";

const env = serverAndBrowser(
  async () => {},
  async (env) => {
    env.smtp = await startSmtp();
    return { MESH_PORTAL_SMTP_URL: env.smtp.url };
  },
);

/** The first link in a text that starts with `path`. */
function linkIn(text, path) {
  const found = text.match(new RegExp(`https?://[^\\s"<>]*${path}[A-Za-z0-9_/-]*`));
  assert.ok(found, `a ${path} link in: ${text}`);
  return found[0];
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  // Each run its own organisation, so each gets the first Mailbox ID of its own sequence.
  const [ods, expectedMailbox] = javaScriptEnabled ? ["X26", "X26OT001"] : ["RR8", "RR8TR001"];

  test(`a mailbox and an account, from application to first log-in (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const desk = await serviceDesk(env, mode, javaScriptEnabled);
    const applicant = await journey(env, "applicant", javaScriptEnabled);
    const { page, ready, go, check } = applicant;

    // The organisation applies for a mailbox.
    await page.goto(`${env.server.url}/apply/mailbox/organisation`);
    await ready();
    await page.getByLabel("ODS code of the organisation that owns the mailbox").fill(ods);
    await go("Continue", /\/apply\/mailbox\/environment$/, "Which environments do you need a mailbox in?");
    await page.getByLabel("Path to Live: Integration").check();
    await go("Continue", /\/apply\/mailbox\/workflows$/, "Which workflows will the mailbox use?");
    await page.getByLabel("Search workflow IDs").fill("pathology");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/\/apply\/mailbox\/workflows\?q=pathology$/);
    await ready();
    await page.getByRole("button", { name: "Add PATH_MEDRPT_V3", exact: true }).click();
    // Adding reloads the page: wait for the new one to come alive before going on.
    await page.getByRole("region", { name: "Workflows added" }).waitFor();
    await ready();
    await go("Continue", /\/apply\/mailbox\/file-size$/, "What is the largest file the mailbox will handle?");
    await page.getByLabel("Up to 10 MB").check();
    await go("Continue", /\/apply\/mailbox\/contact$/, "Who will manage the mailbox?");
    const manager = `sam.${mode}@nhs.net`;
    await page.getByLabel("Full name").fill("Sam Jones");
    await page.getByLabel("Work email address").fill(manager);
    await page.getByLabel("Telephone number").fill("0113 496 0000");
    await go("Continue", /\/apply\/mailbox\/check-answers$/, "Check your answers before sending your application");
    await page.getByLabel("I confirm this application contains no patient data").check();
    await page.getByRole("button", { name: "Accept and send" }).click();
    await page.waitForURL(/\/apply\/mailbox\/confirmation$/);
    const mailboxApplication = (await page.locator(".app-reference").innerText()).trim();

    // The service desk approves it; the Mailbox ID and its API password are shown once.
    await approve(env, desk, mailboxApplication, "mailbox");
    const issued = await desk.page.locator(".nhsuk-warning-callout").innerText();
    assert.match(issued, new RegExp(expectedMailbox));
    const ready_ = await env.smtp.waitFor((m) => m.includes("Your MESH mailbox is ready") && m.includes(manager));
    assert.match(ready_, new RegExp(`Mailbox ID: ${expectedMailbox}`));
    assert.match(ready_, /MESH API password: \S{20}/);

    // A member of staff applies for an account for that mailbox.
    const user = `ada.${mode}@nhs.net`;
    await page.goto(`${env.server.url}/apply/account/organisation`);
    await ready();
    await page.getByLabel("ODS code").fill(ods);
    await go("Continue", /\/apply\/account\/mailboxes$/, "Which mailboxes will you use?");
    await page.getByLabel("Mailbox IDs").fill(expectedMailbox);
    await go("Continue", /\/apply\/account\/name$/, "What is your name?");
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lovelace");
    await go("Continue", /\/apply\/account\/email$/, "What is your work email address?");
    await page.getByLabel("Work email address").fill(user);
    await go("Continue", /\/apply\/account\/access$/, "How will you connect to MESH?");
    await page.getByLabel("Internet, with an authenticator app").check();
    await go("Continue", /\/apply\/account\/reason$/, "Why do you need access to MESH?");
    await page.getByLabel("Reason for access").fill("I collect pathology results for our practices.");
    await go("Continue", /\/apply\/account\/check-answers$/, "Check your answers before sending your application");
    await page.getByRole("button", { name: "Send application" }).click();
    await page.waitForURL(/\/apply\/account\/confirmation$/);
    const accountApplication = (await page.locator(".app-reference").innerText()).trim();

    // The service desk approves it; the set-up link arrives by email.
    await approve(env, desk, accountApplication, "account");
    const setUpMail = await env.smtp.waitFor((m) => m.includes("Set up your MESH portal account") && m.includes(user));
    const link = linkIn(setUpMail, "/activate/").replace(/^https?:\/\/[^/]+/, env.server.url);

    // The new user sets up their account, logs in and lands on their mailbox.
    const newUser = await journey(env, "new-user", javaScriptEnabled);
    const { key } = await setUp(newUser, link, false);
    await emailAndPin(env, newUser, user, PIN);
    await newUser.page.getByLabel("Security code").fill(totp(key, 1));
    await newUser.go("Log in", new RegExp(`/mailboxes/${expectedMailbox}$`), `Mailbox ${expectedMailbox}`);
    await newUser.check("mailbox");

    // The service desk reads what happened in the audit log.
    await desk.page.goto(`${env.server.url}/service-desk`);
    await desk.ready();
    await desk.page.getByRole("navigation", { name: "Service desk" }).getByRole("link", { name: "Audit log" }).click();
    await desk.page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await desk.ready();
    assert.match(await desk.page.locator("table").innerText(), new RegExp(`application:${accountApplication}`));
    await desk.check("audit");

    await check("done");
    assert.deepEqual([...desk.problems, ...applicant.problems, ...newUser.problems], []);
    for (const person of [desk, applicant, newUser]) await person.page.context().close();
  });
}
