// Persons: registering with a checked identity number, the audited full
// number, look-up by number only for lab staff, and a resident whose account
// is not linked yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, login } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';
import { DESKTOP, PHONE, useServerAndBrowser, search, signIn, withPage } from './browser.mjs';

const ctx = useServerAndBrowser();

test('a community worker registers a person; a wrong check digit is caught before sending', async (t) => {
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'community_worker');
    await page.getByTestId('menu-persons').click();
    await page.getByTestId('person-table').waitFor();
    await page.getByTestId('person-register').click();
    const dialog = page.getByTestId('person-dialog');
    await dialog.waitFor();
    const id = newIdNumber('19700707');
    const wrong = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
    let posted = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/persons')) posted++; });
    await page.getByTestId('person-id-number').fill(wrong);
    await page.getByTestId('person-name').fill('周登记');
    await page.getByTestId('person-home').click();
    await page.locator('.el-tree-node__content:visible').filter({ hasText: '银海心悦社区' }).first().click();
    await page.getByTestId('person-save').click();
    await dialog.getByText('身份证号校验位不正确，请核对').waitFor();
    assert.equal(posted, 0);

    await page.getByTestId('person-id-number').fill(id.toLowerCase());
    assert.equal(await page.getByTestId('person-id-number').inputValue(), id.toUpperCase());
    await page.getByTestId('person-save').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(posted, 1);
    // The new person's drawer opens, the number masked.
    const drawer = page.getByTestId('person-drawer');
    await drawer.getByTestId('person-id-shown').waitFor();
    assert.equal((await drawer.getByTestId('person-id-shown').innerText()).trim(), `${id.slice(0, 6)}********${id.slice(14)}`);
    assert.equal(await drawer.getByTestId('person-reveal').count(), 0, 'community workers may not see full numbers');
    await drawer.getByTestId('code-card').waitFor();
    assert.equal(await drawer.getByTestId('code-card').getAttribute('data-color'), 'green');
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
});

test('a commander sees the full number only after a warning, and it is audited', async (t) => {
  const admin = await login(ctx.server.url, 'admin');
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const id = newIdNumber('19660606');
  const person = (await admin.post('/api/v1/persons', { id_number: id, name: '吴审计', division_id: compound.id })).json;
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'commander');
    await page.goto('/persons');
    await search(page, 'person-search', '吴审计', 'person-table');
    await page.getByTestId('person-table').getByTestId('person-open').first().click();
    const drawer = page.getByTestId('person-drawer');
    await drawer.getByTestId('person-reveal').click();
    await page.locator('.el-message-box').getByText('审计日志', { exact: false }).waitFor();
    await page.locator('.el-message-box').getByRole('button', { name: '确认查看' }).click();
    await drawer.getByTestId('person-id-shown').filter({ hasText: id }).waitFor();
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
  const audit = (await admin.get('/api/v1/audit?action=person.reveal_id_number')).json.items;
  assert.ok(audit.some((e) => e.record_id === String(person.id) && e.actor_username === 'commander'));
});

test('lab staff find a person only by the full number, and record a test', async (t) => {
  const admin = await login(ctx.server.url, 'admin');
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const id = newIdNumber('19880808');
  const person = (await admin.post('/api/v1/persons', { id_number: id, name: '郑检测', division_id: compound.id })).json;
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'lab');
    await page.getByTestId('menu-persons').click();
    await page.getByTestId('person-id-search').waitFor();
    assert.equal(await page.getByTestId('person-search').count(), 0, 'no search by name');
    await search(page, 'person-id-search', id, 'person-table');
    const rows = page.getByTestId('person-table').locator('.el-table__body tr');
    assert.equal(await rows.count(), 1);
    await rows.first().getByTestId('person-open').click();
    const drawer = page.getByTestId('person-drawer');
    await drawer.getByTestId('person-test-save').waitFor();
    await drawer.getByTestId('person-test-result').getByText('阴性').click();
    await drawer.getByTestId('person-test-save').click();
    await page.locator('.el-message--success').getByText('核酸检测结果已录入').waitFor();
  }, { viewport: DESKTOP, baseURL: ctx.server.url });
  const code = (await admin.get(`/api/v1/persons/${person.id}/health-code`)).json;
  assert.equal(code.color, 'green', 'a negative test leaves the code green');
});

test('a resident whose account is not linked is told so on /my-code', async (t) => {
  const admin = await login(ctx.server.url, 'admin');
  const compound = (await admin.get('/api/v1/divisions?q=140702002001001&level=compound')).json.items[0];
  const r = await admin.post('/api/v1/users', {
    username: 'new.resident', display_name: '新居民', password: DEMO_PASSWORD, role: 'resident', division_id: compound.id, venue_id: null,
  });
  assert.equal(r.status, 201, r.text);
  await withPage(ctx.browser, t, async (page) => {
    await signIn(page, 'new.resident');
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('menu-myCode').click();
    await page.getByTestId('my-code-not-linked').waitFor();
    assert.match(await page.getByTestId('my-code-not-linked').innerText(), /还没有关联/);
  }, { viewport: PHONE, baseURL: ctx.server.url });
});
