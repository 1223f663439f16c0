#!/usr/bin/env python3
"""The write transaction of a cancel on SQLite without the portal around it:
BEGIN IMMEDIATE, the order's status and the event of its timeline, COMMIT,
on distinct orders from many threads at once, through Python's sqlite3
module. Prints transactions per second, p50 and p99. The baseline that
scripts/bench compares the portal's cancel with.

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


def work():
    global next_index
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    mine = []
    while time.monotonic() < end:
        with take:
            if next_index >= len(ids):
                break
            order_id = ids[next_index]
            next_index += 1
        started = time.monotonic()
        now = int(time.time() * 1000)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE orders SET status = 'cancelled', version = version + 1, updated_at = ? WHERE id = ?",
            (now, order_id),
        )
        connection.execute(
            "INSERT INTO order_events (order_id, actor_id, kind, from_status, to_status, created_at) "
            "VALUES (?, 1, 'status', 'pending', 'cancelled', ?)",
            (order_id, now),
        )
        connection.execute("COMMIT")
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
