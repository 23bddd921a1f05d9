// Users (admin): create a venue-bound account through the dialog, sign in with
// it, reset its password, disable it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, menuItems, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

const row = (page, username) => page.getByTestId('user-table').locator('.el-table__body tr').filter({ hasText: username });

test('an admin creates a clinician at the hospital, who can then sign in; reset and disable work', async (t) => {
  await withPage(ctx.browser, t, async (admin) => {
    await signIn(admin, 'admin');
    await admin.getByTestId('menu-users').click();
    await admin.getByTestId('user-create').click();
    await admin.getByTestId('user-username').fill('nurse_li');
    await admin.getByTestId('user-display-name').fill('李护士');
    await admin.getByTestId('user-password').fill('first-Passw0rd');
    await admin.getByTestId('user-role').click();
    await admin.getByTestId('user-role-clinician').click();
    // A clinician is bound to a venue: the venue picker replaces the division picker.
    assert.equal(await admin.getByTestId('user-division').count(), 0);
    await admin.getByTestId('user-venue').click();
    await admin.getByTestId('user-venue').locator('input').fill('第一人民医院');
    await admin.locator('.el-select-dropdown__item:visible').filter({ hasText: '晋中市第一人民医院' }).click();
    await admin.getByTestId('user-save').click();
    await admin.getByTestId('user-dialog').waitFor({ state: 'hidden' });
    await row(admin, 'nurse_li').waitFor();
    assert.match((await row(admin, 'nurse_li').innerText()).replace(/\s+/g, ' '), /李护士 医护人员 晋中市第一人民医院 启用/);

    await withPage(ctx.browser, t, async (nurse) => {
      await signIn(nurse, 'nurse_li', 'first-Passw0rd');
      assert.deepEqual(await menuItems(nurse), ['menu-home', 'menu-checkpoint', 'menu-venueToday', 'menu-persons', 'menu-riskAreas', 'menu-divisions', 'menu-venues', 'menu-warningImport']);
      assert.equal((await nurse.getByTestId('header-jurisdiction').innerText()).trim(), '晋中市第一人民医院');
    }, { baseURL: ctx.server.url });

    await row(admin, 'nurse_li').getByTestId('user-reset-password').click();
    await admin.locator('.el-message-box input').fill('second-Passw0rd');
    await admin.locator('.el-message-box').getByRole('button', { name: '保存' }).click();
    await admin.locator('.el-message--success').waitFor();
    await withPage(ctx.browser, t, async (nurse) => {
      await signIn(nurse, 'nurse_li', 'second-Passw0rd');
    }, { baseURL: ctx.server.url });

    await row(admin, 'nurse_li').getByTestId('user-toggle-disabled').click();
    await admin.locator('.el-message-box').getByRole('button', { name: '停用' }).click();
    await row(admin, 'nurse_li').filter({ hasText: '停用' }).getByTestId('user-toggle-disabled').filter({ hasText: '启用' }).waitFor();

    await withPage(ctx.browser, t, async (nurse) => {
      await nurse.goto('/login');
      await nurse.getByTestId('login-username').fill('nurse_li');
      await nurse.getByTestId('login-password').fill('second-Passw0rd');
      await nurse.getByTestId('login-submit').click();
      await nurse.getByTestId('login-error').waitFor();
    }, { baseURL: ctx.server.url });
  }, { baseURL: ctx.server.url });
});
