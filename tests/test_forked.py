"""flows.forked: work in a copy of the process is only an aid; whatever the copy cannot give, the work is done here,
with the same result or the same error, and no copy is left behind."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from flows import forked

pytestmark = pytest.mark.skipif(not forked.supported(), reason="copies of the process are made on Linux only")
HERE = os.getpid()


def _result(work, waited: float = 0.0):
    before = {c.pid for c in psutil.Process().children()}
    with forked.forked(work) as copy:
        started = {c.pid for c in psutil.Process().children()} - before
        value = copy.result(waited)
    assert {c.pid for c in psutil.Process().children()} - before == set()  # reaped, none left
    return value, started


def test_the_work_is_done_in_a_copy_and_its_result_comes_back():
    value, started = _result(lambda: (os.getpid(), [1.5, "dua", {"tiga": 3}]))
    pid, payload = value
    assert pid != HERE and {pid} == started and payload == [1.5, "dua", {"tiga": 3}]


def test_a_copy_learns_when_its_maker_waits_for_it():
    """The copy sees `awaited` false while its maker works, true once the maker waits for the result; no other
    process (the maker, a process that made no copy) is ever awaited."""
    def work():
        before = forked.awaited()
        deadline = time.monotonic() + 60
        while not forked.awaited() and time.monotonic() < deadline:
            time.sleep(0.01)
        return before, forked.awaited()

    with forked.forked(work) as copy:
        time.sleep(0.5)  # the maker's own share: the copy keeps looking meanwhile
        assert not forked.awaited()
        done, value = copy.given(0.5)
    assert (done, value) == (True, (False, True))
    assert not forked.awaited()


@pytest.mark.parametrize("fault", ["raises", "killed", "exits", "unpicklable"])
def test_whatever_the_copy_cannot_give_is_done_here(fault):
    def work():
        if os.getpid() != HERE:
            if fault == "raises":
                raise ValueError("only in the copy")
            if fault == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            if fault == "exits":
                os._exit(3)
            return lambda: None  # cannot be pickled
        return "here"

    assert _result(work)[0] == "here"


def test_an_error_of_the_work_is_the_error_it_raises_here():
    def work():
        raise LookupError(f"in {os.getpid()}")

    with pytest.raises(LookupError, match=f"in {HERE}$"):
        _result(work)


def test_a_copy_that_gives_no_answer_in_time_is_ended_and_the_work_done_here(monkeypatch):
    monkeypatch.setattr(forked, "AT_LEAST", 0.5)

    def work():
        if os.getpid() != HERE:
            time.sleep(600)
        return "here"

    started = time.monotonic()
    assert _result(work, waited=0.01)[0] == "here"
    assert time.monotonic() - started < 30


def test_a_stop_in_the_callers_block_ends_the_copy():
    before = {c.pid for c in psutil.Process().children()}
    with pytest.raises(KeyboardInterrupt):
        with forked.forked(lambda: time.sleep(600)):
            assert len({c.pid for c in psutil.Process().children()} - before) == 1
            raise KeyboardInterrupt
    assert {c.pid for c in psutil.Process().children()} - before == set()


def test_a_copy_ends_with_the_process_that_made_it_even_killed_outright(tmp_path):
    """The copy of a process killed by `kill -9` does not go on (Linux's parent-death signal), nor holds the
    command's output open."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import os, sys, time
        from flows import forked
        with forked.forked(lambda: time.sleep(600)) as copy:
            print(copy.pid, flush=True)
            time.sleep(600)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    copy = psutil.Process(int(process.stdout.readline()))
    process.kill()
    assert process.stdout.read() == ""  # the copy does not hold the output: it ends with the command
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while not _ended(copy):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _ended(process: psutil.Process) -> bool:
    """Gone, or a zombie waiting for whoever reaps orphans here."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_copy_reaped_by_another_handler_still_gives_its_answer():
    """Another part of the process (a handler of any child's end) may reap the copy first: its answer is read from
    the pipe all the same, and ending it raises nothing."""
    with forked.forked(lambda: os.getpid()) as copy:
        os.waitpid(copy.pid, 0)
        assert copy.result(0.0) not in (HERE, None)


@pytest.mark.parametrize("cores", [2, 3])
def test_no_copy_is_made_beside_a_running_copy_unless_a_core_is_free_for_it(monkeypatch, cores):
    """The processes at work (the maker and its copy) each have a core: on 2 cores neither makes another copy while
    the copy runs (they would only take turns); with a third core, they may. Once the copy has ended, the maker may
    again."""
    monkeypatch.setattr(forked, "_cores", lambda: cores)
    spare = cores > 2
    with forked.forked(forked.supported) as copy:
        assert forked.supported() == spare
        assert copy.given(0.0) == (True, spare)
    assert forked.supported()
