// Copies the NHS.UK frontend from node_modules into style/public/, which `make build`
// copies into the site root. Nothing from the package is committed to the repository.
//
//   style/public/nhsuk/nhsuk-frontend.min.{css,js}   the design system's styles and scripts
//   style/public/assets/                             its images and manifest (the CSS refers to
//                                                    /assets/images/...)
//   style/public/nhsuk/nhs-logo.svg                  the NHS logo, taken from the header template
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const out = join(here, "public");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "nhsuk"), { recursive: true });
for (const file of ["nhsuk-frontend.min.css", "nhsuk-frontend.min.js"]) {
  cpSync(join(dist, file), join(out, "nhsuk", file));
}
cpSync(join(dist, "assets"), join(out, "assets"), { recursive: true });

// The header template draws the logo inline with `currentcolor`; as an image file it needs its
// colour spelled out (white on the blue header).
const template = readFileSync(join(dist, "components", "header", "template.njk"), "utf8");
const svg = template.match(/<svg class="nhsuk-header__logo"[\s\S]*?<\/svg>/);
if (!svg) {
  throw new Error("nhsuk-frontend's header template no longer has the logo SVG: update build-assets.mjs");
}
const logo = svg[0]
  .replace(/\{\{[^}]*\}\}/g, "NHS")
  .replace(/currentcolor/g, "#fff")
  .replace(' class="nhsuk-header__logo"', "");
writeFileSync(join(out, "nhsuk", "nhs-logo.svg"), logo + "\n");
console.log(`NHS.UK frontend copied into ${out}`);
