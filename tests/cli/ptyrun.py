"""A program driven through a real pseudo-terminal, as a person types into
it: used by the REPL tests."""
import os, pty, select, sys, termios, time


class Terminal:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.seen = b""
        self.pos = 0  # how far the checks have read

    def fail(self, why):
        """Ends the test, saying what the program was doing and what the
        terminal showed."""
        state = ""
        for f in ("wchan", "syscall"):
            try:
                state += f"/proc/{self.pid}/{f}: " + open(f"/proc/{self.pid}/{f}").read().strip() + "\n"
            except OSError:
                pass
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass
        sys.exit(f"FAIL: {why}\n{state}the terminal's last lines:\n"
                 + self.seen[-800:].decode(errors="replace"))

    def read_until(self, token, timeout=8.0):
        """Reads the terminal until `token` appears past what earlier checks
        read; returns the text up to and including it."""
        end = time.time() + timeout
        while token.encode() not in self.seen[self.pos:]:
            left = end - time.time()
            if left <= 0:
                self.fail(f"no {token!r} within {timeout}s")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.fail("the program closed the terminal")
                self.seen += chunk
        start = self.pos
        self.pos = self.seen.index(token.encode(), self.pos) + len(token)
        return self.seen[start:self.pos].decode(errors="replace")

    def send(self, text):
        """Types `text` once the line editor reads keys (the terminal out of
        canonical mode), as a person does after the prompt appears: libedit
        prints the prompt first and then takes the terminal, and what is
        typed in between is the terminal's to handle, not the REPL's."""
        end = time.time() + 8
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            if time.time() > end:
                self.fail("the line editor never took the terminal")
            time.sleep(0.002)
        os.write(self.fd, text.encode())

    def send_now(self, text):
        """Types `text` at once (while a command runs, not at a prompt)."""
        os.write(self.fd, text.encode())

    def wait_exit(self, timeout=8.0):
        """Waits for the program to end; its wait status."""
        end = time.time() + timeout
        while True:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return status
            if time.time() > end:
                if select.select([self.fd], [], [], 0)[0]:
                    try:
                        self.seen += os.read(self.fd, 4096)
                    except OSError:
                        pass
                self.fail("the program did not end")
            time.sleep(0.05)
