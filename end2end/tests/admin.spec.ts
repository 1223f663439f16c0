import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAccessible, signIn, waitForHydration } from "./support";

async function session(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

test("administrators set company flags and manage users; a disabled user is signed out", async ({ browser }) => {
  const root = await session(browser, "root@fts.test");
  const cleo = await session(browser, "cleo@birch.test");
  const ben = await session(browser, "ben@acme.test");

  await root.getByRole("link", { name: "Administration" }).click();
  await expect(root.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
  await waitForHydration(root);
  await expectAccessible(root);

  // Birch may now cancel: Cleo sees the button.
  await expect(cleo.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
  await root.getByLabel("Customers of Birch Legal may cancel").check();
  await expect(root.getByLabel("Customers of Birch Legal may cancel")).toBeChecked();
  await cleo.reload();
  await expect(cleo.getByRole("button", { name: "Cancel order" }).first()).toBeVisible();

  // A new customer user for Birch.
  await root.getByLabel("E-mail").fill("dana@birch.test");
  await root.getByLabel("Name", { exact: true }).fill("Dana Dell");
  await root.getByLabel("Password (at least 8 characters)").fill("a fine passphrase");
  await root.getByLabel("Group", { exact: true }).selectOption({ label: "Customer user" });
  await root.getByLabel("Company (customers)").selectOption({ label: "Birch Legal" });
  await root.getByRole("button", { name: "Create user" }).click();
  await expect(root.locator('tr[data-email="dana@birch.test"]')).toContainText("Birch Legal");

  // Disabling Ben ends his session at once.
  await root.getByRole("button", { name: "Disable ben@acme.test" }).click();
  await expect(root.getByRole("button", { name: "Enable ben@acme.test" })).toBeVisible();
  await ben.goto("/orders");
  await expect(ben).toHaveURL(/\/login$/);
});

test("administration does not exist for anyone else", async ({ page }) => {
  await signIn(page, "sam@fts.test");
  await expect(page.getByRole("link", { name: "Administration" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("form", { name: "New company" })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to your orders" }).click();
  await expect(page).toHaveURL(/\/orders$/);
});

test("an administrator sets a new password for a user who forgot theirs", async ({ browser }) => {
  const root = await session(browser, "root@fts.test");
  const cleo = await session(browser, "cleo@birch.test");
  await root.goto("/admin");
  await waitForHydration(root);
  const form = root.getByRole("form", { name: "Set the password of cleo@birch.test" });
  const field = form.getByLabel("New password for cleo@birch.test");
  await field.fill("cleo's new passphrase");
  await form.getByRole("button", { name: "Set password" }).click();
  await expect(form.getByRole("status")).toHaveText("Password set.");
  await expect(field).toHaveValue("");
  // Her open session has ended; the new password signs her in.
  await cleo.goto("/orders");
  await expect(cleo).toHaveURL(/\/login$/);
  await waitForHydration(cleo);
  await cleo.getByLabel("E-mail").fill("cleo@birch.test");
  await cleo.getByLabel("Password").fill("cleo's new passphrase");
  await cleo.getByRole("button", { name: "Sign in" }).click();
  await expect(cleo).toHaveURL(/\/orders$/);
});

test("an administrator renames a company and its customers see the new name", async ({ browser }) => {
  const root = await session(browser, "root@fts.test");
  const ava = await session(browser, "ava@acme.test");
  await expect(ava.getByTestId("who")).toContainText("Acme Title");
  await root.goto("/admin");
  await waitForHydration(root);
  const rename = root.getByRole("form", { name: "Rename Acme Title" });
  await rename.getByLabel("Name of Acme Title").fill("Acme Title & Escrow");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(root.getByRole("form", { name: "Rename Acme Title & Escrow" })).toBeVisible();
  // A name another company has is refused.
  const again = root.getByRole("form", { name: "Rename Acme Title & Escrow" });
  await again.getByLabel("Name of Acme Title & Escrow").fill("Birch Legal");
  await again.getByRole("button", { name: "Rename" }).click();
  await expect(root.getByRole("alert").first()).toContainText("Birch Legal");
  await ava.reload();
  await expect(ava.getByTestId("who")).toContainText("Acme Title & Escrow");
});
