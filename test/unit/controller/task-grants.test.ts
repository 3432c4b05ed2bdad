import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  grantKey,
  grantValue,
  TaskGrants,
  type GrantWriter,
} from '../../../src/controller/task-grants.js';

/** A grant writer that records each write and can be made to fail. */
class Recorder implements GrantWriter {
  writes: { entries: Record<string, string | null>; replace: boolean }[] = [];
  failNext = false;
  write(entries: Readonly<Record<string, string | null>>, replace: boolean) {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('apiserver unavailable'));
    }
    this.writes.push({ entries: { ...entries }, replace });
    return Promise.resolve();
  }
}

function setup(max?: number) {
  const w = new Recorder();
  let kicks = 0;
  const g = new TaskGrants(w, () => kicks++, max);
  return { w, g, kicks: () => kicks };
}

test('what the policy compares: `<namespace>.<name>` → node, uid and task ID a space apart', () => {
  // A namespace has no dot, so the first dot splits even a dotted Task name.
  assert.equal(grantKey('team', 'web.v2'), 'team.web.v2');
  assert.equal(grantValue('node-a', 'u-1', 'task 7'), 'node-a u-1 task 7');
});

test('the first write replaces the map (a predecessor leaves nothing); later ones patch changes', async () => {
  const { w, g, kicks } = setup();
  assert.equal(g.pending, true, 'the first write is due before any grant');
  await g.flush();
  assert.deepEqual(w.writes, [{ entries: {}, replace: true }]);
  g.grant('team', 't1', 'n1 u1 id1');
  g.grant('team', 't2', 'n2 u2 id2');
  g.grant('ops', 't1', 'n1 u3 id3');
  assert.equal(kicks(), 3);
  await g.flush();
  assert.deepEqual(w.writes[1], {
    entries: { 'team.t1': 'n1 u1 id1', 'team.t2': 'n2 u2 id2', 'ops.t1': 'n1 u3 id3' },
    replace: false,
  });
  g.revoke('team', 't1');
  await g.flush();
  // A merge patch: null removes.
  assert.deepEqual(w.writes[2], { entries: { 'team.t1': null }, replace: false });
  assert.equal(g.size, 2);
  await g.flush();
  assert.equal(w.writes.length, 3, 'nothing changed: no write');
  g.resync();
  await g.flush();
  assert.deepEqual(w.writes[3], {
    entries: { 'team.t2': 'n2 u2 id2', 'ops.t1': 'n1 u3 id3' },
    replace: true,
  });
});

test('changes whose write failed go with the next write', async () => {
  const { w, g } = setup();
  await g.flush();
  g.grant('team', 't1', 'v1');
  w.failNext = true;
  await assert.rejects(g.flush(), /apiserver unavailable/);
  g.grant('team', 't2', 'v2');
  await g.flush();
  assert.deepEqual(w.writes[1], { entries: { 'team.t1': 'v1', 'team.t2': 'v2' }, replace: false });
});

test('a failed replacing write is still a replacing one when tried again', async () => {
  const { w, g } = setup();
  g.grant('team', 't1', 'v1');
  w.failNext = true;
  await assert.rejects(g.flush(), /apiserver unavailable/);
  await g.flush();
  assert.deepEqual(w.writes, [{ entries: { 'team.t1': 'v1' }, replace: true }]);
});

test('a grant made and taken back between writes is a removal; a revoke of nothing is nothing', async () => {
  const { w, g, kicks } = setup();
  await g.flush();
  g.revoke('team', 'never');
  assert.equal(kicks(), 0);
  g.grant('team', 't1', 'v');
  g.revoke('team', 't1');
  await g.flush();
  assert.deepEqual(w.writes[1], { entries: { 'team.t1': null }, replace: false });
});

test('past the bound a grant is refused (its task is written by the controller)', () => {
  const { g } = setup(2);
  assert.equal(g.grant('team', 't1', 'v'), true);
  assert.equal(g.grant('ops', 't2', 'v'), true);
  // 2 held, bound 2: a third is refused; a held one may change.
  assert.equal(g.grant('team', 't3', 'v'), false);
  assert.equal(g.grant('team', 't1', 'w'), true);
  g.revoke('ops', 't2');
  assert.equal(g.grant('team', 't3', 'v'), true);
});
