// "Log in with my Care Identity" in Chromium, through the test identity provider's own pages (a
// real OpenID Connect provider set up as CIS2 is): a nurse whose smartcard role carries R8015
// lands on her mailbox; a clerk without R8015 is told why and what to do. Every page of the
// portal on the way is checked with axe-core.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, freePort, launchBrowser, newPage, startIdentityProvider, startServer } from "./harness.mjs";

const people = [
  {
    sub: "920000000001",
    uid: "555000000101",
    email: "nia.nurse@nhs.net",
    name: "Nia Nurse",
    roles: [{ org_code: "X26", role_code: "S8000:G8000:R8001", role_name: "Nurse Access Role", activity_codes: ["B0360", "R8015"] }],
  },
  {
    sub: "920000000002",
    uid: "555000000102",
    email: "cal.clerk@nhs.net",
    name: "Cal Clerk",
    roles: [{ org_code: "X26", role_code: "S8000:G8000:R8001", role_name: "Clerk", activity_codes: ["B0360"] }],
  },
];

const env = {};
before(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  env.provider = await startIdentityProvider(people, url);
  env.server = await startServer(env.provider.portalEnv, { port });
  assert.equal(env.server.url, url);
  const added = await env.server.command(["add-mailbox", "X26HC005", "--ods-code", "X26", "--environment", "integration"]);
  assert.equal(added.code, 0, added.stderr);
  for (const person of people) {
    const created = await env.server.command([
      "admin", "create-user", "--email", person.email, "--name", person.name,
      "--role", "mailbox_user", "--mailbox", "X26HC005", "--smartcard", person.uid,
    ]);
    assert.equal(created.code, 0, created.stderr);
  }
  env.browser = await launchBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  env.provider?.stop();
});

/** A tab that may reach the portal and the identity provider, nothing else. */
async function tab(javaScriptEnabled) {
  const page = await newPage(env.browser, env.server.url, { javaScriptEnabled });
  // Routes added later are asked first: the provider's pages go through too.
  await page.context().route(`${env.provider.issuer}/**`, (route) => route.continue());
  return page;
}

/** From the portal's start page through the provider's login page, as `name`. */
async function logInAs(page, name, problems, step) {
  await page.goto(`${env.server.url}/sign-in`);
  problems.push(...(await checkPage(page, `care-identity-${step}-start`)));
  await page.getByRole("button", { name: "Log in with my Care Identity" }).click();
  await page.getByRole("heading", { level: 1, name: "How do you want to log in?" }).waitFor();
  problems.push(...(await checkPage(page, `care-identity-${step}-method`)));
  await page.getByLabel("Care Identity").check();
  await page.getByRole("button", { name: "Continue" }).click();
  // The provider's own page.
  await page.waitForURL((url) => url.href.startsWith(env.provider.issuer));
  await page.getByLabel(name).check();
  await page.getByLabel("Smartcard").check();
  await page.getByRole("button", { name: "Log in" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  test(`a nurse with R8015 logs in with her smartcard and lands on her mailbox (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const page = await tab(javaScriptEnabled);
    const problems = [];
    await logInAs(page, "Nia Nurse", problems, `nurse-${mode}`);
    await page.waitForURL(`${env.server.url}/mailboxes/X26HC005`);
    await page.getByRole("heading", { level: 1 }).filter({ hasText: "X26HC005" }).waitFor();
    problems.push(...(await checkPage(page, `care-identity-nurse-${mode}-inbox`)));
    const account = page.getByRole("navigation", { name: "Account" });
    await account.getByRole("link", { name: "Nia Nurse" }).waitFor();
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test("a clerk without R8015 is told why and what to do", async () => {
  const page = await tab(false);
  const problems = [];
  await logInAs(page, "Cal Clerk", problems, "clerk");
  await page.waitForURL((url) => url.pathname === "/sign-in/cis2/callback");
  await page.getByRole("heading", { level: 1, name: "You could not log in with your Care Identity" }).waitFor();
  const text = await page.locator("#care-identity-problem").innerText();
  assert.match(text, /does not have the R8015 activity code at X26/);
  assert.match(text, /Registration Authority manager/);
  problems.push(...(await checkPage(page, "care-identity-clerk-refused")));
  assert.deepEqual(problems, []);
  await page.goto(`${env.server.url}/mailboxes/X26HC005/inbox`);
  await page.getByRole("heading", { level: 1, name: "You need to log in" }).waitFor();
  await page.context().close();
});
