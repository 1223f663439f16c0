import { expect, test } from "@playwright/test";
import { expectAccessible, session, signIn, waitForHydration } from "./support";

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

  // A new customer user for Birch, on the users page.
  await root.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Users" }).click();
  await expect(root).toHaveURL(/\/admin\/users$/);
  await expectAccessible(root);
  const newUser = root.getByRole("form", { name: "New user" });
  await newUser.getByLabel("E-mail").fill("dana@birch.test");
  await newUser.getByLabel("Name", { exact: true }).fill("Dana Dell");
  await newUser.getByLabel("Password (at least 8 characters)").fill("a fine passphrase");
  await newUser.getByLabel("Group", { exact: true }).selectOption({ label: "Customer user" });
  await newUser.getByLabel("Company (customers)").fill("Birch Legal");
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
  for (const path of ["/admin/users", "/admin/companies/1"]) {
    expect((await page.goto(path))?.status(), path).toBe(404);
  }
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
  await root.goto("/admin/users");
  await waitForHydration(root);
  await root.getByRole("button", { name: "Change the password of cleo@birch.test" }).click();
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

test("an administrator finds a user by part of their e-mail, disables them and sees the list update", async ({ browser }) => {
  const root = await session(browser, "root@fts.test");
  await root.goto("/admin/users");
  await waitForHydration(root);
  const rows = root.locator("tbody tr");
  const cleo = root.locator('tr[data-email="cleo@birch.test"]');
  await expect(cleo).toBeVisible();

  const search = root.getByLabel("Search users by name or e-mail");
  await search.fill("cl");
  await expect(root.getByRole("status").filter({ hasText: "Type at least 3 characters" })).toBeVisible();
  await search.fill("EO@BIR");
  await expect(root).toHaveURL(/\/admin\/users\?q=EO%40BIR$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-email", "cleo@birch.test");

  await root.getByRole("button", { name: "Disable cleo@birch.test" }).click();
  await expect(root.getByRole("button", { name: "Enable cleo@birch.test" })).toBeVisible();
  await expect(cleo).toHaveClass(/disabled/);

  // Only disabled users: the filter is in the URL, and a reload shows the
  // same list.
  await search.fill("");
  await expect(root).toHaveURL(/\/admin\/users$/);
  await root.getByLabel("Access").selectOption({ label: "Disabled" });
  await expect(root).toHaveURL(/\/admin\/users\?disabled=true$/);
  await expect(cleo).toBeVisible();
  await expect(root.locator("tbody tr:not(.disabled)")).toHaveCount(0);
  await root.reload();
  await waitForHydration(root);
  await expect(cleo).toHaveClass(/disabled/);
  await expect(root.getByLabel("Access")).toHaveValue("true");

  // Cleo's company page: its users and its orders per view.
  await cleo.getByRole("link", { name: "Birch Legal" }).click();
  await expect(root.getByRole("heading", { name: "Birch Legal", level: 2 })).toBeVisible();
  await expect(root.getByTestId("orders-in-progress")).not.toHaveText("0");
  await expect(root.locator('tr[data-email="cleo@birch.test"]')).toBeVisible();
  await expectAccessible(root);
});
