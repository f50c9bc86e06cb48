import { describe, expect, it } from 'vitest';
import { parseHostRequest } from '../../src/core/parsers/hostRequest.js';

const b64 = (text: string): string => `:${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseHostRequest', () => {
  it('decodes every argument as written, quotes, newlines and empty ones too', () => {
    const line = ['1764690000-4242', b64('task'), b64('fail'), b64('it broke: "$(rm -rf /)"\nsecond line'), b64('')].join(' ');
    expect(parseHostRequest(line)).toEqual({ ok: true, request: { id: '1764690000-4242', argv: ['task', 'fail', 'it broke: "$(rm -rf /)"\nsecond line', ''] } });
  });

  it('ignores a blank line', () => {
    expect(parseHostRequest('   ')).toBeNull();
  });

  it('refuses an id that could name another file on the host', () => {
    expect(parseHostRequest(`../../etc/x ${b64('task')}`)).toMatchObject({ ok: false, id: null });
    expect(parseHostRequest(`1-2/x ${b64('task')}`)).toMatchObject({ ok: false, id: null });
  });

  it('refuses commands other than task and emit, and a config of the worker\'s choosing', () => {
    expect(parseHostRequest(`1-2 ${b64('land')}`)).toMatchObject({ ok: false, id: '1-2', error: expect.stringContaining('only `muxctl task …` and `muxctl emit …`') });
    expect(parseHostRequest(`1-2 ${b64('task')} ${b64('--config=/tmp/x.json')} ${b64('list')}`)).toMatchObject({ ok: false, error: expect.stringContaining('--config is not taken') });
    expect(parseHostRequest(`1-2 ${b64('task')} ${b64('--config')} ${b64('/tmp/x.json')}`)).toMatchObject({ ok: false });
  });

  it('refuses an argument that is not base64', () => {
    expect(parseHostRequest('1-2 task')).toMatchObject({ ok: false, id: '1-2', error: 'request 1-2: an argument is not base64' });
    expect(parseHostRequest('1-2 :$(x)')).toMatchObject({ ok: false, id: '1-2' });
  });
});
