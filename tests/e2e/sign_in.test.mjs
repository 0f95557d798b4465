// A person setting up their account from the emailed link with an authenticator app, logging in
// with email, PIN and the app's code, and logging out; and someone locked out after too many
// wrong PINs. With JavaScript on and off; every page checked with axe-core. The test is the
// authenticator app: it reads the key from the page and computes the codes (RFC 6238).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { journey, serverAndBrowser } from "./harness.mjs";

// Logged in full, so that the test can look for secrets in what the server writes.
const env = serverAndBrowser(async () => {}, { MESH_PORTAL_LOG: "debug" });
const PIN = "90817263";

/** Base32 (RFC 4648, no padding) to bytes. */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[^A-Z2-7]/g, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code for a key, `ahead` steps of 30 seconds after now. */
function totp(key, ahead = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + ahead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Creates an account from the command line, as `make run` does; returns its set-up link. */
async function invite(email, role) {
  const created = await env.server.command(["admin", "create-user", "--email", email, "--name", "Ada Lovelace", "--role", role]);
  assert.equal(created.code, 0, created.stderr);
  const path = created.stdout.match(/\/activate\/[A-Za-z0-9_-]+/);
  assert.ok(path, created.stdout);
  return `${env.server.url}${path[0]}`;
}

/** Goes through set-up with an authenticator app; returns the app's key (bytes and as shown). */
async function setUp(journeyOf, link, checks = true) {
  const { page, check, ready, go } = journeyOf;
  await page.goto(link);
  await ready();
  await page.getByRole("heading", { level: 1, name: "Create your PIN" }).waitFor();
  if (checks) await check("set-up");
  await page.getByLabel("Create a PIN").fill(PIN);
  await page.getByLabel("Enter your PIN again").fill("90817264");
  await page.getByLabel("An authenticator app on my phone or computer").check();
  await go("Continue", /\/activate\/[^/]+$/, "Create your PIN");
  await page.getByRole("alert").getByRole("link", { name: "The PINs do not match. Enter the same PIN twice" }).waitFor();
  if (checks) await check("set-up-error");
  assert.equal(await page.getByLabel("Create a PIN").inputValue(), "", "a refused PIN is not kept in the page");
  await page.getByLabel("Create a PIN").fill(PIN);
  await page.getByLabel("Enter your PIN again").fill(PIN);
  await page.getByLabel("An authenticator app on my phone or computer").check();
  await go("Continue", /\/activate\/[^/]+\/app$/, "Set up your authenticator app");
  await page.getByRole("img", { name: "QR code to add MESH portal to your authenticator app" }).waitFor();
  await page.getByText("I cannot scan the QR code").click();
  const shownKey = (await page.locator(".app-secret-key code").innerText()).replace(/\s/g, "");
  const key = base32(shownKey);
  if (checks) await check("app");
  await page.getByLabel("Enter the 6-digit code the app shows").fill(totp(key));
  await go("Finish set-up", /\/sign-in\/set-up-complete$/, "Your account is set up");
  if (checks) await check("set-up-complete");
  return { key, shownKey };
}

/** From the login button to the code page, with the PIN given. */
async function emailAndPin(journeyOf, email, pin) {
  const { page, ready, go } = journeyOf;
  await page.goto(`${env.server.url}/sign-in`);
  await ready();
  await page.getByRole("button", { name: "Log in with my Care Identity" }).click();
  await page.getByRole("heading", { level: 1, name: "How do you want to log in?" }).waitFor();
  await ready();
  await go("Continue", /\/sign-in\/pin$/, "Enter your email address and PIN");
  await submitPin(page, email, pin);
}

/** Types email and PIN and sends them, waiting for the service's answer (a page without
 * JavaScript, the server function's with it). */
async function submitPin(page, email, pin) {
  await page.getByLabel("Work email address").fill(email);
  await page.getByLabel("PIN", { exact: true }).fill(pin);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.getByRole("button", { name: "Continue", exact: true }).click(),
  ]);
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
    await emailAndPin(person, email, "918273");
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
      if (attempt === 1) await emailAndPin(person, email, "918273");
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
