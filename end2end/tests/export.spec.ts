import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { cardNumbers, signIn, waitForHydration } from "./support";

/** Clicks "Export CSV" and gives the file's name and its rows' order numbers. */
async function exportList(page: Page): Promise<{ name: string; header: string; numbers: string[] }> {
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  const [header, ...rows] = readFileSync(await download.path(), "utf8").trimEnd().split("\n");
  // The number is the first column and never quoted.
  return { name: download.suggestedFilename(), header, numbers: rows.map((row) => row.split(",")[0]) };
}

test("a customer exports the list they see to CSV", async ({ page }) => {
  await signIn(page, "ava@acme.test");
  await page.goto("/orders/on-hold");
  await waitForHydration(page);
  const shown = await cardNumbers(page);
  expect(shown.length).toBeGreaterThan(0);
  const exported = await exportList(page);
  expect(exported.name).toBe("orders-on-hold.csv");
  expect(exported.header).toMatch(/^Number,Title,Company,Product,Status,Placed/);
  expect(exported.numbers).toEqual(shown);
});

test("staff export what their search and sort show", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await waitForHydration(page);
  await page.getByRole("searchbox", { name: "Search orders by number or title" }).fill("ORD-10");
  await expect(page).toHaveURL(/\?q=ORD-10$/);
  await page.getByLabel("Sort").selectOption({ label: "Oldest first" });
  await expect.poll(async () => (await cardNumbers(page))[0]).toMatch(/^ORD-10/);
  const shown = await cardNumbers(page);
  const exported = await exportList(page);
  expect(exported.name).toBe("orders-in-progress.csv");
  // The cards gather each group's orders; the file keeps the list's order.
  expect([...exported.numbers].sort()).toEqual([...shown].sort());
});
