// The screenshots of docs/screenshots (scripts/screenshots runs this).
import { chromium } from "@playwright/test";

const { BASE, OUT, CHROMIUM } = process.env;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });

async function signedIn(email, options) {
  const context = await browser.newContext({ baseURL: BASE, timezoneId: "UTC", locale: "en-US", ...options });
  const page = await context.newPage();
  await page.goto("/login");
  await page.locator("body[data-hydrated=true]").waitFor();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/orders$/);
  return page;
}

async function shoot(page, path, name, fullPage = true) {
  await page.goto(path);
  await page.locator("body[data-hydrated=true]").waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage });
}

const staff = await signedIn("sam@fts.test", { viewport: { width: 1440, height: 900 } });
await shoot(staff, "/orders?sort=urgency", "staff-table-by-urgency");
await shoot(staff, "/dashboard", "dashboard");
const phone = await signedIn("ava@acme.test", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
await shoot(phone, "/orders", "phone-orders", false);
await browser.close();
