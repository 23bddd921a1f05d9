// Spreadsheets for tests, written the way Excel writes them: shared strings,
// styles, dates as serial numbers with a date format. Uses openpyxl (Debian
// python3-openpyxl, installed by scripts/install-deps) so that the files do not
// come from epinet's own XLSX writer.
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import sys, json, io, datetime, openpyxl
spec = json.load(sys.stdin)
wb = openpyxl.Workbook()
ws = wb.active
ws.title = spec.get('sheet', 'Sheet1')
for row in spec['rows']:
    out = []
    for v in row:
        if isinstance(v, dict) and 'date' in v:
            v = datetime.datetime.fromisoformat(v['date'])
        out.append(v)
    ws.append(out)
for row in ws.iter_rows():
    for c in row:
        if isinstance(c.value, datetime.datetime):
            c.number_format = 'yyyy-mm-dd hh:mm' if (c.value.hour or c.value.minute) else 'yyyy-mm-dd'
buf = io.BytesIO()
wb.save(buf)
sys.stdout.buffer.write(buf.getvalue())
`;

/**
 * rows: arrays of cells; a cell is a string, a number, a boolean, null, or
 * {date: 'YYYY-MM-DD[THH:MM]'} for a date-formatted cell. Returns a Buffer.
 */
export function makeXlsx(rows, sheet = 'Sheet1') {
  const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify({ rows, sheet }), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`openpyxl failed: ${r.stderr}`);
  return r.stdout;
}
