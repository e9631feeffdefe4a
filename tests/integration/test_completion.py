#!/usr/bin/python3
"""test_completion.py - bash (with and without bash-completion) and zsh complete tcpstate.

Each shell runs interactively on a pseudo-terminal inside a private network namespace; the
test types a partial command line and a TAB, and the candidates the completion offers are
captured (bash: COMPREPLY through a wrapper; zsh: every compadd call). Asserts: state names
after `state` and `--state`, a port this test just opened after `port` and `--port`, option
names after `--`, this process's name after `process`, keywords at the start of a filter.
Also checks that the option lists written into both scripts equal `tcpstate --complete
options`, and that the bash script passes shellcheck.
"""

import fcntl
import os
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

SRCDIR = os.environ.get("TCPSTATE_SRCDIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BASH_SCRIPT = os.path.join(SRCDIR, "completions", "tcpstate.bash")
ZSH_DIR = os.path.join(SRCDIR, "completions")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
          "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"]
GROUPS = ["all", "connected", "synchronized", "handshake", "teardown", "active-close",
          "passive-close"]


class Shell:
    """An interactive shell on a pty; complete() types a line plus TAB and returns the
    candidates the completion function produced (read from the capture file)."""

    def __init__(self, argv, setup, workdir, env):
        self.workdir = workdir
        self.capture = os.path.join(workdir, "capture")
        self.done = os.path.join(workdir, "done")
        self.ready = os.path.join(workdir, "ready")
        master, slave = os.openpty()
        self.master = master
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 100, 200, 0, 0))

        def ctty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = h.track(subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                             env=env, cwd=workdir, start_new_session=True,
                                             preexec_fn=ctty))
        os.close(slave)
        self.output = b""
        for line in setup + ["touch %s" % self.ready]:
            self.send(line + "\n")
        self.wait_for(self.ready, "the shell did not start")

    def send(self, text):
        os.write(self.master, text.encode())

    def drain(self):
        while True:
            r, _, _ = select.select([self.master], [], [], 0)
            if not r:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def wait_for(self, path, what, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain()
            if os.path.exists(path):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        h.fail(what, self.output.decode("utf-8", "replace")[-2000:])

    def complete(self, line):
        """Type line, press TAB, return the list of candidates (in the order offered)."""
        for f in (self.capture, self.done):
            if os.path.exists(f):
                os.unlink(f)
        self.send(line + "\t")
        self.wait_for(self.done, "no completion happened for %r" % line)
        with open(self.done, encoding="utf-8", errors="surrogateescape") as f:
            typed = f.read()
        h.check_eq(typed, line, "the shell completed another line than the test typed")
        words = []
        if os.path.exists(self.capture):
            with open(self.capture, encoding="utf-8", errors="surrogateescape") as f:
                words = [w for w in f.read().split("\n") if w]
        # Abandon the line with Ctrl-U (kill the line; both shells' emacs keymaps). Not
        # Ctrl-C: the tty flushes typed-ahead input on SIGINT.
        self.send("\x15")
        return words

    def close(self):
        try:
            self.send("\x15exit\n")
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)  # interactive shells ignore SIGTERM
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        h._end(self.proc)
        os.close(self.master)


def shell_env(bindir, home):
    env = {"PATH": bindir + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home, "TERM": "dumb",
           "LC_ALL": "C", "NO_COLOR": "1"}
    return env


def bash_shell(workdir, env, with_package):
    setup = ["PS1='$ '", "set +o history"]
    if with_package:
        setup.append("source %s" % BASH_COMPLETION)
    setup += [
        "source %s" % BASH_SCRIPT,
        # The real function runs; the wrapper only records what it offered.
        "_tcpstate_capture() { _tcpstate \"$@\"; printf '%%s\\n' \"${COMPREPLY[@]}\" > "
        "%s; printf '%%s' \"$COMP_LINE\" > %s.tmp; mv %s.tmp %s; }"
        % ((os.path.join(workdir, "capture"),) + (os.path.join(workdir, "done"),) * 3),
        "complete -F _tcpstate_capture tcpstate",
    ]
    if with_package:
        setup.append("declare -F _init_completion >/dev/null || echo NO-INIT-''COMPLETION")
    else:
        setup.append("declare -F _init_completion >/dev/null && echo HAS-INIT-''COMPLETION")
    return Shell(["bash", "--norc", "--noprofile", "-i"], setup, workdir, env)


