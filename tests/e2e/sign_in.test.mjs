// A person setting up their account from the emailed link with an authenticator app, logging in
// with email, PIN and the app's code, and logging out; and someone locked out after too many
// wrong PINs. With JavaScript on and off; every page checked with axe-core. The test is the
// authenticator app: it reads the key from the page and computes the codes (RFC 6238).
import assert from "node:assert/strict";
import { test } from "node:test";
import { journey, serverAndBrowser } from "./harness.mjs";
import { PIN, emailAndPin, setUp, submitPin, totp } from "./people.mjs";

// Logged in full, so that the test can look for secrets in what the server writes.
const env = serverAndBrowser(async () => {}, { MESH_PORTAL_LOG: "debug" });

/** Creates an account from the command line, as `make run` does; returns its set-up link. */
async function invite(email, role) {
  const created = await env.server.command(["admin", "create-user", "--email", email, "--name", "Ada Lovelace", "--role", role]);
  assert.equal(created.code, 0, created.stderr);
  const path = created.stdout.match(/\/activate\/[A-Za-z0-9_-]+/);
  assert.ok(path, created.stdout);
  return `${env.server.url}${path[0]}`;
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "js" : "no-js";

  test(`sets up an account, logs in and logs out (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const email = `ada.${mode}@nhs.net`;
    const link = await invite(email, "service_desk");
    const person = await journey(env, "sign-in", javaScriptEnabled);
    const { page, problems, check, go } = person;
    const { key, shownKey } = await setUp(person, link);

    // A wrong PIN first: told so, with the field empty again.
    await emailAndPin(env, person, email, "918273");
    await page.getByRole("alert").getByRole("link", { name: "The email address or PIN is not right" }).waitFor();
    await check("pin-error");
    assert.equal(await page.getByLabel("PIN", { exact: true }).inputValue(), "");
    await page.getByLabel("Work email address").fill(email);
    await page.getByLabel("PIN", { exact: true }).fill(PIN);
    await go("Continue", /\/sign-in\/code$/, "Enter the security code from your authenticator app");
    await check("code");
    // The set-up used this step's code; an app a step ahead is still believed, once.
    await page.getByLabel("Security code").fill(totp(key, 1));
    await go("Log in", /\/service-desk$/, "Service desk");
    await check("service-desk");
    const account = page.getByRole("navigation", { name: "Account" });
    await account.getByRole("link", { name: "Ada Lovelace" }).waitFor();
    assert.match(await account.innerText(), /HSCN/);

    const session = (await page.context().cookies()).find((c) => c.name === "mesh_portal_session");
    assert.ok(session, "a session cookie while logged in");
    assert.ok(session.httpOnly && session.sameSite === "Lax", "HttpOnly, SameSite=Lax");
    assert.ok(!(await page.content()).includes(session.value), "the session ID is not in the page");
    await account.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/sign-out\?done=1$/);
    await page.getByRole("heading", { level: 1, name: "You have logged out" }).waitFor();
    await check("logged-out");
    await page.goto(`${env.server.url}/service-desk`);
    await page.getByRole("heading", { level: 1, name: "You need to log in" }).waitFor();
    await check("needs-log-in");

    // Nothing secret in what the server logged, even at debug level.
    const logs = env.server.logs();
    assert.ok(logs.length > 1000, "the server's log was kept");
    const token = link.split("/activate/")[1];
    for (const [what, secret] of [["PIN", PIN], ["app key", shownKey], ["set-up token", token], ["session ID", session.value]]) {
      assert.ok(!logs.includes(secret), `the ${what} is not in the log`);
    }

    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test(`too many wrong PINs lock the account and say until when (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const email = `bo.${mode}@nhs.net`;
    const link = await invite(email, "mailbox_user");
    const person = await journey(env, "lock-out", javaScriptEnabled);
    const { page, problems, check } = person;
    await setUp(person, link, false);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      if (attempt === 1) await emailAndPin(env, person, email, "918273");
      else await submitPin(page, email, "918273");
      if (attempt < 5) await page.getByRole("alert").getByText("The email address or PIN is not right").waitFor();
    }
    const message = page.getByRole("alert").getByText(/Your account is locked after too many failed attempts\. Try again after \d/);
    await message.waitFor();
    await check("locked");
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}
