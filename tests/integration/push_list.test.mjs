// Pushed lists (核实大数据返回人员信息) as the district and the community
// workers use them: a tricky list lands in the right buckets, each open person
// goes to the worker of their compound, registrations close items, bad files
// are refused row by row with nothing half-imported.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, sql } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';

const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();

/** A valid identity number whose check character is X. */
function idWithX() {
  for (;;) { const id = newIdNumber('19880808'); if (id.endsWith('X')) return id; }
}
/** Sends a file as the raw body. */
async function upload(srv, who, path, body, type = 'text/csv') {
  const r = await fetch(`${srv.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${who.token}`, 'content-type': type }, body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text };
}
const csv = (rows) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const gbk = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });

for (const db of ['sqlite', 'postgres']) {
  describe(`pushed lists on ${db}`, () => {
    let srv, c = {}, yinhai, compounds, users = {};
    const pushList = (rows, { deadline = Date.now() + 3 * DAY, name = '测试名单', type = 'text/csv', body } = {}) =>
      upload(srv, c.commander, `/api/v1/push-lists?community_id=${yinhai.id}&deadline=${iso(deadline)}&name=${encodeURIComponent(name)}`,
        body ?? csv([['姓名', '身份证号', '联系电话', '来源地', '抵达日期'], ...rows]), type);

    before(async () => {
      srv = await startServer({ db, env: { EPINET_JOBS_INTERVAL_S: '1' } });
      for (const r of ['admin', 'commander', 'community_worker', 'grid_worker', 'resident']) c[r] = await login(srv.url, r);
      yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items.find((d) => d.code === '140702002001');
      compounds = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items;
      for (const u of (await c.admin.get('/api/v1/users?page_size=100')).json.items) users[u.username] = u;
    });
    after(async () => { await srv?.stop(); });

    test('a tricky list: duplicates, a lowercase x, phone-only rows, people who moved, people on two lists', async () => {
      const [c0, c1] = compounds; // 银海心悦小区 (community worker), 鑫发小区 (grid_worker)
      const A = idWithX(), B = newIdNumber(), C = newIdNumber(), D = newIdNumber(), E = newIdNumber(), S1 = newIdNumber(), S2 = newIdNumber();
      const roster = await upload(srv, c.community_worker, `/api/v1/communities/${yinhai.id}/roster/import`, csv([
        ['姓名', '身份证号', '联系电话', '小区', '楼栋', '单元', '房号'],
        ['甲小红', A, '13800000001', c0.name, '1号楼', '1单元', '101'],
        ['乙大伟', B, '13800000002', c1.name, '2', '2单元', '202'],
        ['丙晓明', C, '', c0.name, '3号楼', '1单元', '301'],
        ['丁已登', D, '13800000004', c0.name, '', '', ''],
        ['戊搬走', E, '13800000005', c1.name, '1号楼', '1单元', '102'],
        ['己同号', S1, '13800000009', c0.name, '', '', ''],
        ['庚同号', S2, '13800000009', c1.name, '', '', ''],
      ]));
      assert.equal(roster.status, 200, roster.text);
      assert.equal(roster.json.created, 7);
      const personOf = async (id) => (await c.community_worker.get(`/api/v1/persons?id_number=${id}`)).json.items[0];
      const pD = await personOf(D), pE = await personOf(E), pA = await personOf(A);
      // D registered as a returnee before the list; E moved away.
      const reg = await c.community_worker.post('/api/v1/returnees', { person_id: pD.id, origin_code: '140781', transport: 'car', arrived_at: iso(Date.now() - DAY), phone: '13800000004' });
      assert.equal(reg.status, 201, reg.text);
      assert.equal((await c.community_worker.post(`/api/v1/persons/${pE.id}/move-out`, { note: '搬往太原' })).status, 204);

      const F = newIdNumber();
      const r = await pushList([
        ['甲小红', A.slice(0, 17) + 'x', '', '北京市朝阳区', '2021-08-01'], // line 2: id with a lowercase x
        ['乙大伟', '', '138 0000 0002', '上海市', '2021/8/2'],              // line 3: phone only
        ['丙晓明', '', '13999999999', '广州市', ''],                       // line 4: name only (unknown phone)
        ['丁已登', D, '', '太原市', '2021-08-02'],                         // line 5: registered already
        ['戊搬走', E, '', '太原市', ''],                                   // line 6: moved away
        ['辛陌生', F, '', '西安市', ''],                                   // line 7: not in the community
        ['甲小红', A, '13800000001', '北京市朝阳区', ''],                   // line 8: the same person again
        ['某同号', '', '13800000009', '成都市', ''],                        // line 9: a phone two residents share
      ]);
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.json.buckets, { registered: 1, unregistered: 3, unmatched: 3, duplicate: 1 });
      const list = (await c.commander.get(`/api/v1/push-lists/${r.json.list_id}`)).json;
      assert.equal(list.total, 8);
      assert.deepEqual(list.buckets, { registered: 1, unregistered: 3, unmatched: 3, duplicate: 1 });
      assert.equal(list.open, 6);
      assert.equal(list.overdue, 0);
      const items = Object.fromEntries((await c.commander.get(`/api/v1/push-lists/${r.json.list_id}/items?page_size=50`)).json.items.map((i) => [i.line, i]));
      assert.equal(items[2].bucket, 'unregistered'); assert.equal(items[2].matched_by, 'id_number'); assert.equal(items[2].person_id, pA.id);
      assert.equal(items[3].bucket, 'unregistered'); assert.equal(items[3].matched_by, 'phone');
      assert.equal(items[4].bucket, 'unregistered'); assert.equal(items[4].matched_by, 'name');
      assert.equal(items[5].bucket, 'registered'); assert.equal(items[5].status, 'closed');
      assert.equal(items[6].bucket, 'unmatched'); assert.equal(items[6].match_note, 'moved_out');
      assert.equal(items[7].bucket, 'unmatched');
      assert.equal(items[8].bucket, 'duplicate'); assert.equal(items[8].match_note, 'line:2');
      assert.equal(items[9].bucket, 'unmatched'); assert.equal(items[9].match_note, 'ambiguous');
      // Each open person is with the worker of their compound, else the community's worker.
      assert.equal(items[3].assignee_id, users.grid_worker.id, 'a 鑫发小区 resident goes to its grid worker');
      assert.equal(items[6].assignee_id, users.grid_worker.id, 'the one who moved away: their former compound');
      assert.equal(items[2].assignee_id, users.community_worker.id);
      assert.equal(items[7].assignee_id, users.community_worker.id, 'nobody knows them: the community worker');
      // Nothing in clear: the list's identity numbers are hashed and masked.
      assert.equal(sql(srv, `SELECT COUNT(*) FROM push_list_items WHERE id_masked LIKE '%${A.slice(6, 14)}%'`), '0');
      assert.equal(srv.output().includes(A), false);

      // The same people on a second list: whoever is followed up already is a duplicate there.
      const G = newIdNumber();
      const second = await pushList([['甲小红', A, '', '北京市', ''], ['壬新人', G, '', '郑州市', ''], ['丁已登', D, '', '太原市', '']]);
      assert.equal(second.status, 201, second.text);
      assert.deepEqual(second.json.buckets, { registered: 1, unregistered: 0, unmatched: 1, duplicate: 1 });
      const items2 = (await c.commander.get(`/api/v1/push-lists/${second.json.list_id}/items`)).json.items;
      assert.equal(items2.find((i) => i.line === 2).match_note, `list:${r.json.list_id}:2`);

      // The workers' to-do lists.
      const gridTodo = (await c.grid_worker.get('/api/v1/push-todo')).json.items.map((i) => `${i.list_id}:${i.line}`);
      assert.deepEqual(gridTodo.filter((k) => k.startsWith(`${r.json.list_id}:`)).sort(), [`${r.json.list_id}:3`, `${r.json.list_id}:6`]);
      // A grid worker cannot close an item of another compound.
      const foreign = await c.grid_worker.post(`/api/v1/push-lists/${r.json.list_id}/items/2/outcome`, { outcome: 'not_here', reason: '查无此人' });
      assert.equal(foreign.status, 403);
      // "registered" needs a registration; not_here needs a reason.
      const early = await c.community_worker.post(`/api/v1/push-lists/${r.json.list_id}/items/4/outcome`, { outcome: 'registered' });
      assert.equal(early.status, 400); assert.equal(early.json.error.code, 'not_registered');
      const noReason = await c.community_worker.post(`/api/v1/push-lists/${r.json.list_id}/items/7/outcome`, { outcome: 'not_here' });
      assert.equal(noReason.status, 400);
      const notHere = await c.community_worker.post(`/api/v1/push-lists/${r.json.list_id}/items/7/outcome`, { outcome: 'not_here', reason: '非本社区居民，已反馈街道' });
      assert.equal(notHere.status, 200, notHere.text);
      assert.equal(notHere.json.outcome, 'not_here');
      const moved = await c.grid_worker.post(`/api/v1/push-lists/${r.json.list_id}/items/6/outcome`, { outcome: 'moved_away', reason: '已搬往太原' });
      assert.equal(moved.status, 200, moved.text);
      // Registering A closes A's open item (the second list's was closed as a duplicate of it).
      const regA = await c.community_worker.post('/api/v1/returnees', { person_id: pA.id, origin_code: '110105', transport: 'train', transport_no: 'G603', arrived_at: iso(Date.now() - 3600e3), phone: '13800000001' });
      assert.equal(regA.status, 201, regA.text);
      assert.equal(regA.json.closed_list_items, 1);
      const after1 = (await c.commander.get(`/api/v1/push-lists/${r.json.list_id}`)).json;
      assert.equal(after1.open, 3);
      assert.deepEqual(after1.outcomes, { registered: 2, not_here: 1, moved_away: 1, duplicate: 1 });
      const board = (await c.community_worker.get(`/api/v1/communities/${yinhai.id}/push-board?list_id=${r.json.list_id}`)).json;
      assert.equal(board.open, 3);
      assert.equal(board.compounds.find((x) => x.compound_id === c1.id).open, 1, '鑫发小区: only 乙大伟 is left');
      // The result goes back to the district.
      const exp = await fetch(`${srv.url}/api/v1/push-lists/${r.json.list_id}/export?format=csv`, { headers: { authorization: `Bearer ${c.commander.token}` } });
      assert.equal(exp.status, 200);
      const text = await exp.text();
      assert.match(text, /非本社区居民，已反馈街道/);
      assert.equal(text.includes(A), false, 'no identity number in clear in the export');
      assert.equal(text.trim().split('\n').length, 9);
      const audit = (await c.admin.get('/api/v1/audit?action=push_list.upload')).json.items;
      assert.ok(audit.some((e) => e.record_id === String(r.json.list_id)));
    });

    test('bad files are refused row by row and nothing is half-imported', async () => {
      const count = () => sql(srv, 'SELECT COUNT(*) FROM push_lists') + '/' + sql(srv, 'SELECT COUNT(*) FROM push_list_items');
      const before = count();
      const ok = newIdNumber();
      const badDigit = ok.slice(0, 17) + (ok[17] === '1' ? '2' : '1');
      const wrongCols = await pushList(null, { body: csv([['name_x', '证件'], ['张三', ok]]) });
      assert.equal(wrongCols.status, 422, wrongCols.text);
      assert.equal(wrongCols.json.error.rows[0].line, 1);
      assert.match(wrongCols.json.error.rows[0].message, /姓名/);
      const rows = await pushList([['张三', ok, '', '北京', ''], ['', ok, '', '', ''], ['李四', badDigit, '', '', ''], [',', '', '', '', ''],
        ['王五', '', '', '上海', ''], ['赵六', '', '1380000000a', '', ''], ['钱七', ok, '', '', '2021-02-30']]);
      assert.equal(rows.status, 422, rows.text);
      const byLine = Object.fromEntries(rows.json.error.rows.map((e) => [e.line, e.message]));
      assert.deepEqual(Object.keys(byLine).map(Number), [3, 4, 6, 7, 8]);
      assert.match(byLine[4], /check/);
      assert.match(byLine[6], /身份证号|phone/);
      assert.equal(JSON.stringify(rows.json).includes(badDigit), false, 'an error names the row, never the number');
      // GBK, as Excel on a Chinese Windows saves it, with an empty row in the middle.
      const gbkBad = await pushList(null, { body: gbk(csv([['姓名', '身份证号', '联系电话', '来源地', '抵达日期'], ['张三', badDigit, '', '北京', ''], ['', '', '', '', ''], ['李四', ok, '', '上海', '']])) });
      assert.equal(gbkBad.status, 422, gbkBad.text);
      assert.deepEqual(gbkBad.json.error.rows.map((e) => e.line), [2]);
      assert.equal(count(), before, 'nothing written');
      const gbkOk = await pushList(null, { body: gbk(csv([['姓名', '身份证号', '联系电话', '来源地', '抵达日期'], ['张三', ok, '', '北京市', ''], [',,,,'], ['李四', '', '13700000000', '上海市', '']])) });
      assert.equal(gbkOk.status, 201, gbkOk.text);
      assert.equal(gbkOk.json.encoding, 'gb18030');
      assert.equal(gbkOk.json.total, 2);
      const names = (await c.commander.get(`/api/v1/push-lists/${gbkOk.json.list_id}/items`)).json.items.map((i) => i.name);
      assert.deepEqual(names, ['张三', '李四']);
      // The XLSX template, filled in as it comes, is a valid list (one phone-only row).
      const tpl = await fetch(`${srv.url}/api/v1/push-list-template?format=xlsx`, { headers: { authorization: `Bearer ${c.commander.token}` } });
      assert.equal(tpl.status, 200);
      const xlsx = Buffer.from(await tpl.arrayBuffer());
      const x = await pushList(null, { body: xlsx, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
      assert.equal(x.status, 201, x.text);
      assert.equal(x.json.total, 1);
      assert.equal(x.json.encoding, 'xlsx');
      // multipart/form-data, as a browser form sends it.
      const form = new FormData();
      form.append('community_id', String(yinhai.id));
      form.append('deadline', iso(Date.now() + DAY));
      form.append('file', new Blob([csv([['姓名', '联系电话'], ['周八', '13600000000']])], { type: 'text/csv' }), '名单.csv');
      const mp = await fetch(`${srv.url}/api/v1/push-lists`, { method: 'POST', headers: { authorization: `Bearer ${c.commander.token}` }, body: form });
      assert.equal(mp.status, 201, await mp.clone().text());
      const mpList = (await c.commander.get(`/api/v1/push-lists/${(await mp.json()).list_id}`)).json;
      assert.equal(mpList.total, 1);
      assert.equal(mpList.file_name, '名单.csv');
      // Who may push: the district (commander), not a community worker or a resident.
      assert.equal((await upload(srv, c.community_worker, `/api/v1/push-lists?community_id=${yinhai.id}&deadline=${iso(Date.now() + DAY)}`, csv([['姓名', '联系电话'], ['周八', '13600000000']]))).status, 403);
      const past = await pushList([['张三', ok, '', '', '']], { deadline: Date.now() - 1000 });
      assert.equal(past.status, 400);
    });

    test('an item past its deadline is overdue and on the worker\'s to-do, marked', async () => {
      const id = newIdNumber();
      const r = await pushList([['逾期人', id, '', '北京', '']], { deadline: Date.now() + 1500 });
      assert.equal(r.status, 201, r.text);
      assert.equal((await c.commander.get(`/api/v1/push-lists/${r.json.list_id}`)).json.overdue, 0);
      await new Promise((res) => setTimeout(res, 1800));
      assert.equal((await c.commander.get(`/api/v1/push-lists/${r.json.list_id}`)).json.overdue, 1);
      const todo = (await c.community_worker.get('/api/v1/push-todo?page_size=200')).json.items.find((i) => i.list_id === r.json.list_id);
      assert.equal(todo.overdue, true);
      const overdueOnly = (await c.commander.get(`/api/v1/push-lists/${r.json.list_id}/items?overdue=true`)).json;
      assert.equal(overdueOnly.total, 1);
      // The jobs thread puts a reminder on it (once a day), audited.
      let reminded = null;
      for (let i = 0; i < 50 && !reminded; i++) {
        reminded = (await c.commander.get(`/api/v1/push-lists/${r.json.list_id}/items`)).json.items[0].reminded_at;
        if (!reminded) await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(reminded, 'reminded by the jobs thread');
      assert.ok((await c.admin.get('/api/v1/audit?action=push_list.remind')).json.items.length >= 1);
    });
  });
}
