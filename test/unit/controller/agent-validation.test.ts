import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT_LIMITS,
  validateAgentInfo,
  validateReported,
  validateStatusUpdate,
} from '../../../src/controller/agent-validation.js';
import type { AgentInfo__Output } from '../../../src/gen/mezzo/v1/AgentInfo.js';
import type { TaskInfo__Output } from '../../../src/gen/mezzo/v1/TaskInfo.js';
import type { TaskStatus__Output } from '../../../src/gen/mezzo/v1/TaskStatus.js';

// Decoded messages as the controller sees them (proto-loader fills defaults).
const info = (over: Partial<AgentInfo__Output> = {}): AgentInfo__Output => ({
  id: 'agent-1',
  hostname: 'h',
  node_name: '',
  resources: [
    {
      name: 'cpus',
      type: 'SCALAR',
      scalar: 2,
      ranges: [],
      set: [],
      reservations: [],
      revocable: false,
    },
    {
      name: 'ports',
      type: 'RANGES',
      scalar: 0,
      ranges: [{ begin: 31000, end: 32000 }],
      set: [],
      reservations: [],
      revocable: false,
    },
  ],
  attributes: [{ name: 'rack', text: 'r1' }],
  address: '127.0.0.1:5051',
  version: '0.1.0',
  default_user: '',
  max_batch_bytes: 0,
  writes_task_status: false,
  ...over,
});
const task = (id: string): TaskInfo__Output => ({
  task_id: id,
  name: id,
  framework_id: 'fw',
  agent_id: 'agent-1',
  resources: [
    {
      name: 'cpus',
      type: 'SCALAR',
      scalar: 0.1,
      ranges: [],
      set: [],
      reservations: [],
      revocable: false,
    },
  ],
  command: null,
  health_check: null,
  kill_grace_period_seconds: 0,
  labels: {},
});
const status = (id: string, over: Partial<TaskStatus__Output> = {}): TaskStatus__Output => ({
  task_id: id,
  state: 'TASK_RUNNING',
  message: '',
  source: 'SOURCE_AGENT',
  reason: 'REASON_UNSPECIFIED',
  agent_id: 'agent-1',
  framework_id: 'fw',
  timestamp: 1_700_000_000,
  uuid: Buffer.alloc(16, 7),
  sequence: 1,
  labels: {},
  ...over,
});
// What an agent sends for a task that has no update yet.
const none = status('', { state: 'TASK_STATE_UNSPECIFIED', framework_id: '', agent_id: '' });

test('what a well-behaved agent sends is accepted', () => {
  assert.equal(validateAgentInfo(info()), undefined);
  assert.equal(validateAgentInfo(info({ id: '' })), undefined, 'first registration: no ID yet');
  assert.equal(
    validateReported([task('a'), task('b')], [status('a'), none]),
    undefined,
    'a task still launching comes with an empty status',
  );
  assert.equal(validateReported([task('a')], []), undefined);
  assert.equal(validateStatusUpdate(status('a', { state: 'TASK_FINISHED' })), undefined);
});

test('each field out of bounds is named', () => {
  const long = 'x'.repeat(AGENT_LIMITS.idChars + 1);
  // [what, the first problem found]
  const cases: [string | undefined, RegExp][] = [
    [validateAgentInfo(null), /^agent_info: missing/],
    [validateAgentInfo(info({ id: long })), /^agent_info.id: 1025 characters/],
    [validateAgentInfo(info({ default_user: long })), /^agent_info.default_user: 1025 characters/],
    [
      validateAgentInfo(info({ attributes: [{ name: '', text: 'v' }] })),
      /attributes\[0\].name: empty/,
    ],
    [
      validateAgentInfo(info({ resources: [{ ...info().resources[0], scalar: 2e12 } as never] })),
      /resources\[0\].scalar: cpus 2000000000000 is more than/,
    ],
    [
      validateAgentInfo(
        info({
          resources: [{ ...info().resources[1], ranges: [{ begin: 1, end: 2 ** 40 }] } as never],
        }),
      ),
      /ranges\[0\]: 1-1099511627776 goes past/,
    ],
    [validateReported([task('a')], [status('a'), status('b')]), /2 statuses for 1 tasks/],
    [validateReported([task('a')], [status('a', { framework_id: 'other' })]), /is not its task's/],
    [
      validateStatusUpdate(status('a', { reason: 77 as never })),
      /reason: 77 is not a status reason/,
    ],
    [validateStatusUpdate(status('a', { source: 'SOURCE_X' as never })), /source: SOURCE_X/],
    [validateStatusUpdate(status('a', { timestamp: -1 })), /timestamp: -1 is not a time/],
    [validateStatusUpdate(status('a', { uuid: Buffer.alloc(65) })), /uuid: 65 bytes/],
    [
      validateStatusUpdate(status('a', { agent_id: 'a\u0007' })),
      /agent_id: holds control characters/,
    ],
    [
      validateStatusUpdate(status('a', { labels: { k: 'x'.repeat(70_000) } })),
      /labels\[k\]: 70000 characters/,
    ],
  ];
  for (const [got, want] of cases) assert.match(got ?? '(accepted)', want);
});
