// `npm run web-types`: writes web/src/api.gen.ts, the web UI's types of the API, from the OpenAPI
// document of the routes' zod schemas. `--check` only says whether the file is up to date (exit 1).
import { readFile, writeFile } from "node:fs/promises";
import { generatedWebTypes, WEB_TYPES_FILE } from "../src/server/api-document.ts";

const text = await generatedWebTypes();
if (process.argv.includes("--check")) {
  const now = await readFile(WEB_TYPES_FILE, "utf8").catch(() => "");
  if (now !== text) {
    console.error(`${WEB_TYPES_FILE} is out of date: run npm run web-types`);
    process.exit(1);
  }
  console.log(`${WEB_TYPES_FILE} is up to date`);
} else {
  await writeFile(WEB_TYPES_FILE, text);
  console.log(`wrote ${WEB_TYPES_FILE}`);
}
