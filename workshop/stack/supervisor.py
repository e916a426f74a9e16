"""supervisord as the stack's process manager: it starts each service in the foreground,
reaps its children, and stops them in order. This module writes its config into the run
folder, starts it as a daemon and talks to it over its Unix socket (XML-RPC)."""

import contextlib
import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client

from supervisor.xmlrpc import SupervisorTransport

from .errors import StackError
from .runfolder import socket_path

HEADER = """\
; Written by workshop up: the native stack of {stage}. Its folder holds everything it runs.
[unix_http_server]
file = {socket}

[supervisord]
logfile = {run}/supervisord.log
pidfile = {run}/supervisord.pid
childlogdir = {run}
directory = {run}
{user_line}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://{socket}
"""

PROGRAM = """
[program:{name}]
command = {command}
directory = {directory}
environment = {environment}
priority = {priority}
; The runner starts each service itself, in order, and waits for it to be healthy.
; A service whose stack.toml says restart = true is started again when it dies.
autostart = false
autorestart = {autorestart}
startsecs = 0
stopsignal = TERM
stopwaitsecs = {stop_wait}
; Workers (nginx's, gunicorn's) go down with their master.
stopasgroup = true
killasgroup = true
redirect_stderr = true
stdout_logfile = {log}
stdout_logfile_maxbytes = 10MB
stdout_logfile_backups = 1
"""


class Supervisor:
    def __init__(self, run_dir):
        self.run_dir = run_dir
        self.config_file = run_dir / "supervisord.conf"
        self.socket = socket_path(run_dir / "supervisord.sock")

    def write_config(self, stage_name: str, kinds) -> None:
        # Naming root when it is root spares a warning; it keeps the user it is started by.
        user_line = "user = root\n" if os.geteuid() == 0 else ""
        text = HEADER.format(
            stage=stage_name, socket=self.socket, run=self.run_dir, user_line=user_line
        )
        for kind in kinds:
            text += PROGRAM.format(
                name=kind.name,
                command=" ".join(_command_word(part) for part in kind.command()),
                directory=kind.working_dir(),
                environment=",".join(f"{k}={_env_value(v)}" for k, v in kind.environment().items()),
                priority=kind.priority,
                autorestart=str(kind.restarts).lower(),
                stop_wait=kind.stop_wait_seconds,
                log=kind.output_log,
            )
        self.config_file.write_text(text)

    def rpc(self):
        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def is_running(self) -> bool:
        try:
            return self.rpc().getState()["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Fault):
            return False

    def start(self, env: dict[str, str], timeout: float = 10) -> None:
        """Start supervisord as a daemon; it inherits ``env`` and passes it to every program."""
        command = [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.config_file)]
        result = subprocess.run(command, env=env, cwd=self.run_dir, capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"supervisord did not start: {result.stderr.strip()[-300:]}")
        deadline = time.monotonic() + timeout
        while not self.is_running():
            if time.monotonic() > deadline:
                raise StackError(f"supervisord did not answer; see {self.run_dir}/supervisord.log")
            time.sleep(0.05)

    def processes(self) -> dict[str, dict]:
        """supervisord's view of each program: statename, pid… ({} when it is not running)."""
        try:
            return {info["name"]: info for info in self.rpc().getAllProcessInfo()}
        except (OSError, xmlrpc.client.Fault):
            return {}

    def start_program(self, name: str) -> None:
        try:
            self.rpc().startProcess(name, False)
        except xmlrpc.client.Fault as fault:
            if "ALREADY_STARTED" not in fault.faultString:
                message = f"supervisord could not start {name}: {fault.faultString}"
                raise StackError(message) from None

    def program_add(self, name: str) -> None:
        """Know a program the rewritten config has gained (`workshop scale` up); the
        runner starts it."""
        rpc = self.rpc()
        rpc.reloadConfig()
        try:
            rpc.addProcessGroup(name)
        except xmlrpc.client.Fault as fault:
            if "ALREADY_ADDED" not in fault.faultString:
                raise StackError(f"supervisord could not add {name}: {fault.faultString}") from None

    def stop_program(self, name: str) -> None:
        """Stop a program with its stop signal and wait for it (already stopped: fine)."""
        with contextlib.suppress(xmlrpc.client.Fault):  # NOT_RUNNING
            self.rpc().stopProcess(name, True)

    def program_remove(self, name: str) -> None:
        """Stop a program with its stop signal (waiting for it) and forget it."""
        rpc = self.rpc()
        with contextlib.suppress(xmlrpc.client.Fault):  # NOT_RUNNING: already stopped
            rpc.stopProcess(name, True)
        with contextlib.suppress(xmlrpc.client.Fault):  # BAD_NAME: already forgotten
            rpc.removeProcessGroup(name)

    def pid(self) -> int | None:
        try:
            return self.rpc().getPID()
        except (OSError, xmlrpc.client.Fault):
            return None

    def shutdown(self) -> None:
        """Stop every program (in reverse priority: web first, db last), then exit."""
        with contextlib.suppress(OSError, xmlrpc.client.Fault):
            self.rpc().shutdown()


# supervisord expands %(name)s in its config, so a literal % is written %%.


def _command_word(value) -> str:
    """supervisord splits a command as a POSIX shell would."""
    return shlex.quote(str(value)).replace("%", "%%")


def _env_value(value) -> str:
    """supervisord reads KEY="value",… with quotes but no escapes."""
    text = str(value)
    if '"' in text:
        raise StackError(f"supervisord cannot pass a double quote in an environment value: {text}")
    return '"' + text.replace("%", "%%") + '"'