def zsh_shell(workdir, env):
    cap = os.path.join(workdir, "capture")
    setup = [
        "PS1='$ '; unsetopt beep",
        "fpath=(%s $fpath)" % ZSH_DIR,
        "autoload -Uz compinit && compinit -u -D",
        # No lists on the terminal: a pager or a "list all?" question would eat the next
        # keystrokes. The capture does not depend on what is shown.
        "unsetopt auto_list list_ambiguous auto_menu",
        # Record every match any compadd call adds, then add it for real.
        "compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd \"$@\"; return; fi;"
        " local -a __m; builtin compadd -O __m \"$@\";"
        " (( $#__m )) && print -rl -- $__m >> %s; builtin compadd \"$@\"; }" % cap,
        # The real completion function runs; the wrapper says when it is done.
        "_tcpstate_capture() { _tcpstate \"$@\"; local r=$?; print -rn -- $BUFFER > %s.tmp;"
        " mv %s.tmp %s; return r; }" % ((os.path.join(workdir, "done"),) * 3),
        "compdef _tcpstate_capture tcpstate",
    ]
    return Shell(["zsh", "-f", "-i"], setup, workdir, env)


def check_offers(shell_name, sh, port, options):
    got = sh.complete("tcpstate state ")
    for s in STATES + GROUPS + ["estab", "time-wait"]:
        h.check(s in got, "%s: '%s' not offered after 'state'" % (shell_name, s), got)
    h.check("--all" not in got and "port" not in got,
            "%s: options or keywords offered after 'state'" % shell_name, got)
    got = sh.complete("tcpstate --state ")
    h.check(set(STATES) <= set(got), "%s: states not offered after '--state'" % shell_name,
            got)
    got = sh.complete("tcpstate exclude time")
    h.check("time-wait" in got and "LISTEN" not in got,
            "%s: 'exclude time' should offer time-wait only" % shell_name, got)
    h.ok("%s: state names and groups after state, --state and exclude" % shell_name)

    got = sh.complete("tcpstate port ")
    h.check(str(port) in got, "%s: the port %d this test opened is not offered after 'port'"
            % (shell_name, port), got)
    h.check(got and got[0] == str(port),
            "%s: the listening port should come first" % shell_name, got)
    got = sh.complete("tcpstate --port ")
    h.check(str(port) in got, "%s: port %d not offered after '--port'" % (shell_name, port),
            got)
    got = sh.complete("tcpstate -a sport ")
    h.check(str(port) in got, "%s: port %d not offered after 'sport'" % (shell_name, port),
            got)
    h.ok("%s: live port %d after port, --port and sport" % (shell_name, port))

    got = sh.complete("tcpstate --")
    missing = [o for o in options if o not in got]
    h.check(not missing, "%s: options not offered after '--': %s" % (shell_name, missing),
            got)
    got = sh.complete("tcpstate --sta")
    h.check("--state" in got and "--stats" in got and "--all" not in got,
            "%s: '--sta' should offer --state and --stats only" % shell_name, got)
    h.ok("%s: all %d options after '--'" % (shell_name, len(options)))

    got = sh.complete("tcpstate process ")
    comm = open("/proc/self/comm").read().strip()
    h.check(comm in got, "%s: this test's process name %r not offered after 'process'" %
            (shell_name, comm), got)
    got = sh.complete("tcpstate ")
    for kw in ("state", "exclude", "sport", "dport", "port", "src", "dst", "pid", "process",
               "user", "and", "or", "not"):
        h.check(kw in got, "%s: keyword '%s' not offered" % (shell_name, kw), got)
    h.check("rtt" in got and "last_recv" in got, "%s: columns not offered as terms" %
            shell_name, got)
    # bash quotes what it inserts ("\\>" is a literal ">"), zsh shows the bare word
    got = [w.replace("\\", "") for w in sh.complete("tcpstate rtt ")]
    h.check({">", ">=", "==", "!="} <= set(got) and "~" not in got,
            "%s: comparison operators after the number column 'rtt'" % shell_name, got)
    got = [w.replace("\\", "") for w in sh.complete("tcpstate cc ")]
    h.check({"==", "~", "!~"} <= set(got) and ">" not in got,
            "%s: text operators after the text column 'cc'" % shell_name, got)
    got = sh.complete("tcpstate rtt gt 10")
    h.check({"10ms", "10s", "10m", "10h"} <= set(got) and "10k" not in got,
            "%s: duration units after 'rtt gt 10'" % shell_name, got)
    got = sh.complete("tcpstate sendq ge 64")
    h.check({"64k", "64M", "64KiB"} <= set(got) and "64ms" not in got,
            "%s: size units after 'sendq ge 64'" % shell_name, got)
    h.ok("%s: columns, their operators and units in comparisons" % shell_name)
    got = sh.complete("tcpstate --state listen,e")
    h.check(any(w.endswith("estab") for w in got) and not any("LISTEN" in w for w in got),
            "%s: the last item of a state list is completed" % shell_name, got)
    got = sh.complete("tcpstate --columns +rt")
    h.check(any(w.endswith("rtt") for w in got), "%s: --columns +COL" % shell_name, got)
    got = sh.complete("tcpstate --format ")
    h.check({"table", "json", "csv"} <= set(got), "%s: formats after --format" % shell_name,
            got)
    got = sh.complete("tcpstate --lab ")
    h.check({"handshake", "close", "simultaneous-close", "rst", "half-close",
             "reuseaddr"} <= set(got), "%s: lessons after --lab" % shell_name, got)
    got = sh.complete("tcpstate --explain 2")
    h.check("2msl" in got, "%s: --explain 2 should offer 2msl" % shell_name, got)
    h.ok("%s: process names, filter keywords, lists, columns, formats, lessons and topics"
         % shell_name)


