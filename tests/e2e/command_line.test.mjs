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

  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Mailbox X26HC005 added/);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /the mailbox X26HC005 already exists/);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /no organisation with the ODS code ZZ9 is on the list/);
  rmSync(data, { recursive: true, force: true });
});
