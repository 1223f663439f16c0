import { expect, type Browser, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const PASSWORD = "demo-password";

/** Signs in through the form and waits for the order list. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orders$/);
}

/** A page of its own browser context (cookies of its own), signed in as
 * `email`, on the server at `baseURL` (the project's, by default). */
export async function session(browser: Browser, email: string, baseURL?: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await signIn(page, email);
  await waitForHydration(page);
  return page;
}

/** The id of an order, as `who` finds it through the API. */
export async function orderId(who: Page, number: string): Promise<number> {
  const response = await who.request.get(`/ordering/api/orders?q=${number}`);
  expect(response.ok()).toBe(true);
  const page = await response.json();
  const order = page.orders.find((order: { number: string }) => order.number === number);
  expect(order, number).toBeTruthy();
  return order.id;
}

/** Marks the page so a test can tell that no reload happened. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = "still here"));
}

export async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("still here");
}

/** Waits until the browser bundle has taken over the server-rendered page. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The orders of the list on the page: its cards, or its table's rows. */
export function listedOrders(page: Page): Locator {
  return page.locator("[data-testid=order-card], [data-testid=order-row]");
}

/** The order numbers of the list on the page (its cards, or its table's
 * rows), as they are now: a list that refetches shows its old orders
 * meanwhile, so read it through `expect.poll`, which reads again until the
 * expectation holds. */
export async function cardNumbers(page: Page): Promise<string[]> {
  await expect(page.locator(".loading")).toHaveCount(0);
  return listedOrders(page).evaluateAll((cards) =>
    cards.map((card) => card.getAttribute("data-number") ?? ""),
  );
}

/** Fails on any accessibility violation axe finds on the page. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`),
  ).toEqual([]);
}
