// An operator running the binary: help, and a clear refusal of bad configuration.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runBinary } from "./harness.mjs";

test("--help lists the commands", async () => {
  const { code, stdout } = await runBinary(["--help"]);

  assert.equal(code, 0);
  for (const command of ["serve", "migrate", "seed"]) {
    assert.match(stdout, new RegExp(`^\\s+${command}\\s`, "m"));
  }
});

test("a bad value stops start-up with a message naming the variable", async () => {
  const { code, stderr } = await runBinary(["serve"], { MESH_PORTAL_LISTEN_ADDR: "not-an-address" });

  assert.equal(code, 2);
  assert.match(stderr, /configuration error: MESH_PORTAL_LISTEN_ADDR: ‘not-an-address’ is not an address and port/);
});

test("migrate and seed run on their own and report what they did", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "warn" };

  const migrate = await runBinary(["migrate"], env);
  const seed = await runBinary(["seed"], env);
  const again = await runBinary(["seed"], env);

  assert.equal(migrate.code, 0);
  assert.match(migrate.stdout, /Database is up to date/);
  assert.equal(seed.code, 0);
  assert.match(seed.stdout, /\d+ added, 0 updated, 0 unchanged/);
  assert.match(again.stdout, /0 added, 0 updated, \d+ unchanged/);
  rmSync(data, { recursive: true, force: true });
});

test("add-mailbox registers a mailbox and refuses one it cannot use", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "warn" };

  const added = await runBinary(["add-mailbox", "x26hc005", "--ods-code", "X26", "--environment", "integration"], env);
  const again = await runBinary(["add-mailbox", "X26HC005", "--ods-code", "X26", "--environment", "integration"], env);
  const unknown = await runBinary(["add-mailbox", "ZZ9HC001", "--ods-code", "ZZ9", "--environment", "live"], env);
  const registered = await runBinary(
    ["add-mailbox", "X26HC006", "--ods-code", "X26", "--environment", "integration", "--workflow", "PATH_MEDRPT_V3:send", "--workflow", "AMB_FALLS_REFERRAL"],
    env,
  );
  const badWorkflow = await runBinary(
    ["add-mailbox", "X26HC007", "--ods-code", "X26", "--environment", "integration", "--workflow", "NOT_IN_THE_CATALOGUE"],
    env,
  );

  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Mailbox X26HC005 added/);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /the mailbox X26HC005 already exists/);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /no organisation with the ODS code ZZ9 is on the list/);
  assert.equal(registered.code, 0, registered.stderr);
  assert.notEqual(badWorkflow.code, 0);
  assert.match(badWorkflow.stderr, /NOT_IN_THE_CATALOGUE is not an active workflow of the catalogue/);
  const afterBad = await runBinary(["add-mailbox", "X26HC007", "--ods-code", "X26", "--environment", "integration"], env);
  assert.equal(afterBad.code, 0, "nothing of the refused one was stored");
  rmSync(data, { recursive: true, force: true });
});

test("admin create-user creates an account and prints its one-time set-up link", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "warn", MESH_PORTAL_BASE_URL: "https://mesh.example.nhs.uk" };
  const args = ["admin", "create-user", "--email", "Desk.Lead@NHS.net", "--name", "Desk Lead", "--role", "admin"];

  const created = await runBinary(args, env);
  const again = await runBinary(args, env);
  const badRole = await runBinary(["admin", "create-user", "--email", "x@nhs.net", "--name", "X", "--role", "root"], env);

  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Account created for desk\.lead@nhs\.net/);
  assert.match(created.stdout, /^https:\/\/mesh\.example\.nhs\.uk\/activate\/[A-Za-z0-9_-]{43}$/m);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /an account with the email address desk\.lead@nhs\.net already exists/);
  assert.notEqual(badRole.code, 0);
  assert.match(badRole.stderr, /the role must be mailbox_user, service_desk or admin, not "root"/);
  rmSync(data, { recursive: true, force: true });
});

test("the demo admin of `make run` is created only while there is no account", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "warn" };
  const args = ["admin", "create-user", "--if-no-accounts", "--email", "demo.admin@nhs.net", "--name", "Demo Admin", "--role", "admin"];

  const first = await runBinary(args, env);
  const second = await runBinary(args, env);

  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^http:\/\/127\.0\.0\.1:3000\/activate\/[A-Za-z0-9_-]{43}$/m);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Accounts exist already: no account created/);
  assert.doesNotMatch(second.stdout, /activate/);
  rmSync(data, { recursive: true, force: true });
});

test("a command's answer is on standard output, its log on standard error, without colour codes", async () => {
  const data = mkdtempSync(join(tmpdir(), "mesh-portal-cli-"));
  // At info, the start-up steps log (a new key file, migrations) while the command runs.
  const env = { MESH_PORTAL_DATA_DIR: data, MESH_PORTAL_LOG: "info" };

  const created = await runBinary(
    ["admin", "create-user", "--email", "ola.operator@nhs.net", "--name", "Ola Operator", "--role", "admin"],
    env,
  );

  assert.equal(created.code, 0, created.stderr);
  const answer = created.stdout.trim().split("\n");
  assert.match(answer[0], /^Account created for ola\.operator@nhs\.net\./);
  assert.match(answer[1], /^http:\/\/\S+\/activate\/[A-Za-z0-9_-]+$/);
  assert.equal(answer.length, 2, `only the answer on standard output: ${created.stdout}`);
  assert.match(created.stderr, /INFO/, "the log is on standard error");
  assert.doesNotMatch(created.stderr, /\x1b\[/, "no colour codes when standard error is not a terminal");
  rmSync(data, { recursive: true, force: true });
});
