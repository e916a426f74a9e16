"""`workshop scale NN N`: add or remove app servers while the shop serves, as the team
rented and returned hosting accounts. Up: start the new servers, wait until they answer,
then reload nginx so that its upstream lists them. Down: reload nginx without the
leaving servers first, let the requests nginx's old workers hold finish, then stop each
leaving server with SIGTERM, gunicorn's graceful shutdown. No request fails either way.
The count is kept in the run folder's state (status shows each server) until down."""

from .errors import StackError
from .ports import ports_plan
from .processes import process_identity, processes_wait_gone
from .starting import not_running, services_start
from .topology import APP

# Every app server takes a port between the web port's and memcached's (ports.py), and
# on one machine each costs its workers' memory: more than this is a mistake.
MAX_APP_SERVERS = 10
# nginx's old workers finish the requests they hold within this, or are left to it.
DRAIN_SECONDS = 30


def servers_check(servers: int, *, stage_number: str) -> None:
    if not 1 <= servers <= MAX_APP_SERVERS:
        raise StackError(
            f"stage {stage_number} cannot run {servers} app servers: choose 1 to {MAX_APP_SERVERS}"
        )


def stack_scale(stack, servers: int) -> None:
    number = stack.stage.number
    servers_check(servers, stage_number=number)
    service = stack.topology.service(APP)
    if service is None or not service.numbered:
        raise StackError(
            f"stage {number} runs one app server (its deploy/stack.toml has no count above 1): "
            "scaling out starts at stage 03"
        )
    web = stack.kind_of("web")
    if not stack.supervisor.is_running() or not_running(stack, [web]):
        raise StackError(f"stage {number} is not up: workshop up {number}")
    current = len(stack.apps())
    if servers > current:
        _scale_up(stack, servers, web=web)
    elif servers < current:
        _scale_down(stack, servers, web=web)
    stack.run.state_update(ports=stack.ports, pids=[process_identity(p) for p in stack.all_pids()])
    stack.say(f"{servers} app servers behind nginx at {stack.url}")


def _recount(stack, servers: int) -> None:
    stack.app_servers = servers  # a count asked for at up (a bench's) holds no longer
    stack.run.state_update(app_servers=servers)
    stack.topology_apply()
    for app in stack.apps():
        app.prepare()  # its folders and CPU group: the config written next names them


def _scale_up(stack, servers: int, *, web) -> None:
    running = len(stack.apps())
    _recount(stack, servers)
    joining = stack.apps()[running:]
    try:
        stack.ports = ports_plan(stack.web_port, stack.kinds, given=stack.ports)
        stack.run.state_update(ports=stack.ports)
        stack.supervisor.write_config(stack.stage.name, stack.kinds)
        for kind in joining:
            stack.supervisor.program_add(kind.name)
        services_start(stack, joining)  # each answers before nginx sends it anything
    except BaseException:  # back to the servers that ran: nginx never knew the others
        _servers_stop(stack, joining)
        _recount(stack, running)
        stack.supervisor.write_config(stack.stage.name, stack.kinds)
        raise
    stack.kind_of(web.name).reload()


def _scale_down(stack, servers: int, *, web) -> None:
    leaving = [kind for kind in stack.apps() if kind.instance.number > servers]
    _recount(stack, servers)
    stack.supervisor.write_config(stack.stage.name, stack.kinds)
    old_workers = stack.kind_of(web.name).reload()
    # Once nginx's old workers are gone, no request is on its way to a leaving server.
    processes_wait_gone(old_workers, DRAIN_SECONDS)
    _servers_stop(stack, leaving)


def _servers_stop(stack, kinds) -> None:
    for kind in kinds:
        stack.say(f"{kind.name}: stopping (SIGTERM: it finishes its requests first)")
        stack.supervisor.program_remove(kind.name)
        stack.cpu_groups.remove(kind.name)
        stack.ports.pop(kind.name, None)
    stack.run.state_update(ports=stack.ports)
