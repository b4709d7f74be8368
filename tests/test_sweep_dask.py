"""Sweeps on a real dask.distributed cluster (the ``dask`` extra), and on a process pool."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from lmc_games import load_model, sweep

GRID = {"p": np.linspace(0, 1, 41), "F": np.linspace(0, 20, 41)}


def _csv(tmp_path, name, **kw):
    r = sweep(load_model("water_use"), GRID, measure="stable", **kw)
    path = tmp_path / name
    r.to_csv(path)
    return path.read_bytes()


def test_process_pool_gives_the_same_bytes(tmp_path):
    base = _csv(tmp_path, "local.csv")
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as ex:
        assert _csv(tmp_path, "pool.csv", executor=ex, chunk_size=300) == base


@pytest.mark.slow
def test_dask_cluster_equals_local_and_survives_a_killed_worker(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    base = _csv(tmp_path, "local.csv")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert _csv(tmp_path, "dask.csv", executor=client, chunk_size=97) == base

        # Again with one worker killed while chunks are still running: the scheduler moves
        # its tasks to the other (and to the nanny's replacement) and nothing is lost.
        store = tmp_path / "chunks"
        total = -(-41 * 41 // 5)
        killed = {}
        pids = client.run(os.getpid)  # worker address -> process id

        def kill_one():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                done = len(list(store.glob("chunk-*.npz"))) if store.exists() else 0
                if done >= 3:
                    os.kill(next(iter(pids.values())), signal.SIGKILL)
                    killed["at"] = done
                    return
                time.sleep(0.01)

        t = threading.Thread(target=kill_one)
        t.start()
        got = _csv(tmp_path, "killed.csv", executor=client, chunk_size=5, resume=store)
        t.join()
        assert got == base
        assert "at" in killed and killed["at"] < total


@pytest.mark.slow
def test_cli_scheduler_address_gives_the_same_bytes(tmp_path, capsys):
    """``lmc-games sweep --scheduler ADDRESS`` against a real scheduler (DESIGN §4)."""
    distributed = pytest.importorskip("dask.distributed")
    from lmc_games.cli import main

    args = [
        "sweep",
        "water_use",
        "--vary",
        "p=0:1:21",
        "--vary",
        "k=1:4:7",
        "--measure",
        "outcome",
        "--starts",
        "2",
        "--t-end",
        "20",
        "--chunk-size",
        "20",
    ]
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    assert main([*args, "--out", str(local)]) == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code = main([*args, "--out", str(remote), "--scheduler", cluster.scheduler_address])
    assert code == 0, capsys.readouterr().err
    assert remote.read_bytes() == local.read_bytes()
