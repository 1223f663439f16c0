import { expect, test, type Page } from "@playwright/test";
import { cardNumbers, expectNoReload, markPage, orderId, session, waitForHydration } from "./support";

function status(page: Page) {
  return page.getByTestId("order-detail").locator("[data-status]").first();
}

test("other people's changes appear in lists, badges, the order and the bell without a reload", async ({
  browser,
}) => {
  const sam = await session(browser, "sam@fts.test");
  const ava = await session(browser, "ava@acme.test");
  const ben = await session(browser, "ben@acme.test");
  const id = await orderId(sam, "ORD-1006");

  await ava.goto("/orders/on-hold");
  await waitForHydration(ava);
  await expect.poll(() => cardNumbers(ava)).not.toContain("ORD-1006");
  const onHold = Number(await ava.getByTestId("badge-on-hold").textContent());
  await markPage(ava);
  await expect(ben.getByTestId("unread")).toHaveCount(0);
  await markPage(ben);

  // Staff put Ben's order on hold, elsewhere.
  const held = await sam.request.post(`/ordering/api/orders/${id}/transition`, {
    data: { to: "on_hold", reason: "The survey stamp is illegible." },
  });
  expect(held.ok()).toBe(true);

  // Ava's list and badge follow; Ben's bell rings.
  await expect.poll(() => cardNumbers(ava)).toContain("ORD-1006");
  await expect(ava.getByTestId("badge-on-hold")).toHaveText(String(onHold + 1));
  await expect(ben.getByTestId("unread")).toHaveText("1");
  await expectNoReload(ava);
  await expectNoReload(ben);

  // The order page follows notes and status changes, timeline included.
  await ava.goto(`/order/${id}`);
  await waitForHydration(ava);
  await markPage(ava);
  await expect(status(ava)).toHaveText("On Hold");
  const noted = await sam.request.post(`/ordering/api/orders/${id}/notes`, {
    data: { body: "We called the county about the stamp." },
  });
  expect(noted.ok()).toBe(true);
  await expect(ava.locator(".notes")).toContainText("We called the county about the stamp.");
  // Ben, who placed it, resubmits it from his own session.
  const resubmitted = await ben.request.post(`/order/${id}/submit-for-processing`, {
    data: { note: "The stamped survey is attached now." },
  });
  expect(resubmitted.ok()).toBe(true);
  await expect(status(ava)).toHaveText("Resubmitted");
  await expect(ava.locator(".notes")).toContainText("The stamped survey is attached now.");
  await expect(ava.getByTestId("hold-reason")).toHaveCount(0);
  await expectNoReload(ava);
});

test("an open dialog says that its order changed, and does not act on the old status", async ({ browser }) => {
  const ava = await session(browser, "ava@acme.test");
  const ben = await session(browser, "ben@acme.test");
  const id = await orderId(ava, "ORD-1002");
  await ava.goto(`/order/${id}`);
  await waitForHydration(ava);
  await expect(status(ava)).toHaveText("Pending");

  await ava.getByRole("button", { name: "Cancel order" }).click();
  const dialog = ava.getByRole("dialog", { name: "Cancel ORD-1002?" });
  await expect(dialog).toBeVisible();

  // Meanwhile Ben submits the order he placed.
  const submitted = await ben.request.post(`/order/${id}/submit-for-processing`, { data: {} });
  expect(submitted.ok()).toBe(true);

  await expect(dialog.getByTestId("changed-meanwhile")).toHaveText(
    "ORD-1002 changed while this was open: it is now Submitted. Close this and look again.",
  );
  await expect(dialog.getByRole("button", { name: "Yes, cancel order" })).toBeDisabled();
  // The page behind waited for the dialog; closed, it shows the order as it is.
  await expect(status(ava)).toHaveText("Pending");
  await dialog.getByRole("button", { name: "Keep order" }).click();
  await expect(status(ava)).toHaveText("Submitted");
  await expect(ava.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
});
