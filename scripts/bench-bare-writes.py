#!/usr/bin/env python3
"""The write transaction of a staff cancel on SQLite without the portal
around it, through Python's sqlite3 module: the same statements the portal
runs (the order read first, then BEGIN IMMEDIATE, the conditional status
write, the timeline event and its live event, the refund of a paid order,
the customer's notification and its live event, COMMIT), on distinct orders
from many threads at once. Prints transactions per second, p50 and p99: the
baseline that scripts/bench compares the portal's cancel with.

Usage: bench-bare-writes.py DATABASE IDS_FILE THREADS SECONDS
"""
import sqlite3
import sys
import threading
import time

database, ids_file, threads, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
with open(ids_file) as lines:
    ids = [int(line) for line in lines if line.strip()]
next_index = 0
take = threading.Lock()
latencies = []
end = time.monotonic() + seconds
STAFF_ID = 1
LIVE_COLUMNS = ("id, kind, order_id, company_id, placed_by, recipient_id, change, number, "
                "status, internal, created_at")


def cancel(connection, order_id):
    row = connection.execute(
        "SELECT o.status, o.version, o.placed_by, o.number, o.company_id, o.paid_cents, "
        "c.has_account, c.enable_cancel_order, p.turnaround_days "
        "FROM orders o JOIN companies c ON c.id = o.company_id "
        "JOIN products p ON p.id = o.product_id WHERE o.id = ?",
        (order_id,),
    ).fetchone()
    status, version, placed_by, number, company_id, paid_cents, has_account = row[:7]
    connection.execute("BEGIN IMMEDIATE")
    now = int(time.time() * 1000)
    connection.execute(
        "UPDATE orders SET status = 'cancelled', updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (now, order_id, version),
    )
    connection.execute(
        "INSERT INTO order_events (order_id, actor_id, kind, from_status, to_status, reason, created_at) "
        "VALUES (?, ?, 'status', ?, 'cancelled', NULL, ?)",
        (order_id, STAFF_ID, status, now),
    )
    connection.execute(
        "INSERT INTO live_events (kind, order_id, company_id, placed_by, change, number, status, internal, created_at) "
        "SELECT 'order', o.id, o.company_id, o.placed_by, 'status', o.number, o.status, 0, ? "
        f"FROM orders o WHERE o.id = ? RETURNING {LIVE_COLUMNS}",
        (now, order_id),
    ).fetchall()
    if paid_cents > 0:
        connection.execute(
            "INSERT INTO refunds (order_id, company_id, kind, amount_cents, state, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
            (order_id, company_id, "account_credit" if has_account else "pending_refund", paid_cents,
             "credited" if has_account else "pending", now),
        )
    recipients = connection.execute(
        "INSERT INTO notifications (recipient_id, order_id, kind, message, created_at) "
        "SELECT u.id, ?, 'cancelled', ?, ? FROM users u WHERE u.disabled = 0 AND u.id = ? "
        "RETURNING recipient_id",
        (order_id, f"{number} is now Cancelled.", now, placed_by),
    ).fetchall()
    for (recipient,) in recipients:
        connection.execute(
            "INSERT INTO live_events (kind, order_id, recipient_id, change, created_at) "
            f"VALUES ('notification', ?, ?, 'cancelled', ?) RETURNING {LIVE_COLUMNS}",
            (order_id, recipient, now),
        ).fetchall()
    connection.execute("COMMIT")


def work():
    global next_index
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    mine = []
    while time.monotonic() < end:
        with take:
            if next_index >= len(ids):
                break
            order_id = ids[next_index]
            next_index += 1
        started = time.monotonic()
        cancel(connection, order_id)
        mine.append(time.monotonic() - started)
    with take:
        latencies.extend(mine)


started = time.monotonic()
workers = [threading.Thread(target=work) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
elapsed = time.monotonic() - started
latencies.sort()


def percentile(share):
    return latencies[min(len(latencies) - 1, int(len(latencies) * share))] * 1000 if latencies else 0.0


print(f"{len(latencies) / elapsed:.2f} {percentile(0.5):.2f}ms {percentile(0.99):.2f}ms {len(latencies)}")
