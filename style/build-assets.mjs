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
cpSync(join(dist, "nhsuk-frontend.min.js"), join(out, "nhsuk", "nhsuk-frontend.min.js"));

// The brand fonts come from assets.nhs.uk, which an HSCN-only network may not reach (pages then
// waited seconds for them) and which the fonts' licence keeps us from copying: every page uses
// the design system's own fallback (Arial) instead, and loads nothing from another host.
const css = readFileSync(join(dist, "nhsuk-frontend.min.css"), "utf8");
const remoteFonts = /@font-face\{[^}]*url\(https?:[^}]*\}/g;
if (!remoteFonts.test(css)) {
  throw new Error("nhsuk-frontend's CSS no longer loads fonts from another host: update build-assets.mjs");
}
const local = css.replace(remoteFonts, "");
if (/url\(https?:/.test(local)) {
  throw new Error("nhsuk-frontend's CSS refers to another host: update build-assets.mjs");
}
writeFileSync(join(out, "nhsuk", "nhsuk-frontend.min.css"), local);
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