def check_static_lists(options):
    """The option names written into the scripts match what the binary reports."""
    import re
    text = open(BASH_SCRIPT).read()
    m = re.search(r"_tcpstate_fallback_options='([^']*)'", text)
    h.check(m is not None, "no _tcpstate_fallback_options in tcpstate.bash")
    h.check_set_eq(m.group(1).split(), options,
                   "tcpstate.bash fallback options differ from --complete options")
    ztext = open(os.path.join(ZSH_DIR, "_tcpstate")).read()
    zopts = set(re.findall(r"(--[a-z][a-z0-9-]*)(?=[=+[}])", ztext))
    h.check_set_eq(zopts, options, "_tcpstate (zsh) options differ from --complete options")
    ftext = open(os.path.join(ZSH_DIR, "tcpstate.fish")).read()
    fcomplete = "\n".join(re.findall(r"^complete -c tcpstate .*$", ftext, re.M))
    fopts = {"--" + o for o in re.findall(r" -l ([a-z][a-z0-9-]*)", fcomplete)} - {"--colour"}
    h.check_set_eq(fopts, options, "tcpstate.fish options differ from --complete options")
    h.ok("the three scripts list exactly the %d options of --complete options"
         % len(options))
    if shutil.which("shellcheck"):
        r = subprocess.run(["shellcheck", "-s", "bash", BASH_SCRIPT], capture_output=True,
                           text=True, timeout=30)
        h.check(r.returncode == 0, "shellcheck complains about tcpstate.bash", r.stdout)
        h.ok("shellcheck passes on tcpstate.bash")


