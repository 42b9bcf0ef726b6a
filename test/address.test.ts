// Per-address limits count IPv6 clients per prefix (default /64): one
// subscriber's whole prefix is one address for connections and sign-in failures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { addressKey } from '../src/net/address.js';
import { ConnectionCounter } from '../src/net/connection-counter.js';
import { DeadlineHeap } from '../src/core/deadline-heap.js';
import { LoginGuard } from '../src/core/login-guard.js';
import { AddressRate } from '../src/web/gateway/rate.js';
import { silentLogger } from '../src/log.js';
import { startTestServer } from './helpers/server.js';

describe('address keys', () => {
  test('IPv4 and IPv4-mapped addresses count as themselves', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('192.0.2.7', 128), '192.0.2.7');
  });

  test('IPv6 addresses of one /64 share a key, whatever their spelling; other prefixes do not', () => {
    const k = addressKey('2001:db8:1:2::1');
    assert.equal(k, '2001:db8:1:2::/64');
    for (const a of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:abcd', '2001:DB8:1:2::1.2.3.4', '2001:db8:1:2::1%eth0']) {
      assert.equal(addressKey(a), k, a);
    }
    assert.notEqual(addressKey('2001:db8:1:3::1'), k);
    assert.equal(addressKey('::1'), '::/64');
    assert.equal(addressKey('::'), '::/64');
    assert.equal(addressKey('fe80::1'), 'fe80::/64');
  });

  test('the prefix length is configurable, down to the bit; 128 keeps each address', () => {
    assert.equal(addressKey('2001:db8:abcd:12ff::1', 56), '2001:db8:abcd:1200::/56');
    assert.equal(addressKey('2001:db8:abcd:12ff::1', 48), '2001:db8:abcd::/48');
    assert.equal(addressKey('2001:db8:abcd:12ff::1', 1), '::/1');
    assert.equal(addressKey('8001:db8::1', 1), '8000::/1');
    assert.equal(addressKey('2001:db8::1', 128), '2001:db8::1');
    assert.notEqual(addressKey('2001:db8::1', 127), addressKey('2001:db8::2', 127));
    assert.equal(addressKey('2001:db8::2', 127), addressKey('2001:db8::3', 127));
  });

  test('connections from one /64 share one limit; another /64 has its own', () => {
    const c = new ConnectionCounter(2, silentLogger);
    assert.ok(c.add(c.keyOf('2001:db8:1:2::1')));
    assert.ok(c.add(c.keyOf('2001:db8:1:2::2')));
    assert.equal(c.add(c.keyOf('2001:db8:1:2::3')), false, 'a third address of the same /64 is refused');
    assert.ok(c.add(c.keyOf('2001:db8:1:3::1')), 'the next /64 is another subscriber');
    c.remove(c.keyOf('2001:db8:1:2::1'));
    assert.ok(c.add(c.keyOf('2001:db8:1:2::99')));
    const exact = new ConnectionCounter(1, silentLogger, 128);
    assert.ok(exact.add(exact.keyOf('2001:db8::1')));
    assert.ok(exact.add(exact.keyOf('2001:db8::2')));
  });

  test('failed sign-ins from one /64 are counted together', () => {
    const g = new LoginGuard(3, 60_000, { now: () => 1000 }, new DeadlineHeap());
    for (let i = 1; i <= 3; i++) g.failed(`2001:db8:1:2::${i}`);
    assert.ok(g.blocked('2001:db8:1:2::beef'), 'any address of the prefix is now refused');
    assert.equal(g.blocked('2001:db8:1:3::1'), false);
    assert.equal(g.blocked('192.0.2.1'), false);
  });

  test('gateway requests from one /64 share one rate bucket', () => {
    const r = new AddressRate(1, 2);
    assert.ok(r.take('2001:db8:1:2::1', 0));
    assert.ok(r.take('2001:db8:1:2::2', 0));
    assert.equal(r.take('2001:db8:1:2::3', 0), false);
    assert.ok(r.take('2001:db8:1:3::1', 0));
  });

  test('a real server on ::1 counts IPv6 clients under the prefix', async () => {
    const srv = await startTestServer({ MSNPD_HOST: '::', MSNPD_MAX_CONNECTIONS_PER_IP: '2', MSNPD_IPV6_PREFIX: '64' });
    try {
      const open = () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect({ host: '::1', port: srv.ns });
          s.once('connect', () => resolve(s));
        });
      const closedSoon = (s: net.Socket) => new Promise<boolean>((r) => { s.once('close', () => r(true)); s.write('VER 1 MSNP8 CVR0\r\n'); s.once('data', () => r(false)); });
      const a = await open();
      const b = await open();
      const c = await open();
      assert.equal(await closedSoon(c), true, 'the third connection of ::/64 is refused');
      assert.equal(await closedSoon(a), false);
      a.destroy();
      b.destroy();
    } finally {
      await srv.stop();
    }
  });
});
