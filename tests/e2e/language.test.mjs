// zh-CN is the default; the header switch changes every label to English and
// back, and the choice survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

const text = async (page, testId) => (await page.getByTestId(testId).innerText()).trim();

test('the language switch changes the menu, survives a reload, and switches back', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'admin');
    assert.equal(await text(page, 'menu-divisions'), '行政区划');
    assert.equal(await text(page, 'menu-audit'), '审计日志');
    assert.equal(await text(page, 'header-role'), '系统管理员');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');

    await page.getByTestId('lang-switch').click();
    await page.getByTestId('menu-divisions').filter({ hasText: 'Divisions' }).waitFor();
    assert.equal(await text(page, 'menu-venues'), 'Venues');
    assert.equal(await text(page, 'menu-audit'), 'Audit log');
    assert.equal(await text(page, 'header-role'), 'Administrator');

    await page.reload();
    await page.getByTestId('menu-home').waitFor();
    assert.equal(await text(page, 'menu-divisions'), 'Divisions');
    assert.equal(await text(page, 'menu-home'), 'Home');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    // Element Plus follows too: the venue table's empty/pagination texts are English.
    await page.getByTestId('menu-venues').click();
    await page.getByTestId('venue-table').waitFor();
    await page.locator('.el-pagination__total').filter({ hasText: /^Total \d+$/ }).waitFor();

    await page.getByTestId('lang-switch').click();
    await page.getByTestId('menu-divisions').filter({ hasText: '行政区划' }).waitFor();
    assert.equal(await text(page, 'menu-venues'), '场所');
    await page.reload();
    await page.getByTestId('menu-home').waitFor();
    assert.equal(await text(page, 'menu-home'), '首页');
  }, { baseURL: ctx.server.url });
});

test('the login page has the switch too, and the choice carries into the app', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await page.goto('/login');
    assert.equal(await text(page, 'product-name'), 'epinet 疫情防控安全网');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('login-submit').filter({ hasText: 'Sign in' }).waitFor();
    await signIn(page, 'resident');
    assert.equal(await text(page, 'menu-home'), 'Home');
    assert.equal(await text(page, 'header-role'), 'Resident');
  }, { baseURL: ctx.server.url });
});