def check_fish(env, port):
    """fish's own completion engine (complete -C) on the script: what TAB would offer."""
    if not shutil.which("fish"):
        h.ok("fish not found: fish completion not checked (apt-get install fish)")
        return
    script = os.path.join(ZSH_DIR, "tcpstate.fish")
    lines = ["tcpstate --sta", "tcpstate state li", "tcpstate --state=listen,est",
             "tcpstate --port ", "tcpstate --columns +rt", "tcpstate --format ", "tcpstate ",
             "tcpstate sport = :", "tcpstate rtt ", "tcpstate rtt gt 10",
             "tcpstate sendq ge 64"]
    cmd = "source %s; " % script + "; ".join(
        "echo '@@'; complete -C %s" % shlex.quote(line) for line in lines)
    r = subprocess.run(["fish", "--no-config", "-c", cmd], capture_output=True, text=True,
                       env=env, timeout=60)
    h.check(r.returncode == 0 and not r.stderr, "fish failed", r.stderr)
    got = [[w.split("\t")[0] for w in part.split("\n") if w]
           for part in r.stdout.split("@@\n")[1:]]
    want = [{"--state", "--stats"}, {"LISTEN"}, {"listen,ESTABLISHED"}, {str(port)},
            {"+rtt"}, {"table", "json", "openmetrics"}, {"state", "port", "rtt"},
            {":%d" % port}, {">", ">=", "=="}, {"10ms", "10s", "10h"}, {"64k", "64M"}]
    for line, g, w in zip(lines, got, want):
        h.check(w <= set(g), "fish: %r should offer %s" % (line, sorted(w)), g)
    h.check("~" not in got[8] and "10k" not in got[9] and "64ms" not in got[10],
            "fish: only the column's operators and units", got[8:])
    h.ok("fish: options, states, a list item, this port, +column, formats, keywords, "
         "a column's operators and units")


def main():
    h.enter_netns()
    tcpstate = h.binary()
    out = h.run_ok(["--complete", "options"])
    options = out.split()
    h.check("--state" in options and "--port" in options, "--complete options", out)
    check_static_lists(options)

    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(5)
    port = lst.getsockname()[1]
    cli = socket.create_connection(("127.0.0.1", port))
    srv, _ = lst.accept()

    with tempfile.TemporaryDirectory(prefix="tcpstate-compl-") as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(tcpstate, os.path.join(bindir, "tcpstate"))
        env = shell_env(bindir, tmp)

        if not shutil.which("bash"):
            h.skip("bash not found")
        for with_package in (False, True):
            if with_package and not os.path.exists(BASH_COMPLETION):
                h.skip("bash-completion is not installed (%s): apt-get install "
                       "bash-completion" % BASH_COMPLETION)
            work = os.path.join(tmp, "bash-%d" % with_package)
            os.mkdir(work)
            sh = bash_shell(work, env, with_package)
            name = "bash with bash-completion" if with_package else "plain bash"
            check_offers(name, sh, port, options)
            got = sh.complete("tcpstate --state=list")
            h.check(got and all(w.startswith("listen") or w.startswith("LISTEN") or
                                w == "listening" for w in got) and "listen" in got,
                    "%s: --state=list should offer listen" % name, got)
            sh.close()
            out = sh.output.decode("utf-8", "replace")
            h.check("NO-INIT-COMPLETION" not in out and "HAS-INIT-COMPLETION" not in out,
                    "%s: bash-completion presence is not what the test set up" % name, out)

        if not shutil.which("zsh"):
            h.skip("zsh not found (apt-get install zsh)")
        work = os.path.join(tmp, "zsh")
        os.mkdir(work)
        sh = zsh_shell(work, env)
        check_offers("zsh", sh, port, options)
        sh.close()
        check_fish(env, port)
    for s in (cli, srv, lst):
        s.close()


if __name__ == "__main__":
    main()
