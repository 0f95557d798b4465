// What people do with their accounts in the browser tests: set up from the emailed link with an
// authenticator app (the test is the app: it reads the key from the page and computes the codes,
// RFC 6238), and log in.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { journey } from "./harness.mjs";

/** The PIN every browser test account sets: long enough not to turn up in a log by chance. */
export const PIN = "90817263";

/** Base32 (RFC 4648, no padding) to bytes. */
export function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[^A-Z2-7]/g, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code for a key, `ahead` steps of 30 seconds after now. */
export function totp(key, ahead = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + ahead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Goes through set-up with an authenticator app; returns the app's key (bytes and as shown). */
export async function setUp(journeyOf, link, checks = true) {
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
export async function emailAndPin(env, journeyOf, email, pin) {
  const { page, ready, go } = journeyOf;
  await page.goto(`${env.server.url}/sign-in`);
  await ready();
  // Without Care Identity there is one way to log in: no choice of method on the way.
  await page.getByRole("button", { name: "Log in with my Care Identity" }).click();
  await page.waitForURL(/\/sign-in\/pin$/);
  await page.getByRole("heading", { level: 1, name: "Enter your email address and PIN" }).waitFor();
  await ready();
  await submitPin(page, email, pin);
}

/** Types email and PIN and sends them, waiting for the service's answer (a page without
 * JavaScript, the server function's with it). */
export async function submitPin(page, email, pin) {
  await page.getByLabel("Work email address").fill(email);
  await page.getByLabel("PIN", { exact: true }).fill(pin);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.getByRole("button", { name: "Continue", exact: true }).click(),
  ]);
}


/** A member of the service desk, set up and logged in on the queue. */
export async function serviceDesk(env, mode, javaScriptEnabled) {
  const email = `desk.${mode}@nhs.net`;
  const created = await env.server.command(["admin", "create-user", "--email", email, "--name", "Dana Desk", "--role", "service_desk"]);
  assert.equal(created.code, 0, created.stderr);
  const link = created.stdout.match(/https?:\/\/\S+\/activate\/[A-Za-z0-9_-]+/)[0];
  const desk = await journey(env, "service-desk", javaScriptEnabled);
  const { key } = await setUp(desk, link.replace(/^https?:\/\/[^/]+/, env.server.url), false);
  await emailAndPin(env, desk, email, PIN);
  await desk.page.getByLabel("Security code").fill(totp(key, 1));
  await desk.go("Log in", /\/service-desk$/, "Service desk");
  return desk;
}

/** The service desk opens an application from the queue and approves it. */
export async function approve(env, desk, reference, step) {
  const { page, check, ready, go } = desk;
  await page.goto(`${env.server.url}/service-desk`);
  await ready();
  await page.getByRole("link", { name: reference }).click();
  await page.getByRole("heading", { level: 1, name: `Application ${reference}` }).waitFor();
  await ready();
  await check(`${step}-application`);
  await page.getByLabel("Approve").check();
  await go("Record decision", new RegExp(`/service-desk/applications/${reference}$`), `Application ${reference}`);
  await page.getByText("Approved", { exact: true }).first().waitFor();
  await check(`${step}-approved`);
}


/** A mailbox user of `mailbox`, set up and logged in on that mailbox's page. */
export async function mailboxUser(env, name, mailbox, javaScriptEnabled) {
  const mode = javaScriptEnabled ? "js" : "no-js";
  const email = `${name}.${mode}@nhs.net`;
  const created = await env.server.command(["admin", "create-user", "--email", email, "--name", `Sam ${name[0].toUpperCase()}${name.slice(1)}`, "--role", "mailbox_user", "--mailbox", mailbox]);
  assert.equal(created.code, 0, created.stderr);
  const link = created.stdout.match(/https?:\/\/\S+\/activate\/[A-Za-z0-9_-]+/)[0];
  const person = await journey(env, name, javaScriptEnabled);
  const { key } = await setUp(person, link.replace(/^https?:\/\/[^/]+/, env.server.url), false);
  await emailAndPin(env, person, email, PIN);
  await person.page.getByLabel("Security code").fill(totp(key, 1));
  await person.go("Log in", new RegExp(`/mailboxes/${mailbox}$`), `Mailbox ${mailbox}`);
  return person;
}
