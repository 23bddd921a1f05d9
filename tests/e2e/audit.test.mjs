// Audit log (admin): newest first, filtered by actor and action, with details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, search, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

test('an admin filters the audit log by actor and by action', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.getByTestId('logout').click();
    await signIn(page, 'admin');
    await page.getByTestId('menu-audit').click();
    const rows = page.getByTestId('audit-table').locator('.el-table__body tr');
    await rows.filter({ hasText: 'demo.seed' }).waitFor();

    await search(page, 'audit-actor', 'commander', 'audit-table');
    const actions = await rows.locator('td:nth-child(3)').allInnerTexts();
    assert.deepEqual(actions, ['auth.logout', 'auth.login'], 'newest first, only the commander');

    await page.getByTestId('audit-actor').fill('');
    await search(page, 'audit-action', 'demo.seed', 'audit-table');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /"venues":\d+/);
  }, { baseURL: ctx.server.url });
});
