// Logs into Home Assistant in headless Debian Chromium, opens the iot_ml integration page and the
// demo dashboard, asserts the zone devices and entity cards render, and saves screenshots.
// Usage: node check.mjs <base-url> <screenshot-dir>
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, outDir] = process.argv.slice(2);
const USER = "dev";
const PASSWORD = "iot-ml-dev";
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const failures = [];
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.setDefaultTimeout(60000);

// Text that shadow-DOM-piercing locators can find on the page.
async function expectText(text, what) {
  try {
    await page.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout: 60000 });
    console.log(`ok: ${what}`);
  } catch (err) {
    failures.push(`${what}: "${text}" not visible`);
    console.log(`FAIL: ${what}`);
  }
}

try {
  await page.goto(base + "/");
  await page.locator('input[autocomplete="username"], input[name="username"]').first().fill(USER);
  await page.locator('input[type="password"]').first().fill(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/lovelace|home|dashboard/, { timeout: 60000 }).catch(() => {});
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `${outDir}/01-after-login.png` });

  await page.goto(base + "/config/integrations/integration/iot_ml");
  await expectText("Living room", "zone device Living room on the integration page");
  await expectText("Kitchen", "zone device Kitchen on the integration page");
  await page.screenshot({ path: `${outDir}/02-integration-page.png`, fullPage: true });

  await page.goto(base + "/iot-ml/learning");
  await expectText("Learning status", "learning status card on the dashboard");
  await expectText("Living room", "living room row on the dashboard");
  await expectText("Temperatures", "temperature history card on the dashboard");
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `${outDir}/03-dashboard.png`, fullPage: true });

  await page.goto(base + "/iot-ml/occupancy");
  await expectText("Occupied now", "occupancy glance card");
  await expectText("Occupancy probability", "occupancy probability history card");
  await expectText("Occupancy lighting", "occupancy lighting switches");
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `${outDir}/04-occupancy.png`, fullPage: true });

  await page.goto(base + "/iot-ml/climate");
  await expectText("Heating rate", "heating rate row");
  await expectText("Next pre-heat start", "next pre-heat row");
  await expectText("Smart climate", "smart climate switches");
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `${outDir}/05-climate.png`, fullPage: true });

  await page.goto(base + "/iot-ml/anomalies");
  await expectText("Security alerts", "security alerts switch");
  await expectText("Anomalies now", "anomaly glance card");
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `${outDir}/06-anomalies.png`, fullPage: true });
} catch (err) {
  failures.push(String(err));
  await page.screenshot({ path: `${outDir}/99-error.png` }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.error("Browser checks failed:\n" + failures.join("\n"));
  process.exit(1);
}
console.log(`Browser checks passed; screenshots in ${outDir}`);
