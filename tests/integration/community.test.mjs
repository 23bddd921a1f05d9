// The community's roster, returnee registration and disinfection log as the
// community workers and residents use them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, login, sql } from '../lib/harness.mjs';
import { newIdNumber } from '../lib/codes.mjs';

const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();
const csv = (rows) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const gbk = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
async function raw(srv, who, method, path, body, type) {
  const headers = { authorization: `Bearer ${who.token}` };
  if (type) headers['content-type'] = type;
  const r = await fetch(`${srv.url}${path}`, { method, headers, body });
  const buf = Buffer.from(await r.arrayBuffer());
  let json = null;
  try { json = JSON.parse(buf.toString('utf8')); } catch { /* not JSON */ }
  return { status: r.status, json, buf, text: buf.toString('utf8'), type: r.headers.get('content-type') };
}

for (const db of ['sqlite', 'postgres']) {
  describe(`communities on ${db}`, () => {
    let srv, c = {}, yinhai, compounds;
    const buildings = async (compound) => (await c.admin.get(`/api/v1/divisions?parent_id=${compound.id}`)).json.items;
    const findNode = (node, pred) => {
      if (pred(node)) return node;
      for (const ch of node.children) { const f = findNode(ch, pred); if (f) return f; }
      return null;
    };
    before(async () => {
      srv = await startServer({ db });
      for (const r of ['admin', 'commander', 'community_worker', 'grid_worker', 'resident']) c[r] = await login(srv.url, r);
      yinhai = (await c.admin.get('/api/v1/divisions?q=140702002001')).json.items.find((d) => d.code === '140702002001');
      compounds = (await c.admin.get(`/api/v1/divisions?parent_id=${yinhai.id}&page_size=20`)).json.items;
    });
    after(async () => { await srv?.stop(); });

    test('the roster: template, import (GBK too), compound › building › unit › room, moves with history, export', async () => {
      const tpl = await raw(srv, c.community_worker, 'GET', '/api/v1/roster/template?format=csv');
      assert.equal(tpl.status, 200);
      assert.equal(tpl.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0], '姓名,身份证号,联系电话,小区,楼栋,单元,房号,备注');
      const comp = compounds[2];
      const [b1, b2] = await buildings(comp);
      const P = [newIdNumber(), newIdNumber(), newIdNumber()];
      const file = gbk(csv([['姓名', '身份证号', '联系电话', '小区', '楼栋', '单元', '房号', '备注'],
        ['赵一', P[0], '13911110001', comp.name, b1.name, '1单元', '101', ''],
        ['赵二', P[1].toLowerCase(), '13911110002', comp.name.replace('小区', ''), '1', '1单元', '101', '赵一之妻'],
        ['钱三', P[2], '', comp.name, b1.name, '1单元', '102', '']]));
      const imp = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, file, 'text/csv');
      assert.equal(imp.status, 200, imp.text);
      assert.deepEqual(imp.json, { created: 3, moved: 0, unchanged: 0, encoding: 'gb18030' });
      const tree = (await c.community_worker.get(`/api/v1/communities/${yinhai.id}/roster-tree`)).json;
      const room101 = findNode(tree, (n) => n.level === 'room' && n.room === '101' && n.division_id === b1.id);
      assert.equal(room101.residents, 2);
      const compNode = findNode(tree, (n) => n.division_id === comp.id && n.level === 'compound');
      assert.ok(compNode.residents >= 3);
      const inRoom = (await c.community_worker.get(`/api/v1/roster?division_id=${b1.id}&unit=${encodeURIComponent('1单元')}&room=101`)).json;
      assert.deepEqual(inRoom.items.map((x) => x.name).sort(), ['赵一', '赵二']);
      const [p0, p1] = inRoom.items.sort((a, b) => a.name.localeCompare(b.name));
      const h0 = (await c.community_worker.get(`/api/v1/persons/${p0.person_id}`)).json.household_id;
      assert.equal((await c.community_worker.get(`/api/v1/persons/${p1.person_id}`)).json.household_id, h0, 'one room, one household');
      // The same file again changes nothing; a new room is a move, with history.
      const again = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, file, 'text/csv');
      assert.deepEqual(again.json, { created: 0, moved: 0, unchanged: 3, encoding: 'gb18030' });
      const move = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`,
        csv([['name', 'id_number', 'phone', 'compound', 'building', 'unit', 'room'], ['钱三', P[2], '', comp.name, b2.name, '2单元', '201']]), 'text/csv');
      assert.deepEqual(move.json, { created: 0, moved: 1, unchanged: 0, encoding: 'utf-8' });
      const qian = (await c.community_worker.get(`/api/v1/persons?id_number=${P[2]}`)).json.items[0];
      assert.equal(qian.division_id, b2.id);
      let hist = (await c.community_worker.get(`/api/v1/persons/${qian.id}/residences`)).json.items;
      assert.equal(hist.length, 2);
      assert.equal(hist[0].room, '201'); assert.equal(hist[0].moved_out_at, null);
      assert.equal(hist[1].room, '102'); assert.ok(hist[1].moved_out_at);
      // Moving out keeps the history and takes them off the current roster.
      assert.equal((await c.community_worker.post(`/api/v1/persons/${qian.id}/move-out`, { note: '搬往太原市' })).status, 204);
      assert.equal((await c.community_worker.post(`/api/v1/persons/${qian.id}/move-out`, { note: 'again' })).status, 409);
      const current = (await c.community_worker.get(`/api/v1/roster?division_id=${comp.id}&q=${encodeURIComponent('钱三')}`)).json;
      assert.equal(current.total, 0);
      const gone = (await c.community_worker.get(`/api/v1/roster?division_id=${comp.id}&moved_out=true`)).json.items;
      assert.ok(gone.some((x) => x.person_id === qian.id && x.moved_out_at));
      const back = await c.community_worker.post(`/api/v1/persons/${qian.id}/move-in`, { division_id: compounds[3].id, unit: '', room: '5' });
      assert.equal(back.status, 201, back.text);
      hist = (await c.community_worker.get(`/api/v1/persons/${qian.id}/residences`)).json.items;
      assert.equal(hist.length, 3);
      // Export: the template's columns, identity numbers masked.
      const exp = await raw(srv, c.community_worker, 'GET', `/api/v1/roster?division_id=${comp.id}&format=csv`);
      assert.equal(exp.status, 200);
      assert.match(exp.text, /赵一/);
      assert.equal(exp.text.includes(P[0]), false);
      const x = await raw(srv, c.community_worker, 'GET', `/api/v1/roster?division_id=${comp.id}&format=xlsx`);
      assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
      // Someone else's community is out of reach.
      assert.equal((await c.grid_worker.get(`/api/v1/roster?division_id=${comp.id}`)).status, 403);
      assert.ok((await c.admin.get('/api/v1/audit?action=roster.import')).json.items.length >= 3);
    });

    test('a bad roster is refused row by row, nothing imported', async () => {
      const before = sql(srv, 'SELECT COUNT(*) FROM persons') + '/' + sql(srv, 'SELECT COUNT(*) FROM residences');
      const ok = newIdNumber(), ok2 = newIdNumber();
      const bad = ok.slice(0, 17) + (ok[17] === '3' ? '4' : '3');
      const r = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, csv([
        ['姓名', '身份证号', '联系电话', '小区', '楼栋', '单元', '房号'],
        ['好人', ok, '', compounds[0].name, '', '', ''],
        ['坏号', bad, '', compounds[0].name, '', '', ''],
        ['重复', ok, '', compounds[0].name, '', '', ''],
        ['无小区', ok2, '', '不存在小区', '', '', ''],
      ]), 'text/csv');
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.json.error.rows.map((e) => e.line), [3, 4]);
      assert.match(r.json.error.rows[1].message, /line 2/);
      const r2 = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, csv([
        ['姓名', '身份证号', '小区', '楼栋'], ['好人', ok, compounds[0].name, '99号楼'], ['好人二', ok2, '不存在小区', '']]), 'text/csv');
      assert.equal(r2.status, 422, r2.text);
      assert.deepEqual(r2.json.error.rows.map((e) => e.line), [2, 3]);
      const missing = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, csv([['姓名', '联系电话'], ['好人', '139']]), 'text/csv');
      assert.equal(missing.status, 422);
      assert.match(missing.json.error.rows[0].message, /身份证号/);
      const tpl = await raw(srv, c.community_worker, 'GET', '/api/v1/roster/template?format=xlsx');
      const x = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, tpl.buf, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(x.status, 422, 'the template as it comes has no identity number');
      assert.deepEqual(x.json.error.rows.map((e) => e.line), [2]);
      const junk = await raw(srv, c.community_worker, 'POST', `/api/v1/communities/${yinhai.id}/roster/import`, 'hello', 'application/json');
      assert.equal(junk.status, 400);
      assert.equal(sql(srv, 'SELECT COUNT(*) FROM persons') + '/' + sql(srv, 'SELECT COUNT(*) FROM residences'), before);
    });

    test('returnee registration computes the measure and schedule from the origin\'s risk areas at arrival', async () => {
      const areas = (await c.admin.get('/api/v1/risk-areas')).json.items;
      const medium = areas.find((a) => a.division_code === '110105' && a.level === 'medium');
      const high = await c.admin.post('/api/v1/risk-areas', { division_code: '110105', division_name: '北京市朝阳区', area_name: '某高风险小区', level: 'high', effective_from: iso(Date.now() - 3 * DAY) });
      assert.equal(high.status, 201, high.text);
      const person = async () => (await c.community_worker.post('/api/v1/persons', { id_number: newIdNumber(), name: '返乡人', division_id: compounds[0].id })).json;
      const arrived = Date.now() - 2 * 3600e3;
      const register = async (body) => c.community_worker.post('/api/v1/returnees', { transport: 'train', transport_no: 'G91', arrived_at: iso(arrived), phone: '13700000001', ...body });
      const pHigh = await person();
      const h = await register({ person_id: pHigh.id, origin_code: '110105', risk_area_id: high.json.id, tests: [{ sampled_at: iso(arrived - DAY), result: 'negative' }] });
      assert.equal(h.status, 201, h.text);
      assert.equal(h.json.measure.measure, 'high_risk_arrival');
      assert.equal(h.json.measure.place, 'centralized');
      assert.deepEqual(h.json.measure.tests.map((t) => t.day), [1, 2, 3, 5, 7]);
      assert.equal(h.json.travel_flag, true);
      assert.ok(h.json.managed_case_id, 'enrolled under management');
      assert.equal(h.json.origin_name, '北京市朝阳区');
      const code = (await c.community_worker.get(`/api/v1/persons/${pHigh.id}/health-code`)).json;
      assert.equal(code.travel.flagged, true);
      assert.notEqual(code.color, 'green');
      const travel = (await c.community_worker.get(`/api/v1/persons/${pHigh.id}/travel`)).json.items;
      assert.ok(travel.some((s) => s.division_code === '110105' && s.source === 'returnee'));
      const m = await register({ person_id: (await person()).id, origin_code: '110105', risk_area_id: medium.id });
      assert.equal(m.json.measure.measure, 'medium_risk_arrival');
      assert.equal(m.json.measure.place, 'home');
      assert.deepEqual(m.json.measure.tests.map((t) => t.day), [1, 4, 7]);
      const low = await register({ person_id: (await person()).id, origin_code: '110100', transport: 'car', transport_no: '' });
      assert.equal(low.status, 201, low.text);
      assert.equal(low.json.measure.measure, 'low_risk_arrival', 'Beijing (city code) has risk areas, the person was in none');
      assert.deepEqual(low.json.measure.tests.map((t) => t.day), [1, 3]);
      const none = await register({ person_id: (await person()).id, origin_code: '140781' });
      assert.equal(none.json.measure.measure, 'none');
      assert.equal(none.json.managed_case_id, null);
      assert.equal(none.json.travel_flag, false);
      // The preview the form shows before sending.
      const pre = (await c.community_worker.get(`/api/v1/returnee-measure?origin_code=110105&arrived_at=${iso(arrived)}`)).json;
      assert.equal(pre.measure, 'low_risk_arrival');
      assert.deepEqual(pre.origin_areas.map((a) => a.level).sort(), ['high', 'medium']);
      // A risk area of another place, bad transport, missing number: refused, nothing written.
      const count = sql(srv, 'SELECT COUNT(*) FROM returnees');
      assert.equal((await register({ person_id: pHigh.id, origin_code: '140781', risk_area_id: high.json.id })).status, 400);
      assert.equal((await register({ person_id: pHigh.id, origin_code: '110105', transport: 'boat' })).status, 400);
      assert.equal((await register({ person_id: pHigh.id, origin_code: '110105', transport_no: '' })).status, 400);
      assert.equal((await register({ person_id: pHigh.id, origin_code: '110105', arrived_at: iso(Date.now() + 2 * DAY) })).status, 400);
      assert.equal(sql(srv, 'SELECT COUNT(*) FROM returnees'), count);
      // A resident registers themself from the phone.
      const mine = await c.resident.post('/api/v1/me/returnee', { origin_code: '110105', risk_area_id: medium.id, transport: 'plane', transport_no: 'CA1234', arrived_at: iso(arrived), phone: '13700000009' });
      assert.equal(mine.status, 201, mine.text);
      assert.equal(mine.json.channel, 'self');
      assert.equal(mine.json.measure.measure, 'medium_risk_arrival');
      assert.equal((await c.resident.get('/api/v1/me/returnees')).json.items[0].id, mine.json.id);
      assert.equal((await c.resident.get('/api/v1/returnees')).status, 403);
      assert.ok((await c.community_worker.get('/api/v1/returnees?measure=medium_risk_arrival')).json.items.some((x) => x.id === mine.json.id));
      const one = (await c.community_worker.get(`/api/v1/returnees/${h.json.id}`)).json;
      assert.equal(one.measure.measure, 'high_risk_arrival');
      assert.equal(one.tests[0].result, 'negative');
    });

    test('the disinfection log: area, time, method, team and a photo served back', async () => {
      const comp = compounds[0];
      const r = await c.community_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '3号楼楼道', done_at: iso(Date.now() - 3600e3), method: '84消毒液 1:100 喷洒', team: '志愿者一队', photo: `data:image/png;base64,${PNG}` });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.photo_url);
      const photo = await raw(srv, c.community_worker, 'GET', r.json.photo_url);
      assert.equal(photo.status, 200);
      assert.equal(photo.type, 'image/png');
      assert.deepEqual(photo.buf, Buffer.from(PNG, 'base64'));
      const noPhoto = await c.community_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '垃圾站', done_at: iso(Date.now()), method: '紫外线', team: '志愿者二队' });
      assert.equal(noPhoto.status, 201);
      assert.equal(noPhoto.json.photo_url, null);
      const fake = await c.community_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '电梯', done_at: iso(Date.now()), method: '擦拭', team: '一队', photo: `data:image/png;base64,${Buffer.from('not an image').toString('base64')}` });
      assert.equal(fake.status, 400);
      const big = await c.community_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '电梯', done_at: iso(Date.now()), method: '擦拭', team: '一队', photo: `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(900 * 1024)]).toString('base64')}` });
      assert.equal(big.status, 413);
      assert.equal((await c.community_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '', done_at: iso(Date.now()), method: 'x', team: 'y' })).status, 400);
      assert.equal((await c.grid_worker.post('/api/v1/disinfections', { compound_id: comp.id, area: '门岗', done_at: iso(Date.now()), method: 'x', team: 'y' })).status, 403);
      const byTeam = (await c.community_worker.get(`/api/v1/disinfections?division_id=${comp.id}&team=${encodeURIComponent('志愿者一队')}`)).json;
      assert.equal(byTeam.total, 1);
      assert.equal(byTeam.items[0].area, '3号楼楼道');
      assert.equal((await c.community_worker.get('/api/v1/disinfections')).json.total, 2);
      assert.equal((await c.grid_worker.get('/api/v1/disinfections')).json.total, 0, 'another compound\'s log');
      assert.equal((await c.grid_worker.get(r.json.photo_url)).status, 403);
    });
  });
}
