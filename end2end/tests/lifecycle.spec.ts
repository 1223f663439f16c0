import { expect, test, type Page } from "@playwright/test";
import { cardNumbers, session, signIn, waitForHydration } from "./support";

const REPORT = Buffer.from("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n");

async function openOrder(page: Page, id: string): Promise<void> {
  await page.goto(`/order/${id}`);
  await waitForHydration(page);
}

async function expectStatus(page: Page, label: string): Promise<void> {
  await expect(page.getByTestId("order-detail").locator("[data-status]").first()).toHaveText(label);
}

test("an order's whole life, staff and customer side by side", async ({ browser }) => {
  const sam = await session(browser, "sam@fts.test");
  const ava = await session(browser, "ava@acme.test");

  // Staff find the submitted order and put it on hold with a reason.
  await sam.getByLabel("Search orders by number or title").fill("ORD-1006");
  await sam.getByRole("link", { name: "ORD-1006", exact: true }).click();
  await expectStatus(sam, "Submitted");
  await waitForHydration(sam);
  const id = sam.url().split("/").pop() ?? "";
  await sam.getByLabel("Reason the customer will read").fill("Please upload the stamped survey.");
  await sam.getByRole("button", { name: "Put on hold" }).click();
  await expectStatus(sam, "On Hold");

  // The customer sees it under On Hold, with the reason and the badge.
  await ava.goto("/orders/on-hold");
  await expect(ava.getByTestId("badge-on-hold")).toHaveText("3");
  await expect.poll(() => cardNumbers(ava)).toContain("ORD-1006");
  await expect(ava.locator('[data-number="ORD-1006"]').getByRole("note")).toHaveText(
    "Please upload the stamped survey.",
  );

  // She uploads the document, explains, and resubmits.
  await openOrder(ava, id);
  await ava.getByLabel("Upload documents").setInputFiles({
    name: "stamped-survey.pdf",
    mimeType: "application/pdf",
    buffer: REPORT,
  });
  await expect(ava.locator(".documents")).toContainText("stamped-survey.pdf");
  await ava.getByLabel("What did you correct?").fill("The stamped survey is attached.");
  await ava.getByRole("button", { name: "Resubmit" }).click();
  await expectStatus(ava, "Resubmitted");

  // Staff are notified and open the order from the notification.
  await sam.goto("/orders/resubmitted");
  await expect.poll(() => cardNumbers(sam)).toContain("ORD-1006");
  await expect(sam.getByTestId("unread")).toBeVisible();
  await sam.getByTestId("bell").click();
  await sam.getByRole("button", { name: "ORD-1006 was resubmitted by Ava Adams." }).click();
  await expect(sam).toHaveURL(new RegExp(`/order/${id}$`));
  await expectStatus(sam, "Resubmitted");
  await waitForHydration(sam);
  await expect(sam.locator(".notes")).toContainText("The stamped survey is attached.");

  // Processing: ordered, allocated, received with a vendor report.
  for (const next of ["Ordered", "Allocated", "Received"]) {
    await sam.getByRole("button", { name: `Mark ${next}` }).click();
    await expectStatus(sam, next);
  }
  await sam.getByLabel("Upload vendor report").setInputFiles({
    name: "ORD-1006 title report.pdf",
    mimeType: "application/pdf",
    buffer: REPORT,
  });
  await expect(sam.locator('.documents li[data-kind="report"]').last()).toContainText("ORD-1006 title report.pdf");

  // The customer downloads the report under its name.
  await openOrder(ava, id);
  await expectStatus(ava, "Received");
  const downloading = ava.waitForEvent("download");
  await ava.getByRole("link", { name: "Download ORD-1006 title report.pdf" }).click();
  expect((await downloading).suggestedFilename()).toBe("ORD-1006 title report.pdf");

  // Staff complete the order; the customer sees it completed.
  await sam.getByRole("button", { name: "Mark Complete" }).click();
  await expectStatus(sam, "Complete");
  await ava.goto("/orders/completed");
  await expect.poll(() => cardNumbers(ava)).toContain("ORD-1006");

  // Ben placed the order: every staff change reached him as a notification.
  const ben = await session(browser, "ben@acme.test");
  await expect(ben.getByTestId("unread")).toHaveText("5");
  await ben.getByTestId("bell").click();
  await expect(ben.getByTestId("notification").first()).toContainText("ORD-1006 is now Complete.");
  await expect(ben.getByTestId("notification").last()).toContainText(
    "ORD-1006 is now On Hold: Please upload the stamped survey.",
  );
});

test("staff move several orders from a list at once", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await page.goto("/orders/resubmitted");
  await waitForHydration(page);
  await expect.poll(() => cardNumbers(page)).toEqual(["ORD-2009", "ORD-1009"]);
  await page.getByLabel("Select ORD-1009").check();
  await page.getByLabel("Select ORD-2009").check();
  await page.getByLabel("Move selected orders to").selectOption({ label: "Ordered" });
  await page.getByRole("button", { name: "Move 2 selected" }).click();
  const results = page.getByTestId("batch-results");
  await expect(results).toContainText("ORD-1009: Ordered.");
  await expect(results).toContainText("ORD-2009: Ordered.");
  await expect(page.getByTestId("empty")).toBeVisible();
  await expect(page.getByTestId("badge-resubmitted")).toHaveText("0");
  // The result links to the batch as it is kept.
  await results.getByRole("link", { name: "View this batch" }).click();
  await expect(page).toHaveURL(/\/batches\/\d+$/);
  await expect(page.getByTestId("batch")).toContainText("2 succeeded, 0 failed.");
  await expect(page.getByTestId("batch-result")).toHaveCount(2);
});
